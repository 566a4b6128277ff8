import type { EnvGetter } from './types.js';

/**
 * Environments backed by a Map, so that names such as `constructor` or `__proto__` are ordinary
 * variables and never reach Object.prototype.
 */
class MapEnv implements EnvGetter {
  private readonly values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.values = values;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }
}

/**
 * `NAME=value` entries, as in an image config or BuildKit's `EnvsFromSlice`: the name ends at
 * the first `=`, a later entry for a name replaces an earlier one, and an entry without `=` sets
 * the name to the empty string. `keys()` lists each name once, in order of first appearance
 * (BuildKit repeats duplicates; nothing depends on that).
 */
export function envFromList(entries: readonly string[]): EnvGetter {
  const values = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) values.set(entry, '');
    else values.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return new MapEnv(values);
}

/** A snapshot of the record's own properties; later changes to the record are not seen. */
export function envFromRecord(values: Readonly<Record<string, string>>): EnvGetter {
  return new MapEnv(new Map(Object.entries(values)));
}
