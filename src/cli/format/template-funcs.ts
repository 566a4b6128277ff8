/**
 * The functions a `--format` template can call: text/template's builtins (funcs.go) and the
 * ones docker/cli adds (templates/templates.go), plus the header variants Docker swaps in when it
 * renders a table's header row from the same template.
 *
 * `and` and `or` are listed for the parser's name check; the evaluator implements them itself
 * because they stop evaluating arguments once the result is known.
 */
import { sprint, sprintln } from './go-fmt.js';
import { sprintf } from './go-printf.js';
import { goJson } from './go-json.js';
import { byteLength, goTitle, goToLower, goToUpper, sliceBytes } from './go-strings.js';
import {
  type GoFunc,
  type GoParam,
  compareGoStrings,
  goUint8,
  isGoStruct,
  isTrue,
  kindOf,
  mapIndex,
  mapLength,
  mapZero,
  numberOf,
  sortedEntries,
  typeName,
} from './go-value.js';

export type FuncMap = Readonly<Record<string, GoFunc>>;

/** A value read out of an interface{} slot, for the one function that does not unwrap it. */
export class InterfaceSlot {
  constructor(readonly value: unknown) {}
}

const fn = (params: GoParam[], call: (args: unknown[]) => unknown, variadic?: GoParam): GoFunc =>
  variadic === undefined ? { params, call } : { params, variadic, call };

/** Go's indirectInterface: a nil interface is no value at all. */
const deref = (v: unknown): unknown => (v === null ? undefined : v);

function length(item: unknown): number {
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  switch (kindOf(item)) {
    case 'nil':
      throw new Error('len of nil pointer');
    case 'string':
      return byteLength(item as string);
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return mapLength(item as object);
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

function indexArg(index: unknown, cap: number): number {
  if (index instanceof InterfaceSlot) throw new Error('cannot index slice/array with type interface {}');
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') throw new Error('cannot index slice/array with nil');
  if (k !== 'int' && k !== 'uint') throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = numberOf(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(args: unknown[]): unknown {
  let item = deref(args[0]);
  if (item === undefined) throw new Error('index of untyped nil');
  for (const raw of args.slice(1)) {
    const idx = deref(raw);
    if (item === null || kindOf(item) === 'nil') throw new Error('index of nil pointer');
    switch (kindOf(item)) {
      case 'slice': {
        const arr = item as unknown[];
        const x = indexArg(idx, arr.length);
        if (x === arr.length) throw new Error('reflect: slice index out of range');
        item = arr[x] ?? null;
        break;
      }
      case 'string': {
        const bytes = new TextEncoder().encode(item as string);
        const x = indexArg(idx, bytes.length);
        if (x === bytes.length) throw new Error('reflect: string index out of range');
        item = goUint8(bytes[x]!);
        break;
      }
      case 'map': {
        if (idx === undefined) throw new Error('value is nil; should be of type string');
        if (typeof idx !== 'string') throw new Error(`value has type ${typeName(idx)}; should be string`);
        const hit = mapIndex(item as object, idx);
        item = hit.found ? hit.value : (mapZero(item as object) ?? null);
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: unknown[]): unknown {
  const item = deref(args[0]);
  if (item === undefined) throw new Error('slice of untyped nil');
  const indexes = args.slice(1);
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let len: number;
  if (k === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = byteLength(item as string);
  } else if (k === 'slice') len = (item as unknown[]).length;
  else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  const [lo, hi, max] = idx as [number, number, number];
  if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
  if (indexes.length === 3 && hi > max) throw new Error(`invalid slice index: ${hi} > ${max}`);
  return k === 'string' ? sliceBytes(item as string, lo, hi) : (item as unknown[]).slice(lo, hi);
}

type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'uint' || k === 'float' || k === 'string' ? k : 'invalid';
}

const basicValue = (v: unknown): unknown => (typeof v === 'string' || typeof v === 'boolean' ? v : numberOf(v));

function eq(args: unknown[]): boolean {
  const arg1 = deref(args[0]);
  if (args.length < 2) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const raw of args.slice(1)) {
    const arg = deref(raw);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) truth = numberOf(arg1) === numberOf(arg);
      else if (arg1 !== undefined && arg !== undefined) throw new Error('incompatible types for comparison');
    } else if (k1 !== 'invalid') {
      truth = basicValue(arg1) === basicValue(arg);
    } else {
      const n1 = arg1 === undefined || kindOf(arg1) === 'nil';
      const n2 = arg === undefined || kindOf(arg) === 'nil';
      if (n1 || n2) truth = n1 === n2;
      else if (kindOf(arg1) !== kindOf(arg)) {
        throw new Error(sprintf('non-comparable types %s: %v, %s: %v', [arg1, typeName(arg1), typeName(arg), arg]));
      } else if (!isGoStruct(arg)) throw new Error(sprintf('non-comparable type %s: %v', [arg, typeName(arg)]));
      else truth = arg1 === arg;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const arg1 = deref(a);
  const arg2 = deref(b);
  const k1 = basicKind(arg1);
  const k2 = basicKind(arg2);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return numberOf(arg1) < numberOf(arg2);
    if (k1 === 'uint' && k2 === 'int') return numberOf(arg1) < numberOf(arg2);
    throw new Error('incompatible types for comparison');
  }
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'string') return compareGoStrings(arg1 as string, arg2 as string) < 0;
  return numberOf(arg1) < numberOf(arg2);
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq([a, b]);

function split(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

/** docker/cli's joinElements: slices joined by their Sprint text, a map's values sorted. */
function join(elems: unknown, sep: string): string {
  if (elems === null || elems === undefined) return '';
  switch (kindOf(elems)) {
    case 'slice':
      return (elems as unknown[]).map((e) => sprint([e])).join(sep);
    case 'map':
      return sortedEntries(elems as object)
        .map(([, v]) => sprint([v]))
        .sort(compareGoStrings)
        .join(sep);
    default:
      throw new Error(`expected slice, got ${typeName(elems)}`);
  }
}

function repeat(n: number): string {
  if (n < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(n);
}

/** text/template's predefined functions, less `call`, `html`, `js` and `urlquery`. */
export const builtinFuncs: FuncMap = {
  and: fn(['value'], () => undefined, 'value'),
  or: fn(['value'], () => undefined, 'value'),
  not: fn(['value'], ([v]) => !isTrue(deref(v))),
  len: fn(['value'], ([v]) => length(v)),
  index: fn(['value'], index, 'value'),
  slice: fn(['value'], slice, 'value'),
  print: fn([], (args) => sprint(args), 'any'),
  printf: fn(['string'], ([format, ...args]) => sprintf(format as string, args), 'any'),
  println: fn([], (args) => sprintln(args), 'any'),
  eq: fn(['value'], eq, 'value'),
  ne: fn(['value', 'value'], ([a, b]) => !eq([a, b])),
  lt: fn(['value', 'value'], ([a, b]) => lt(a, b)),
  le: fn(['value', 'value'], ([a, b]) => le(a, b)),
  gt: fn(['value', 'value'], ([a, b]) => !le(a, b)),
  ge: fn(['value', 'value'], ([a, b]) => !lt(a, b)),
};

/** docker/cli's templates.basicFunctions. */
export const dockerFuncs: FuncMap = {
  // An Encoder with SetEscapeHTML(false), its trailing newline trimmed.
  json: fn(['any'], ([v]) => goJson(v, { escapeHTML: false })),
  split: fn(['string', 'string'], ([s, sep]) => split(s as string, sep as string)),
  join: fn(['any', 'string'], ([elems, sep]) => join(elems, sep as string)),
  title: fn(['string'], ([s]) => goTitle(s as string)),
  lower: fn(['string'], ([s]) => goToLower(s as string)),
  upper: fn(['string'], ([s]) => goToUpper(s as string)),
  pad: fn(['string', 'int', 'int'], ([s, prefix, suffix]) => (s === '' ? s : repeat(prefix as number) + (s as string) + repeat(suffix as number))),
  truncate: fn(['string', 'int'], ([s, n]) => {
    const str = s as string;
    const len = n as number;
    if (byteLength(str) < len) return str;
    if (len < 0) throw new Error(`runtime error: slice bounds out of range [:${len}]`);
    return sliceBytes(str, 0, len);
  }),
};

const identity = ([v]: unknown[]): unknown => v;

/**
 * templates.HeaderFunctions: Docker renders a table's header by running the row template on the
 * header names, with these functions passing the names through unchanged (`pad` is kept, so
 * padded columns stay aligned with their header).
 */
export const headerFuncs: FuncMap = {
  json: fn(['string'], identity),
  split: fn(['string', 'string'], identity),
  join: fn(['string', 'string'], identity),
  title: fn(['string'], identity),
  lower: fn(['string'], identity),
  upper: fn(['string'], identity),
  truncate: fn(['string', 'int'], identity),
};
