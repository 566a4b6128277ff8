/**
 * An ordered environment with BuildKit's llb.EnvList semantics: the build-time environment of a
 * stage and the global ARG scope. Setting a name that is already set moves it to the end (the
 * order RUN sees), unlike an image config's Env, where it is replaced in place (see
 * withImageEnv). Immutable: `with` returns a new list.
 */
import type { EnvGetter } from '../shell/index.js';

export class EnvList implements EnvGetter {
  private constructor(private readonly entries: readonly (readonly [string, string])[]) {}

  static empty(): EnvList {
    return new EnvList([]);
  }

  /** `NAME=value` entries; an entry without `=` sets the name to "". */
  static fromList(list: readonly string[]): EnvList {
    let env = EnvList.empty();
    for (const entry of list) {
      const eq = entry.indexOf('=');
      env = eq < 0 ? env.with(entry, '') : env.with(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  }

  get(name: string): string | undefined {
    for (const [k, v] of this.entries) if (k === name) return v;
    return undefined;
  }

  has(name: string): boolean {
    return this.entries.some(([k]) => k === name);
  }

  keys(): string[] {
    return this.entries.map(([k]) => k);
  }

  /** Sets a name, which becomes the last entry. */
  with(name: string, value: string): EnvList {
    return new EnvList([...this.entries.filter(([k]) => k !== name), [name, value]]);
  }

  toList(): string[] {
    return this.entries.map(([k, v]) => `${k}=${v}`);
  }
}

/** An image config's Env after `ENV name=value`: replaced in place, or appended (BuildKit's addEnv). */
export function withImageEnv(env: readonly string[], name: string, value: string): string[] {
  const out = [...env];
  const index = out.findIndex((entry) => {
    const eq = entry.indexOf('=');
    return (eq < 0 ? entry : entry.slice(0, eq)) === name;
  });
  if (index < 0) out.push(`${name}=${value}`);
  else out[index] = `${name}=${value}`;
  return out;
}
