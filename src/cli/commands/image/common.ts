/** What the image commands share: opening the store, names as Docker prints them, filters. */
import { createInterface } from 'node:readline';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { displayName, openImageStore, type ImageStore } from '../../../image/index.js';
import type { OptionValues, RunContext } from '../../command-spec.js';

export function openStore(ctx: RunContext): Promise<ImageStore> {
  return openImageStore(ctx.global.root);
}

/** `sha256:<hex>` → the 12-hex short ID Docker shows, unless `--no-trunc`. */
export function shortId(id: string, noTrunc = false): string {
  return noTrunc ? id : id.replace(/^sha256:/, '').slice(0, 12);
}

/** `busybox:latest` from a normalised name; `repository` and `tag` split at the last colon. */
export function splitName(normalized: string): { repository: string; tag: string } {
  const familiar = displayName(normalized);
  const colon = familiar.lastIndexOf(':');
  return { repository: familiar.slice(0, colon), tag: familiar.slice(colon + 1) };
}

export function stringList(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** `key=value` filters as Docker parses them; unknown keys are errors naming the filter. */
export function parseFilters(raw: readonly string[], allowed: readonly string[]): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const item of raw) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new LadeError(ErrorCode.Usage, `bad format of filter (expected name=value)`);
    const key = item.slice(0, eq).trim().toLowerCase();
    if (!allowed.includes(key)) throw new LadeError(ErrorCode.Usage, `invalid filter '${key}'`);
    const list = filters.get(key) ?? [];
    list.push(item.slice(eq + 1));
    filters.set(key, list);
  }
  return filters;
}

/**
 * Go's path.Match: `*` is any run of non-`/` characters, `?` one, `[…]` a class, `\` escapes.
 * Docker matches the `reference` filter with it.
 */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name);
  } catch {
    return false;
  }
}

/** Docker's `[y/N]` prompt; anything but y/yes (or no terminal input) is no. */
export async function confirm(ctx: RunContext, question: string): Promise<boolean> {
  ctx.out.stdout(`${question} [y/N] `);
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return /^(y|yes)$/i.test(answer.trim());
}
