/**
 * Number literals in templates (text/template/parse/node.go newNumber): Go's integer syntax
 * (`0x1F`, `0o17`, `017`, `1_000`) and float syntax, and which Go types a literal fits, which
 * decides whether `{{1.0}}` is a float64 and whether `truncate . 1e1` has an int argument.
 */
import type { NumberValue } from './template-node.js';

const INT_SYNTAX =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/;
const FLOAT_SYNTAX = /^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** parse.newNumber for non-complex literals: the value and which Go types it fits, or an error. */
export function parseNumber(text: string): NumberValue | string {
  const n: NumberValue = { text, isInt: false, isUint: false, isFloat: false, value: 0 };
  if (INT_SYNTAX.test(text)) {
    const neg = text.startsWith('-');
    let body = text.replace(/^[+-]/, '').replaceAll('_', '');
    if (/^0[0-7]/.test(body)) body = '0o' + body.slice(1);
    const big = BigInt(body) * (neg ? -1n : 1n);
    n.isInt = big >= -INT64_MAX - 1n && big <= INT64_MAX;
    n.isUint = big >= 0n && big <= UINT64_MAX;
    if (n.isInt || n.isUint) {
      n.isFloat = true;
      n.value = Number(big);
      return n;
    }
  }
  if (!FLOAT_SYNTAX.test(text) || !/[0-9]/.test(text)) return `illegal number syntax: ${JSON.stringify(text)}`;
  const f = Number(text.replaceAll('_', ''));
  if (!/[.eEpP]/.test(text)) return `integer overflow: ${JSON.stringify(text)}`;
  n.isFloat = true;
  n.value = f;
  if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
    n.isInt = true;
    n.isUint = f >= 0;
  }
  return n;
}
