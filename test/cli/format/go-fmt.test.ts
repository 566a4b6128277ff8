// Go's fmt and encoding/json output for template values. Every expected string here is what
// Go's fmt.Sprintf / json.Marshal print for the same arguments.
import assert from 'node:assert/strict';
import test from 'node:test';
import { formatFloat } from '../../../src/cli/format/go-float.js';
import { formatValue, sprint, sprintln } from '../../../src/cli/format/go-fmt.js';
import { goJson } from '../../../src/cli/format/go-json.js';
import { sprintf } from '../../../src/cli/format/go-printf.js';
import { goFloat, goStruct } from '../../../src/cli/format/go-value.js';

const f = goFloat;

test('%v of float64 is %g with the shortest digits, in exponent form from 1e6 and below 1e-4', () => {
  // strconv decides %e against %f with precision 6 when printing the shortest form.
  assert.equal(
    [1e-7, 100000, 1e6, 1234567, 0.0001, 0.00001, 1e20, 3, 2.5e-5, 1 / 3].map((x) => formatValue(f(x))).join('|'),
    '1e-07|100000|1e+06|1.234567e+06|0.0001|1e-05|1e+20|3|2.5e-05|0.3333333333333333',
  );
  assert.equal(formatValue(f(-0)), '-0');
  assert.equal([Infinity, -Infinity, NaN].map((x) => formatValue(f(x))).join(' '), '+Inf -Inf NaN');
});

test('fixed precision rounds the exact binary value, ties to even', () => {
  // 9.995 is stored as 9.99499999…, so it rounds down; 5.5 and 2.25 are exact ties.
  assert.equal(
    sprintf('%.3g|%.3g|%.3g|%.4g|%g|%.10f|%e|%.0e|%G', [f(0.00012345), f(123456), f(9.995), f(1.0005), f(1e-320), f(1 / 3), f(299792458), f(5.5), f(1e-10)]),
    '0.000123|1.23e+05|9.99|1|1e-320|0.3333333333|2.997925e+08|6e+00|1E-10',
  );
  assert.equal(formatFloat(0.125, 'f', 2), '0.12');
  assert.equal(formatFloat(0.375, 'f', 2), '0.38');
  assert.equal(formatFloat(0.5, 'f', 0), '0');
  assert.equal(formatFloat(999.5, 'g', 3), '1e+03');
});

test('flags and widths on numbers', () => {
  assert.equal(
    sprintf('%6.2f|%-8.3e|%+g|% g|%#g|%#.3g|%08.3f|%+.1f', [f(3.14159), f(1234.5), f(2), f(2), f(1), f(1), f(-3.14159), f(2.25)]),
    '  3.14|1.234e+03|+2| 2|1.00000|1.00|-003.142|+2.2',
  );
  assert.equal(sprintf('%05d|%x|%o|%#o|%b|%c|%q|%U|%#U', [-42, -255, 8, 8, 5, 0x1f600, 120, 0x1f600, 120]), "-0042|-ff|10|010|101|😀|'x'|U+1F600|U+0078 'x'");
});

test('strings: %q is strconv.Quote, %x is hex of the UTF-8 bytes, widths count runes', () => {
  assert.equal(sprintf('%q|%+q|%#q|%x|% X|%5.2s|%-5s|', ['héllo\n', 'héllo', 'raw`no', 'hi', 'hi', 'hello', 'ab']), '"héllo\\n"|"h\\u00e9llo"|"raw`no"|6869|68 69|   he|ab   |');
  assert.equal(sprintf('%#q', ['plain']), '`plain`');
  assert.equal(sprintf('%5s|', ['日本']), '   日本|');
});

test('verbs that do not fit, missing and extra operands', () => {
  assert.equal(sprintf('%d|%s|%v|%t|%!|%z', ['str', 5, null, 1, 2]), '%!d(string=str)|%!s(int=5)|<nil>|%!t(int=1)|%!!(int=2)|%!z(MISSING)');
  assert.equal(sprintf('%d', [1, 'x', null]), '1%!(EXTRA string=x, <nil>)');
  assert.equal(sprintf('%', []), '%!(NOVERB)');
  assert.equal(sprintf('%[3]d|%[1]s', ['a']), '%!d(BADINDEX)|a');
  assert.equal(sprintf('%*d|%.*f', [5, 3, 2, f(3.14159)]), '    3|3.14');
});

test('composite values: slices, maps with sorted keys, structs in field order', () => {
  assert.equal(formatValue(['a', 1, null, [true]]), '[a 1 <nil> [true]]');
  assert.equal(formatValue({ b: 1, a: { d: 'x', c: [] } }), 'map[a:map[c:[] d:x] b:1]');
  assert.equal(formatValue(goStruct({ Z: 1, A: 'x' }, { type: 'T' })), '{1 x}');
  assert.equal(sprintf('%+v', [goStruct({ Z: 1, A: 'x' }, { type: 'T' })]), '{Z:1 A:x}');
  // A verb applies to every element; nil elements print <nil> whatever the verb.
  assert.equal(sprintf('%d', [[1, 'a', null]]), '[1 %!d(string=a) <nil>]');
});

test('Sprint puts spaces between operands when neither is a string; Sprintln always', () => {
  assert.equal(sprint([1, 2, 'a', 3, 'b', 'c', null]), '1 2a3bc<nil>');
  assert.equal(sprintln([1, 'a']), '1 a\n');
});

test('JSON as encoding/json writes it', () => {
  assert.equal(
    goJson({ b: f(1.5), a: '<x&y>', c: [null, true, f(1e21), f(1e-7), f(0.000001)] }),
    '{"a":"\\u003cx\\u0026y\\u003e","b":1.5,"c":[null,true,1e+21,1e-7,0.000001]}',
  );
  assert.equal(goJson('<x&y>', { escapeHTML: false }), '"<x&y>"');
  // Control characters use \u escapes except the short ones; U+2028 is always escaped; DEL is not.
  assert.equal(goJson('a\u2028b\x01\x7f\t"\\é'), '"a\\u2028b\\u0001\x7f\\t\\"\\\\é"');
  // Go 1.22 and later, which Docker uses, write \b and \f in short form.
  assert.equal(goJson('\b\f'), '"\\b\\f"');
  assert.throws(() => goJson([f(Infinity)]), /json: unsupported value: \+Inf/);
});

test('indented JSON: maps sorted, structs in field order, empty containers on one line', () => {
  const value = [{ b: [], a: {}, c: [1, 'x'] }, goStruct({ Zeta: '<z>', Alpha: [1, 2], Empty: {}, E2: [] }, { type: 'S' })];
  assert.equal(
    goJson(value, { indent: '    ' }),
    [
      '[',
      '    {',
      '        "a": {},',
      '        "b": [],',
      '        "c": [',
      '            1,',
      '            "x"',
      '        ]',
      '    },',
      '    {',
      '        "Zeta": "\\u003cz\\u003e",',
      '        "Alpha": [',
      '            1,',
      '            2',
      '        ],',
      '        "Empty": {},',
      '        "E2": []',
      '    }',
      ']',
    ].join('\n'),
  );
});
