/**
 * The Go values a template sees, modelled on JavaScript data.
 *
 * Docker executes `--format` templates over Go values, and what Go prints depends on the static
 * type: `1e6` is `1000000` as an int64 field but `1e+06` as a float64, a missing key is
 * `<no value>` in a map but an error on a struct, `index` of a missing label is `""` in a
 * `map[string]string` but `<no value>` in a `map[string]interface{}`. Plain JavaScript data maps
 * onto the common case and the wrappers below carry the type where it matters:
 *
 * - `undefined` is Go's invalid reflect.Value (what a missing map key yields): printed `<no value>`;
 * - `null` is nil: in a map or slice an empty interface, which an action printing it alone shows
 *   as `<no value>` (Go unwraps interfaces) and a printed slice or map as `<nil>`; in a struct
 *   field a nil pointer (NIL_POINTER), printed `<nil>`;
 * - a string or boolean is itself; a number is an `int` when it is an integer and a `float64`
 *   otherwise (`goFloat` forces float64, `goUint8` is the byte `index` returns on a string);
 * - an array is a `[]interface {}`;
 * - a plain object is a `map[string]interface {}` (keys sorted when printed or ranged, as Go does);
 * - `goMap(entries, 'string')` is a `map[string]string`, whose zero value is `""`;
 * - `goStruct(fields, {type})` is a struct (or, with `pointer`, a pointer to one): a missing field
 *   is the error Go gives, printing is `{v1 v2}` in field order, and a `goMethod` field is a
 *   method that takes arguments (`{{.Label "name"}}`).
 */

const STRUCT = Symbol('goStruct');
const MAP = Symbol('goMap');

/** Numeric types a template can meet; `int` is 64 bits as on every platform Docker ships. */
export type GoNumType = 'int' | 'int64' | 'uint8' | 'float64';

export class GoNumber {
  constructor(
    readonly type: GoNumType,
    readonly value: number,
  ) {}
}

export interface GoStructOptions {
  /** The Go type as reflect prints it in errors, e.g. `*formatter.imageContext`. */
  type: string;
  /** A pointer to a struct: `fmt` prints it as `&{…}` at the top level. */
  pointer?: boolean;
  /** A `MarshalJSON` method: the exact JSON `json` should embed for this value. */
  marshalJSON?: () => string;
}

export interface GoStruct {
  readonly [STRUCT]: true;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly options: GoStructOptions;
}

/** Element types of typed maps lade needs; their zero values differ (`""` against nil). */
export type GoMapElem = 'string' | 'interface {}';

export interface GoMap {
  readonly [MAP]: true;
  readonly entries: Readonly<Record<string, unknown>>;
  readonly elem: GoMapElem;
}

export function goStruct(fields: Record<string, unknown>, options: GoStructOptions): GoStruct {
  return { [STRUCT]: true, fields, options };
}

export function goMap(entries: Record<string, unknown>, elem: GoMapElem = 'string'): GoMap {
  return { [MAP]: true, entries, elem };
}

export function goFloat(value: number): GoNumber {
  return new GoNumber('float64', value);
}

export function goInt64(value: number): GoNumber {
  return new GoNumber('int64', value);
}

export function goUint8(value: number): GoNumber {
  return new GoNumber('uint8', value);
}

export function isGoStruct(v: unknown): v is GoStruct {
  return typeof v === 'object' && v !== null && STRUCT in v;
}

export function isGoMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && MAP in v;
}

/**
 * How a function parameter receives a template value, after Go's argument conversion rules:
 * `value` is a reflect.Value (anything, a missing value stays `undefined`), `any` is an
 * interface{} (a missing value becomes `null`), the others must be of exactly that Go type.
 */
export type GoParam = 'value' | 'any' | 'string' | 'int' | 'bool';

/**
 * A function a template can call: one of the function map, or a method of a `goStruct` (Docker's
 * container context has `.Label "name"`). `call` throws to fail the call; the message is what Go
 * shows after `error calling NAME: `.
 */
export interface GoFunc {
  readonly params: readonly GoParam[];
  /** The element type of a trailing variadic parameter. */
  readonly variadic?: GoParam;
  call(args: unknown[]): unknown;
}

const METHOD = Symbol('goMethod');

export interface GoMethod extends GoFunc {
  readonly [METHOD]: true;
}

export function goMethod(params: readonly GoParam[], call: (args: unknown[]) => unknown): GoMethod {
  return { [METHOD]: true, params, call };
}

export function isGoMethod(v: unknown): v is GoMethod {
  return typeof v === 'object' && v !== null && METHOD in v;
}

/**
 * A nil pointer held in a struct field (Docker's `{{.State.Health}}` without a healthcheck):
 * printed `<nil>`, where a nil taken out of a map or slice is an empty interface that Go turns
 * into `<no value>`. Struct fields holding `null` read as this.
 */
export const NIL_POINTER: unique symbol = Symbol('nil pointer');

/** reflect.Kind, reduced to what lade's values can be. */
export type GoKind = 'invalid' | 'nil' | 'bool' | 'int' | 'uint' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'ptr' | 'func';

export function kindOf(v: unknown): GoKind {
  if (v === undefined) return 'invalid';
  if (v === null || v === NIL_POINTER) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'object':
      if (v instanceof GoNumber) return v.type === 'float64' ? 'float' : v.type === 'uint8' ? 'uint' : 'int';
      if (Array.isArray(v)) return 'slice';
      if (isGoStruct(v)) return v.options.pointer === true ? 'ptr' : 'struct';
      if (isGoMethod(v)) return 'func';
      return 'map';
    default:
      return 'invalid';
  }
}

/** The numeric value of an int, uint or float kind. */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoNumber) return v.value;
  return Number.NaN;
}

/** The type name as Go's reflect prints it, for error messages and `%T`. */
export function typeName(v: unknown): string {
  if (v === undefined || v === null || v === NIL_POINTER) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    default:
      break;
  }
  if (v instanceof GoNumber) return v.type;
  if (Array.isArray(v)) return '[]interface {}';
  if (isGoStruct(v)) return v.options.type;
  if (isGoMap(v)) return `map[string]${v.elem}`;
  if (isGoMethod(v)) return 'func';
  return 'map[string]interface {}';
}

/** The entries of a map value, keys sorted as Go's fmt and text/template sort string keys. */
export function sortedEntries(v: object): Array<[string, unknown]> {
  const record = isGoMap(v) ? v.entries : (v as Record<string, unknown>);
  return Object.keys(record)
    .sort(compareGoStrings)
    .map((k) => [k, record[k]]);
}

export function mapLength(v: object): number {
  return Object.keys(isGoMap(v) ? v.entries : v).length;
}

/** Looks a key up in a map value; `found` distinguishes a missing key from a stored undefined. */
export function mapIndex(v: object, key: string): { found: boolean; value: unknown } {
  const record = isGoMap(v) ? v.entries : (v as Record<string, unknown>);
  if (!Object.hasOwn(record, key)) return { found: false, value: undefined };
  const value = record[key];
  return { found: true, value: value === undefined ? null : value };
}

/** The zero value of a map's element type: what `index` yields for a missing key. */
export function mapZero(v: object): unknown {
  return isGoMap(v) && v.elem === 'string' ? '' : undefined;
}

/** Go compares strings bytewise (UTF-8); UTF-16 order differs above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** text/template's notion of truth (exec.go isTrue); `undefined`, like invalid, is false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'uint':
    case 'float':
      return numberOf(v) !== 0;
    case 'string':
      return (v as string).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return mapLength(v as object) > 0;
    case 'struct':
    case 'ptr':
    case 'func':
      return true;
  }
}
