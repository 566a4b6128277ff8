/**
 * encoding/json output for template values: compact (or MarshalIndent-style) JSON with Go's
 * choices, which differ from JSON.stringify: map keys sorted bytewise, `<`, `>` and `&` escaped as
 * `\u003c`… unless HTML escaping is off (Docker's `json` template function turns it off; its
 * formatter contexts' MarshalJSON leaves it on), U+2028/U+2029 always escaped, floats in Go's
 * format (`1e+21`, `1e-7`), NaN and infinities refused.
 */
import { formatJsonFloat } from './go-float.js';
import { isGoMethod, isGoStruct, kindOf, numberOf, sortedEntries } from './go-value.js';

export interface JsonOptions {
  /** Escape `<`, `>` and `&` (json.Marshal does; an Encoder with SetEscapeHTML(false) does not). */
  escapeHTML?: boolean;
  /** json.MarshalIndent's indent string; compact output when absent. */
  indent?: string;
}

/** The message json.Marshal's UnsupportedValueError carries. */
export class JsonUnsupportedValue extends Error {}

const hex4 = (c: number): string => c.toString(16).padStart(4, '0');

export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    // Go 1.22 and later (Docker's toolchain) write \b and \f in their short form.
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) out += '\\u' + hex4(c);
    else if (c === 0x2028 || c === 0x2029) out += '\\u' + hex4(c);
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

export function goJson(v: unknown, options: JsonOptions = {}): string {
  return encode(v, options.escapeHTML ?? true, options.indent, '');
}

function encode(v: unknown, escapeHTML: boolean, indent: string | undefined, prefix: string): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
    case 'uint':
      return String(numberOf(v));
    case 'float': {
      const x = numberOf(v);
      if (!Number.isFinite(x)) throw new JsonUnsupportedValue(`json: unsupported value: ${Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf'}`);
      return formatJsonFloat(x);
    }
    case 'string':
      return jsonString(v as string, escapeHTML);
    case 'slice':
      return container(
        '[',
        ']',
        (v as unknown[]).map((e) => (p: string) => encode(e, escapeHTML, indent, p)),
        indent,
        prefix,
      );
    case 'map':
      return container(
        '{',
        '}',
        sortedEntries(v as object).map(([k, e]) => (p: string) => jsonString(k, escapeHTML) + (indent === undefined ? ':' : ': ') + encode(e, escapeHTML, indent, p)),
        indent,
        prefix,
      );
    case 'func':
      throw new JsonUnsupportedValue('json: unsupported type: func()');
    case 'struct':
    case 'ptr': {
      if (!isGoStruct(v)) return 'null';
      const marshal = v.options.marshalJSON;
      if (marshal !== undefined) return marshal();
      return container(
        '{',
        '}',
        Object.entries(v.fields)
          .filter(([, e]) => !isGoMethod(e))
          .map(([k, e]) => (p: string) => jsonString(k, escapeHTML) + (indent === undefined ? ':' : ': ') + encode(e, escapeHTML, indent, p)),
        indent,
        prefix,
      );
    }
  }
}

function container(open: string, close: string, items: Array<(prefix: string) => string>, indent: string | undefined, prefix: string): string {
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.map((item) => item('')).join(',') + close;
  const inner = prefix + indent;
  return open + '\n' + items.map((item) => inner + item(inner)).join(',\n') + '\n' + prefix + close;
}
