// Go text/template semantics. Expected outputs and messages were checked against Go's own
// text/template (Go 1.19 with docker/cli's functions); where Docker's newer Go (1.22+) behaves
// differently the test says so.
import assert from 'node:assert/strict';
import test from 'node:test';
import { compileTemplate } from '../../../src/cli/format/template.js';
import { NIL_POINTER, goFloat, goMap, goMethod, goStruct } from '../../../src/cli/format/go-value.js';
import { isLadeError } from '../../../src/errors/index.js';

const run = (text: string, data?: unknown): string => compileTemplate(text).execute(data);

function fails(text: string, data: unknown, message: string): void {
  assert.throws(
    () => run(text, data),
    (e: unknown) => isLadeError(e) && e.code === 'USAGE' && e.message === message,
  );
}

test('text, fields and chains on maps', () => {
  assert.equal(run('hello {{.name}}!', { name: 'world' }), 'hello world!');
  assert.equal(run('{{.a.b.c}}', { a: { b: { c: 'deep' } } }), 'deep');
  assert.equal(run('{{$.x}} {{$}}', { x: 1 }), '1 map[x:1]');
});

test('a missing map key prints <no value>, also through a chain', () => {
  assert.equal(run('{{.missing}}', { a: 1 }), '<no value>');
  assert.equal(run('{{.missing.x}}', {}), '<no value>');
  // A nil stored in a map[string]interface{} is an empty interface, which Go also turns into
  // "no value" when an action prints it (exec.go evalPipeline unwraps interfaces).
  assert.equal(run('{{.x}}', { x: null }), '<no value>');
});

test('missingkey=zero and missingkey=error', () => {
  assert.equal(compileTemplate('{{.x}}').execute({}, { missingKey: 'zero' }), '<no value>');
  assert.equal(compileTemplate('[{{.x}}]').execute(goMap({}, 'string'), { missingKey: 'zero' }), '[]');
  assert.throws(() => compileTemplate('{{.x}}').execute({}, { missingKey: 'error' }), /map has no entry for key "x"/);
  assert.throws(() => compileTemplate('{{.x}}').execute(undefined, { missingKey: 'error' }), /nil data; no entry for key "x"/);
});

test('fields of non-maps are execution errors naming the Go type', () => {
  fails('{{.x.y}}', { x: null }, 'template: :1:4: executing "" at <.x.y>: nil pointer evaluating interface {}.y');
  // The receiver came out of a map[string]interface{}, so Go names its static type.
  fails('{{.x.y}}', { x: 'str' }, 'template: :1:4: executing "" at <.x.y>: can\'t evaluate field y in type interface {}');
  fails('{{.y}}', 5, 'template: :1:2: executing "" at <.y>: can\'t evaluate field y in type int');
  fails('a\n{{.x}}\nb{{.y.z}}', { x: 1, y: 5 }, 'template: :3:5: executing "" at <.y.z>: can\'t evaluate field z in type interface {}');
  fails('{{.x 1}}', { x: 5 }, 'template: :1:2: executing "" at <.x>: x is not a method but has arguments');
});

test('structs: a missing field is an error, nil pointers print <nil>, methods take arguments', () => {
  const ctx = goStruct(
    { ID: 'abc', Health: null, Label: goMethod(['string'], ([k]) => `label:${String(k)}`) },
    { type: '*formatter.ContainerContext', pointer: true },
  );
  assert.equal(run('{{.ID}} {{.Health}} {{.Label "a"}}', ctx), 'abc <nil> label:a');
  fails('{{.Foo}}', ctx, 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext');
  fails('{{.ID 1}}', ctx, 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function');
  fails('{{.Label}}', ctx, 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0');
  // Printing a pointer to a struct at the top of an action shows the struct itself.
  assert.equal(run('{{.}}', goStruct({ A: 1, B: 'x' }, { type: '*T', pointer: true })), '{1 x}');
  assert.equal(run('{{print .}}', goStruct({ A: 1, B: 'x' }, { type: '*T', pointer: true })), '&{1 x}');
  assert.equal(run('{{if .}}t{{end}}', NIL_POINTER), '');
});

test("Go's printing rules for values", () => {
  assert.equal(run('{{.}}', ['a', 'b', 'c']), '[a b c]');
  assert.equal(run('{{.}}', [1, 'a', null, 2.5, true, { k: 'v', a: [1] }]), '[1 a <nil> 2.5 true map[a:[1] k:v]]');
  // fmt sorts map keys; bytewise, so upper case before lower case.
  assert.equal(run('{{.}}', { z: 1, a: null, B: 2, m: { x: {} } }), 'map[B:2 a:<nil> m:map[x:map[]] z:1]');
  assert.equal(run('{{.}}', null), '<no value>');
  assert.equal(run('{{print .}}', null), '<nil>');
  assert.equal(run('{{true}} {{false}} {{"s"}} {{`raw\\n`}}'), 'true false s raw\\n');
  // Integer constants stay ints, constants written with . or e are float64, printed with %g in
  // its shortest form, whose exponent threshold is 21 for the digits but 6 for the decision
  // between forms (fmt prints float64(1000000) as 1e+06).
  assert.equal(run('{{1.0}} {{1e6}} {{1234567.0}} {{0x10}} {{-0}} {{1_000}} {{0.1}} {{.5}} {{1e21}} {{1e-5}}'), '1 1e+06 1.234567e+06 16 0 1000 0.1 0.5 1e+21 1e-05');
  // A character constant is an int (its code point).
  assert.equal(run("{{'a'}} {{'é'}} {{'\\n'}}"), '97 233 10');
  assert.equal(run('{{.}}', goFloat(3)), '3');
  assert.equal(run('{{.}}', 123456), '123456');
});

test('trim markers remove the white space next to them, comments print nothing', () => {
  assert.equal(run('  a  {{- .x -}}  b  {{- /* comment */ -}}  c {{23 -}} < {{- 45}}', { x: 1 }), '  a1bc 23<45');
  // Without the space, `-3` is a number.
  assert.equal(run('{{-3}} {{- 3}}'), '-33');
  assert.equal(run('x {{/* c */}} y'), 'x  y');
});

test('if, else if, else and with', () => {
  const t = compileTemplate('{{if .a}}a{{else if .b}}b{{else}}none{{end}}');
  assert.equal(t.execute({ a: 0, b: '' }), 'none');
  assert.equal(t.execute({ a: 0, b: 'x' }), 'b');
  assert.equal(t.execute({ a: [1], b: 'x' }), 'a');
  assert.equal(run('{{with .a}}[{{.}}]{{else}}empty{{end}}', { a: [1] }), '[[1]]');
  assert.equal(run('{{with .a}}[{{.}}]{{else}}empty{{end}}', { a: {} }), 'empty');
  // Go 1.23 added `else with`; Docker's Go has it.
  assert.equal(run('{{with .a}}a{{else with .b}}b:{{.}}{{end}}', { a: '', b: 2 }), 'b:2');
});

test('range over slices, maps (sorted keys) and integers, with else, break and continue', () => {
  assert.equal(run('{{range .}}({{.}}){{end}}', ['a', 'b', null]), '(a)(b)(<no value>)');
  assert.equal(run('{{range $k, $v := .}}{{$k}}={{$v}};{{end}}', { b: 2, a: 1, C: 3, é: 4 }), 'C=3;a=1;b=2;é=4;');
  assert.equal(run('{{range $i, $e := .}}{{$i}}:{{$e}} {{end}}', ['x', 'y']), '0:x 1:y ');
  assert.equal(run('{{range .}}x{{else}}empty{{end}}', []), 'empty');
  assert.equal(run('{{range .x}}x{{else}}empty{{end}}', {}), 'empty');
  assert.equal(run('{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5]), '13');
  // Go 1.24 ranges over an integer (0 … n-1); older Go refused it.
  assert.equal(run('{{range 3}}{{.}}{{end}}'), '012');
  fails('{{range .}}x{{end}}', 'str', 'template: :1:8: executing "" at <.>: range can\'t iterate over str');
});

test('variables: declaration, assignment, scope', () => {
  assert.equal(run('{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}'), '12');
  assert.equal(run('{{$x := .a}}{{with .b}}{{$x}}-{{.}}{{end}}', { a: 1, b: 2 }), '1-2');
  assert.equal(run('{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}'), '21');
  assert.equal(run('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}'), '2');
});

test('pipelines pass the value as the last argument', () => {
  assert.equal(run('{{. | lower | upper}}', 'AbC'), 'ABC');
  assert.equal(run('{{"put" | printf "%s%s" "out" | printf "%q"}}'), '"output"');
  assert.equal(run('{{(index . 0).a}}', [{ a: 1 }]), '1');
  assert.equal(run('{{ .a.b | len }}', { a: { b: [1, 2, 3] } }), '3');
});

test('comparison and logic builtins', () => {
  assert.equal(run('{{eq 1 1}} {{eq 1 2 1}} {{eq "a" "a"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}}'), 'true true true true true true true false');
  assert.equal(run('{{eq .x nil}} {{eq .m .m}}', { x: 's', m: null }), 'false true');
  // and/or return one of their arguments, not a boolean.
  assert.equal(run('{{and 1 0 2}} {{and 1 2}} {{or 0 "" 3}} {{or 0 ""}} {{not 0}}'), '0 2 3  true');
  fails('{{eq 1 "a"}}', null, 'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison');
  // An int and a float64 do not compare in Go either.
  fails('{{lt 1.5 2}}', null, 'template: :1:2: executing "" at <lt 1.5 2>: error calling lt: incompatible types for comparison');
  fails('{{eq . .}}', [1], 'template: :1:2: executing "" at <eq . .>: error calling eq: non-comparable type [%!s(int=1)]: []interface {}');
});

test('len, index and slice count bytes in strings', () => {
  assert.equal(run('{{len .}} {{len .s}} {{len .m}}', { s: 'héllo', m: { a: 1 } }), '2 6 1');
  assert.equal(run('{{index .a 1}} {{index .x "k"}} {{index .x "nope"}} {{index "abc" 1}} {{index .a 1 0}}', { x: { k: 'v' }, a: [[1], [2, 3]] }), '[2 3] v <no value> 98 2');
  fails('{{index . 1}}', {}, 'template: :1:2: executing "" at <index . 1>: error calling index: value has type int; should be string');
  // index of a missing key in a map[string]string is its zero value, "".
  assert.equal(run('[{{index .Labels "nope"}}]', { Labels: goMap({ a: 'b' }) }), '[]');
  assert.equal(run('{{slice . 1 3}} {{slice "hello" 1}} {{slice . 1}} {{slice .}}', [1, 2, 3, 4]), '[2 3] ello [2 3 4] [1 2 3 4]');
  fails('{{index . 5}}', [1], 'template: :1:2: executing "" at <index . 5>: error calling index: index out of range: 5');
  fails('{{len .x}}', { x: 5 }, 'template: :1:2: executing "" at <len .x>: error calling len: len of type int');
  fails('{{slice . 3 1}}', [1, 2, 3, 4], 'template: :1:2: executing "" at <slice . 3 1>: error calling slice: invalid slice index: 3 > 1');
});

test("Docker's functions: json, join, split, lower, upper, title, pad, truncate", () => {
  // Docker's json is an Encoder with SetEscapeHTML(false): < > & stay as they are.
  assert.equal(run('{{json .}}', { b: '<x&y>', a: [1, 2.5, null, true] }), '{"a":[1,2.5,null,true],"b":"<x&y>"}');
  assert.equal(run('{{json .missing}} {{json 1e21}} {{json 0.0000001}}', {}), 'null 1e+21 1e-7');
  assert.equal(run('{{join .a ", "}}|{{join .m "-"}}|{{join .n ","}}', { a: ['x', 1, 2.5, null], m: { b: 'z', a: 'y' }, n: null }), 'x, 1, 2.5, <nil>|y-z|');
  assert.equal(run('{{split .s ","}} {{split "abc" ""}} {{len (split "" ",")}}', { s: 'a,b,,c' }), '[a b  c] [a b c] 1');
  // Go's case mapping is per rune with simple mappings: ß has no one-rune upper case.
  assert.equal(run('{{lower .}}|{{upper .}}|{{title .}}', 'hello wORLD foo-bar straße'), 'hello world foo-bar straße|HELLO WORLD FOO-BAR STRAßE|Hello WORLD Foo-Bar Straße');
  assert.equal(run('[{{pad . 2 3}}] [{{pad "" 2 3}}] {{truncate . 3}} {{truncate . 100}}', 'abcdef'), '[  abcdef   ] [] abc abcdef');
  fails('{{truncate . -1}}', 'abc', 'template: :1:2: executing "" at <truncate . -1>: error calling truncate: runtime error: slice bounds out of range [:-1]');
  fails('{{join . ","}}', 'str', 'template: :1:2: executing "" at <join . ",">: error calling join: expected slice, got string');
});

test('argument types follow Go: literals must fit the parameter, values must have its type', () => {
  fails('{{lower 5}}', null, 'template: :1:8: executing "" at <5>: expected string; found 5');
  fails('{{lower .}}', 5, 'template: :1:8: executing "" at <.>: wrong type for value; expected string; got int');
  fails('{{truncate . "3"}}', 'abc', 'template: :1:13: executing "" at <"3">: expected integer; found "3"');
  fails('{{lower .x}}', {}, 'template: :1:8: executing "" at <.x>: invalid value; expected string');
  fails('{{pad "a" 1}}', null, 'template: :1:2: executing "" at <pad>: wrong number of args for pad: want 3 got 2');
  fails('{{1 2}}', null, 'template: :1:2: executing "" at <1>: can\'t give argument to non-function 1');
});

test('printf verbs and Go number formatting', () => {
  assert.equal(
    run('{{printf "%05d|%-6s|%6s|%.2f|%x|%X|%q|%v|%t|%c|%U" 42 "ab" "cd" 3.14159 255 "hi" "q\\"" .m true 65 9731}}', { m: { k: [1, 2] } }),
    '00042|ab    |    cd|3.14|ff|6869|"q\\""|map[k:[1 2]]|true|A|U+2603',
  );
  // Exact ties round to even (0.125 → 0.12, 2.5 → 2); %.3g of 999.5 rounds up to 1e+03.
  assert.equal(run('{{printf "%.0f %.0f %.0f %.2f %.3g %.3g" 0.5 1.5 2.5 0.125 999.5 1234.5}}'), '0 2 2 0.12 1e+03 1.23e+03');
  assert.equal(run('{{printf "%d %s" "x" 5}}|{{printf "%d"}}|{{printf "%d" 1 2}}|{{printf "%[2]d %[1]d" 1 2}}'), '%!d(string=x) %!s(int=5)|%!d(MISSING)|1%!(EXTRA int=2)|2 1');
  assert.equal(run('{{print 1 2 "a" 3 "b" "c" nil}}|{{println 1 "a"}}'), '1 2a3bc<nil>|1 a\n');
  assert.equal(run('{{printf "%T %T %T %T %T" 1 1.5 "s" true .}}', [1]), 'int float64 string bool []interface {}');
  assert.equal(run('{{printf "%x %.1x" 1.5 1.0}}'), '0x1.8p+00 0x1.0p+00');
});

test('parse errors have Go\'s messages', () => {
  const cases: Array<[string, string]> = [
    ['{{.ID}', "template: :1: bad character U+007D '}'"],
    ['{{.ID }', 'template: :1: unexpected "}" in operand'],
    ['{{if}}', 'template: :1: missing value for if'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{range .}}', 'template: :1: unexpected EOF'],
    ['{{.A | 3}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{foo}}', 'template: :1: function "foo" not defined'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{(.A}}', 'template: :1: unclosed left paren'],
    ['{{if .A}}{{else}}{{else}}{{end}}', 'template: :1: expected end; found {{else}}'],
    ['{{ .A.B. }}', 'template: :1: unexpected <.> in operand'],
    ['{{3.a}}', 'template: :1: bad number syntax: "3.a"'],
    ["{{'ab'}}", "template: :1: malformed character constant: 'ab'"],
    ['{{/* x */ .A}}', 'template: :1: comment ends before closing delimiter'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['a {{.A\n}}\n{{.B', 'template: :3: unclosed action'],
    ['{{08}}', 'template: :1: integer overflow: "08"'],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => compileTemplate(text),
      (e: unknown) => isLadeError(e) && e.code === 'USAGE' && e.message === message,
      text,
    );
  }
});

test('tryExecute keeps what was written before an error, as Go writes while executing', () => {
  const result = compileTemplate('a{{.x}}b{{.x.y}}c').tryExecute({ x: 1 });
  assert.equal(result.output, 'a1b');
  assert.match(result.error?.message ?? '', /can't evaluate field y in type interface \{\}/);
});

test('a template compiles once and executes many times', () => {
  const t = compileTemplate('{{.n}}');
  assert.deepEqual([1, 2, 3].map((n) => t.execute({ n })), ['1', '2', '3']);
});
