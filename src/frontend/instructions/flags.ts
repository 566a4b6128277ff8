/**
 * Instruction flags (`--from=x`, `--link`), parsed like BuildKit's BFlags: each instruction
 * declares the flags it accepts, then parses the `--` words the parser extracted. Flags are
 * `--name=value` only (no separate value word); `--` ends the flags.
 */
import { instructionError } from './errors.js';
import { withSuggestion } from './suggest.js';

type FlagType = 'bool' | 'string' | 'strings';

interface FlagState {
  name: string;
  type: FlagType;
  value: string;
  values: string[];
}

export interface BoolFlag {
  /** True when given as `--name`, `--name=true` (any case); false by default or `--name=false`. */
  readonly value: boolean;
  readonly used: boolean;
}

export interface StringFlag {
  readonly value: string;
  readonly used: boolean;
}

export interface StringsFlag {
  /** Every value, in order: the flag may be repeated. */
  readonly values: readonly string[];
  readonly used: boolean;
}

export interface FlagParser {
  bool(name: string, defaultValue?: boolean): BoolFlag;
  string(name: string, defaultValue?: string): StringFlag;
  strings(name: string): StringsFlag;
  /** Parses the words; throws a LadeError with BuildKit's message for the first bad one. */
  parse(): void;
  /** The names of the flags given, sorted. */
  used(): string[];
}

class Flags implements FlagParser {
  private readonly declared = new Map<string, FlagState>();
  private readonly seen = new Set<string>();

  constructor(private readonly words: readonly string[]) {}

  private add(name: string, type: FlagType, value: string): FlagState {
    if (this.declared.has(name)) {
      throw new Error(`flag --${name} declared twice`);
    }
    const state: FlagState = { name, type, value, values: [] };
    this.declared.set(name, state);
    return state;
  }

  bool(name: string, defaultValue = false): BoolFlag {
    const state = this.add(name, 'bool', defaultValue ? 'true' : 'false');
    const seen = this.seen;
    return {
      get value() {
        return state.value === 'true';
      },
      get used() {
        return seen.has(name);
      },
    };
  }

  string(name: string, defaultValue = ''): StringFlag {
    const state = this.add(name, 'string', defaultValue);
    const seen = this.seen;
    return {
      get value() {
        return state.value;
      },
      get used() {
        return seen.has(name);
      },
    };
  }

  strings(name: string): StringsFlag {
    const state = this.add(name, 'strings', '');
    const seen = this.seen;
    return {
      get values() {
        return state.values;
      },
      get used() {
        return seen.has(name);
      },
    };
  }

  parse(): void {
    for (const word of this.words) {
      if (word === '--') return;
      if (!word.startsWith('--')) throw instructionError(`arg should start with -- : ${word}`);
      const eq = word.indexOf('=');
      const hasValue = eq >= 0;
      const flagName = hasValue ? word.slice(0, eq) : word;
      const value = hasValue ? word.slice(eq + 1) : '';
      const name = flagName.slice(2);
      const flag = this.declared.get(name);
      if (flag === undefined) {
        throw instructionError(withSuggestion(`unknown flag: ${flagName}`, name, [...this.declared.keys()], true));
      }
      if (this.seen.has(name) && flag.type !== 'strings') {
        throw instructionError(`duplicate flag specified: ${flagName}`);
      }
      this.seen.add(name);
      switch (flag.type) {
        case 'bool': {
          if (hasValue && value === '') throw instructionError(`missing a value on flag: ${flagName}`);
          const lower = value.toLowerCase();
          if (lower === 'true' || lower === '') flag.value = 'true';
          else if (lower === 'false') flag.value = 'false';
          else throw instructionError(`expecting boolean value for flag ${flagName}, not: ${value}`);
          break;
        }
        case 'string':
          if (!hasValue) throw instructionError(`missing a value on flag: ${flagName}`);
          flag.value = value;
          break;
        case 'strings':
          if (!hasValue) throw instructionError(`missing a value on flag: ${flagName}`);
          flag.values.push(value);
          break;
      }
    }
  }

  used(): string[] {
    return [...this.seen].sort();
  }
}

export function createFlagParser(words: readonly string[]): FlagParser {
  return new Flags(words);
}
