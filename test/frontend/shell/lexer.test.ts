// Unit tests for the shell lexer. Expected values are BuildKit's results for the same input
// (checked against BuildKit's Go lexer), including its quirks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ErrorCode, isLadeError } from '../../../src/errors/index.js';
import { createShellLexer, envFromList, envFromRecord } from '../../../src/frontend/shell/index.js';
import type { LexOptions } from '../../../src/frontend/shell/index.js';

type Vars = Readonly<Record<string, string>>;

function expand(word: string, vars: Vars = {}, options: LexOptions = {}): string {
  return createShellLexer(options).processWord(word, envFromRecord(vars));
}

function split(word: string, vars: Vars = {}, options: LexOptions = {}): string[] {
  return createShellLexer(options).processWords(word, envFromRecord(vars));
}

/** The message of the LadeError the word must fail with (in both single-word and words mode). */
function failure(word: string, vars: Vars = {}, options: LexOptions = {}): string {
  const lexer = createShellLexer(options);
  let message: string | undefined;
  const env = envFromRecord(vars);
  for (const run of [() => lexer.processWord(word, env), () => lexer.processWords(word, env)]) {
    try {
      const result = run();
      assert.fail(`${JSON.stringify(word)} should fail, got ${JSON.stringify(result)}`);
    } catch (err) {
      if (!isLadeError(err)) throw err;
      assert.equal(err.code, ErrorCode.ShellExpansion);
      if (message !== undefined) assert.equal(err.message, message);
      message = err.message;
    }
  }
  return message ?? '';
}

/** BuildKit's wrapping of every lexer error. */
function wrapped(word: string, reason: string): string {
  return `failed to process ${JSON.stringify(word)}: ${reason}`;
}

describe('parameters', () => {
  test('$NAME and ${NAME}; unset and empty both expand to nothing', () => {
    assert.equal(expand('a$V-${V}-$E-$U.', { V: 'v', E: '' }), 'av-v--.');
  });

  test('names are case-sensitive', () => {
    assert.equal(expand('$pwd|$PWD', { PWD: '/home' }), '|/home');
  });

  test('a $ that cannot start a name is literal', () => {
    assert.equal(expand('$.|$|a$'), '$.|$|a$');
  });

  test('positional parameters take all digits, special parameters one character', () => {
    assert.equal(expand('$001aaa|$@@@|${#}x|$$|$0z'), 'aaa|@@|x||z');
  });

  test('names use Unicode letters and digits, as Go does', () => {
    assert.equal(expand('$한 ${한}|$٣x', { 한: 'k', '٣': 'd' }), 'k k|dx');
  });

  test('a name stops at the first character that cannot continue it', () => {
    assert.equal(expand('$V.x|$V_x|${V}x', { V: 'v', V_x: 'w' }), 'v.x|w|vx');
  });
});

describe('default, alternative and required values', () => {
  const vars = { V: 'v', E: '' };

  test('- and :- (the colon makes an empty value count as unset)', () => {
    assert.equal(expand('${V-d}|${V:-d}|${E-d}|${E:-d}|${U-d}|${U:-d}', vars), 'v|v||d|d|d');
  });

  test('+ and :+', () => {
    assert.equal(expand('${V+a}|${V:+a}|${E+a}|${E:+a}|${U+a}|${U:+a}', vars), 'a|a|a|||');
  });

  test('? and :? pass set values through', () => {
    assert.equal(expand('${V?m}|${V:?m}|${E?m}', vars), 'v|v|');
  });

  test('? and :? fail with the message, or with BuildKit default messages', () => {
    assert.equal(failure('${E:?m}', vars), wrapped('${E:?m}', 'E: m'));
    assert.equal(failure('${E:?}', vars), wrapped('${E:?}', 'E: is not allowed to be empty'));
    assert.equal(failure('${U?}', vars), wrapped('${U?}', 'U: is not allowed to be unset'));
    assert.equal(failure('${U:?}', vars), wrapped('${U:?}', 'U: is not allowed to be unset'));
  });

  test('the message is expanded', () => {
    assert.equal(failure('${U:?must be set $X}', { X: 'now' }), wrapped('${U:?must be set $X}', 'U: must be set now'));
  });

  test('operands nest and may be quoted', () => {
    assert.equal(expand('he${X:-${Y:-y}}|${X:-$V}|${X:-\'a b\'}|${X:-"$V"}', vars), 'hey|v|a b|v');
  });

  test('an escaped } or $ in an operand is literal', () => {
    assert.equal(expand('${X:-a\\}b}|${X:-\\$V}', vars), 'a}b|$V');
  });

  test('a } after a complete expansion is plain text', () => {
    assert.equal(expand('${X#a}}', { X: 'aa' }), 'a}');
  });
});

describe('pattern removal # ## % %%', () => {
  test('shortest and longest prefix and suffix', () => {
    assert.equal(expand('${V#*/}|${V##*/}|${V%/*}|${V%%/*}', { V: 'a/b/c' }), 'b/c|c|a/b|a');
    assert.equal(expand('${V#*n}|${V##*n}|${V%n*}|${V%%n*}', { V: 'banana' }), 'ana|a|bana|ba');
  });

  test('an empty pattern or a pattern that does not match leaves the value', () => {
    assert.equal(expand('${V#}|${V##}|${V%}|${V%%}|${V#x}|${V%x}', { V: 'abc' }), 'abc|abc|abc|abc|abc|abc');
  });

  test('? matches one code point, never a newline; * never crosses a newline', () => {
    assert.equal(expand('${V#?}|${V%?}', { V: '😀a😀' }), 'a😀|😀a');
    assert.equal(expand('${V##*}|${V%%*}', { V: 'ab\ncd' }), '\ncd|ab\n');
  });

  test('escapes in patterns: \\* \\? \\\\ and the ${}-only \\}', () => {
    assert.equal(expand('${V%%\\**}', { V: 'xx**' }), 'xx');
    assert.equal(expand('${V#?\\?}', { V: '???y' }), '?y');
    assert.equal(expand('${V#\\}}', { V: '}x' }), 'x');
    assert.equal(expand('${V#a\\\\}', { V: 'a\\b' }), 'b');
  });

  test('regex metacharacters are literal', () => {
    assert.equal(expand('${V#()[]{\\}^$.\\*\\?|\\\\}', { V: '()[]{}^$.*?|\\x' }), 'x');
  });

  test('quotes inside the pattern are removed, so a quoted * is still a wildcard', () => {
    assert.equal(expand("${V#'*'}", { V: '*x' }), '*x');
  });

  test('patterns may come from variables', () => {
    assert.equal(expand('${V#$P}|${V%%$Q}', { V: 'xxyy', P: 'x', Q: 'y*' }), 'xyy|xx');
  });

  test('a leading byte-order mark in a pattern is dropped (Go text/scanner)', () => {
    assert.equal(expand('${V#\ufeffa}', { V: 'ab' }), 'b');
    assert.equal(expand('${V%a\ufeff}', { V: 'ba' }), 'b');
  });

  test(':# and :% are not supported', () => {
    assert.equal(failure('${X:#a}'), wrapped('${X:#a}', 'unsupported modifier (:#) in substitution'));
    assert.equal(failure('${X:%%}'), wrapped('${X:%%}', 'unsupported modifier (:%) in substitution'));
  });

  test('invalid escapes fail; % reports the reversed pattern', () => {
    assert.equal(
      failure('${V#\\x}', { V: 'ab' }),
      wrapped('${V#\\x}', "invalid pattern (\\x) in substitution: invalid escape '\\x'"),
    );
    assert.equal(
      failure('${V%a\\x}', { V: 'ab' }),
      wrapped('${V%a\\x}', "invalid pattern (\\xa) in substitution: invalid escape '\\x'"),
    );
  });
});

describe('replacement / and //', () => {
  test('first and every match', () => {
    assert.equal(expand('${V/b/X}|${V//b/X}', { V: 'abcabc' }), 'aXcabc|aXcaXc');
  });

  test('no anchors: # and % are literal pattern characters', () => {
    assert.equal(expand('${V/#b/X}|${V/%c/X}', { V: 'abcabc' }), 'abcabc|abcabc');
  });

  test('stars are greedy', () => {
    assert.equal(expand('${V/*n/-}|${V//n?/-}', { V: 'banana' }), '-a|ba--');
  });

  test('empty matches follow Go ReplaceAllString', () => {
    assert.equal(expand('${V///-}', { V: 'abc' }), '-a-b-c-');
    assert.equal(expand('${V//*/-}', { V: 'abc' }), '-');
    assert.equal(expand('${V/$E/ww}', { V: 'xxyy', E: '' }), 'wwxxyy');
  });

  test('a newline is matched by neither ? nor *', () => {
    assert.equal(expand('${V//?/.}', { V: 'a\nb' }), '.\n.');
  });

  test('escaped / in the pattern; escapes are kept in the replacement', () => {
    assert.equal(expand('${V/a\\/b/X}', { V: '1a/b2' }), '1X2');
    assert.equal(expand('${V//\\//\\/}', { V: '/tmp/f' }), '\\/tmp\\/f');
  });

  test('a / in the replacement is plain text', () => {
    assert.equal(expand('${X/a/b/c}', { X: 'aa' }), 'b/ca');
  });

  test('regex metacharacters in the pattern are literal', () => {
    assert.equal(expand('${V/$P/-}', { V: 'a.b', P: '.' }), 'a-b');
    assert.equal(
      expand('${V/(/-}|${V/[/-}|${V/|/-}|${V/+/-}|${V/^/-}', { V: 'x(y[z|w+v^u' }),
      'x-y[z|w+v^u|x(y-z|w+v^u|x(y[z-w+v^u|x(y[z|w-v^u|x(y[z|w+v-u',
    );
  });

  test('// treats the replacement as a Go template ($0 is the match); / does not', () => {
    assert.equal(expand('${V//a/$R}|${V/a/$R}', { V: 'banana', R: '<$0>' }), 'b<a>n<a>n<a>|b<$0>nana');
    assert.equal(expand('${V//a/$R}', { V: 'banana', R: '$$' }), 'b$n$n$');
    assert.equal(expand('${V//a/$R}', { V: 'banana', R: '${0}' }), 'banana');
    assert.equal(expand('${V//a/$R}', { V: 'banana', R: '$00' }), 'bnn');
    assert.equal(expand('${V//a/$R}', { V: 'banana', R: '[$1$x${x}$.${}${0]' }), 'b[$.${}${0]n[$.${}${0]n[$.${}${0]');
    assert.equal(expand('${V//a/\\$0}', { V: 'banana' }), 'b\\an\\an\\a');
    assert.equal(expand('${V//a*/$R}', { V: 'banana', R: '($0)' }), 'b(anana)');
  });

  test('missing separators', () => {
    assert.equal(failure('${X/a'), wrapped('${X/a', "syntax error: missing '/' in ${}"));
    assert.equal(failure('${X//'), wrapped('${X//', "syntax error: missing '/' in ${}"));
    assert.equal(failure('${X/a/b'), wrapped('${X/a/b', "syntax error: missing '}'"));
  });
});

describe('quotes and escapes', () => {
  test('quotes are removed; single quotes are literal', () => {
    assert.equal(expand('\'a b\'"c d"|\'$V\'|"$V"', { V: 'v' }), 'a bc d|$V|v');
  });

  test('inside double quotes the escape only escapes " $ and itself', () => {
    assert.equal(expand('"a\\"b\\$c\\\\d\\e"'), 'a"b$c\\d\\e');
  });

  test('unquoted escapes take the next character literally; a trailing one is dropped', () => {
    assert.equal(expand('a\\ b\\$V\\t\\'), 'a b$Vt');
  });

  test('a leading byte-order mark is dropped, one elsewhere is kept', () => {
    assert.equal(expand('\ufeffabc'), 'abc');
    assert.equal(expand('a\ufeffbc'), 'a\ufeffbc');
  });
});

describe('backtick escape token', () => {
  const options: LexOptions = { escapeToken: '`' };

  test('` escapes and \\ is an ordinary character', () => {
    assert.equal(expand('a`$b`\\c', { b: 'B' }, options), 'a$b\\c');
  });

  test('inside double quotes ` escapes " $ and `', () => {
    assert.equal(expand('"a`"b`$c``\\d\\e`x"', { c: 'C' }, options), 'a"b$c`\\d\\e`x');
  });

  test('escaped whitespace does not split words', () => {
    assert.deepEqual(split('a\\ b` c', {}, options), ['a\\', 'b c']);
  });

  test('in patterns a backslash is still the pattern escape, and ` stays raw', () => {
    assert.equal(expand('${V#\\*}', { V: '*x' }, options), 'x');
    assert.equal(expand('${V#`*}', { V: '`*x' }, options), '*x');
    assert.equal(
      failure('${V#ab\\}', { V: 'ab' }, options),
      wrapped('${V#ab\\}', "invalid pattern (ab\\) in substitution: invalid escape '\\\uFFFD'"),
    );
    assert.equal(
      failure('${V%ab\\}', { V: 'ab' }, options),
      wrapped('${V%ab\\}', "invalid pattern (\\ba) in substitution: invalid escape '\\b'"),
    );
  });
});

describe('options', () => {
  test('defaults are BuildKit NewLex defaults, frozen', () => {
    const lexer = createShellLexer();
    assert.deepEqual(lexer.options, {
      escapeToken: '\\',
      rawQuotes: false,
      rawEscapes: false,
      skipProcessQuotes: false,
      skipUnsetEnv: false,
    });
    assert.ok(Object.isFrozen(lexer.options));
  });

  test('rawQuotes keeps the quote characters', () => {
    assert.equal(expand('\'a b\'"c $V"', { V: 'v' }, { rawQuotes: true }), '\'a b\'"c v"');
    assert.deepEqual(split('\'a b\' "c d"', {}, { rawQuotes: true }), ["'a b'", '"c d"']);
  });

  test('rawEscapes keeps escapes, and doubles one in double quotes before a plain character', () => {
    assert.equal(expand('a\\$b"c\\d\\$"', { b: 'B' }, { rawEscapes: true }), 'a\\$bc\\\\d\\$');
  });

  test('rawEscapes does not apply inside ${V:-…} operands', () => {
    assert.equal(expand('${X:-a\\$b}', {}, { rawEscapes: true }), 'a$b');
  });

  test('skipUnsetEnv writes unset references back as read (// loses a slash, no modifier check)', () => {
    assert.equal(
      expand('$U ${U} ${U:-d} ${U/a/b} ${U//a/b} ${U#p} ${U:YYY} ${U?m} ${U:?} $V', { V: 'v' }, { skipUnsetEnv: true }),
      '$U ${U} ${U:-d} ${U/a/b} ${U/a/b} ${U#p} ${U:YYY} ${U?m} ${U:?} v',
    );
  });

  test('skipUnsetEnv still expands set variables and fails on their errors', () => {
    assert.equal(expand('${V:-d}${E:+x}', { V: 'v', E: '' }, { skipUnsetEnv: true }), 'v');
    assert.equal(
      failure('${V:YYY}', { V: 'v' }, { skipUnsetEnv: true }),
      wrapped('${V:YYY}', 'unsupported modifier (:Y) in substitution'),
    );
  });

  test('skipProcessQuotes makes quotes ordinary characters', () => {
    assert.equal(expand('\'$V\' "$V"', { V: 'v' }, { skipProcessQuotes: true }), "'v' \"v\"");
    assert.deepEqual(split('a\\"b c \'d e\'', {}, { skipProcessQuotes: true }), ['a"b', 'c', "'d", "e'"]);
    assert.equal(expand("'abc", {}, { skipProcessQuotes: true }), "'abc");
  });

  test('an unknown escape token is rejected', () => {
    assert.throws(
      () => createShellLexer({ escapeToken: 'x' as '\\' }),
      (err: unknown) => isLadeError(err) && err.code === ErrorCode.Internal,
    );
  });
});

describe('processWordWithMatches', () => {
  const lexer = createShellLexer();

  test('reports found and missing names', () => {
    const res = lexer.processWordWithMatches('${V-d}|${E:-d}|${U-d}', envFromRecord({ V: 'v', E: '' }));
    assert.equal(res.result, 'v|d|d');
    assert.deepEqual([...res.matched].sort(), ['E', 'V']);
    assert.deepEqual([...res.unmatched], ['U']);
  });

  test('a plain word reports nothing', () => {
    const res = lexer.processWordWithMatches('x y', envFromRecord({ V: 'v' }));
    assert.deepEqual(res, { result: 'x y', words: ['x', 'y'], matched: new Set(), unmatched: new Set() });
  });

  test('operands are expanded (and reported) even when not used', () => {
    const res = lexer.processWordWithMatches('${U:+$W}${U:-$W2}', envFromRecord({}));
    assert.equal(res.result, '');
    assert.deepEqual([...res.unmatched].sort(), ['U', 'W', 'W2']);
  });

  test('names in patterns and replacements are reported', () => {
    const env = envFromRecord({ FOO: 'xxyy', BAR: 'x', N: 'y' });
    const res = lexer.processWordWithMatches('${FOO#$BAR}${FOO/$N/$R}', env);
    assert.equal(res.result, 'xyyxxy');
    assert.deepEqual([...res.matched].sort(), ['BAR', 'FOO', 'N']);
    assert.deepEqual([...res.unmatched], ['R']);
  });

  test('positional and special parameters are looked up by their names', () => {
    const res = lexer.processWordWithMatches('$1${@}$#${+x}', envFromRecord({}));
    assert.deepEqual([...res.unmatched].sort(), ['', '#', '1', '@']);
  });

  test('words are returned too', () => {
    const res = lexer.processWordWithMatches('a $S "b c"', envFromRecord({ S: '1 2' }));
    assert.deepEqual(res.words, ['a', '1', '2', 'b c']);
    assert.equal(res.result, 'a 1 2 b c');
  });
});

describe('word splitting', () => {
  test('unquoted expansions split, quoted ones do not', () => {
    assert.deepEqual(split('x${S}y "${S}"', { S: 'a  b' }), ['xa', 'by', 'a  b']);
    assert.deepEqual(split('"$V"x $V', { V: ' a b ' }), [' a b x', 'a', 'b']);
  });

  test('defaults split like other expansions', () => {
    assert.deepEqual(split('${V:-a b} c'), ['a', 'b', 'c']);
  });

  test('Go whitespace separates words (NBSP, NEL and U+2003 do; U+FEFF and U+200B do not)', () => {
    assert.deepEqual(split('a\u00a0b\u2003c\ufeffd\u0085e\u200bf'), ['a', 'b', 'c\ufeffd', 'e\u200bf']);
  });

  test('empty quotes make no word', () => {
    assert.deepEqual(split("'' a"), ['a']);
    assert.deepEqual(split('"" \'\' ""'), []);
  });

  test('BuildKit quirk: a ${V<op>…} drops what precedes it in the same word', () => {
    assert.deepEqual(split('a${X:-b}c d'), ['bc', 'd']);
    assert.deepEqual(split('a"${X:-b}"c d'), ['bc', 'd']);
    assert.deepEqual(split('x a${V/a/b}c', { V: 'a' }), ['x', 'bc']);
    assert.equal(expand('a${X:-b}c d'), 'abc d');
  });

  test('plain $V and ${V} do not trigger the quirk', () => {
    assert.deepEqual(split('a${V}c a$V', { V: 'b' }), ['abc', 'ab']);
  });
});

describe('heredoc markers', () => {
  const line = 'cat <<EOF <<-EOT << \tX a<b <<\nY';

  test('<< keeps the blanks after it in the same word', () => {
    assert.deepEqual(split(line), ['cat', '<<EOF', '<<-EOT', '<< \tX', 'a<b', '<<', 'Y']);
  });

  test('the single-word result is unchanged', () => {
    assert.equal(expand(line), line);
  });

  test('heredoc detection settings (raw quotes and escapes, unset kept)', () => {
    assert.deepEqual(split('cat <<"EOF" <<\'E O\' $X', {}, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }), [
      'cat',
      '<<"EOF"',
      "<<'E O'",
      '$X',
    ]);
  });
});

describe('errors', () => {
  const cases: [string, string][] = [
    ["'abc", 'unexpected end of statement while looking for matching single-quote'],
    ['"abc', 'unexpected end of statement while looking for matching double-quote'],
    ['"abc\\"', 'unexpected end of statement while looking for matching double-quote'],
    ['${', "syntax error: missing '}'"],
    ['${X:', "syntax error: missing '}'"],
    ['${aaa:-bbb', "syntax error: missing '}'"],
    ['${}', 'syntax error: bad substitution'],
    ['${:}', 'syntax error: bad substitution'],
    ['${{aaa}', 'syntax error: bad substitution'],
    ['he${PWD', 'unsupported modifier (\uFFFD) in substitution'],
    ['${.}', 'unsupported modifier (.) in substitution'],
    ['${X=d}', 'unsupported modifier (=) in substitution'],
    ['${X:=d}', 'unsupported modifier (:=) in substitution'],
    ['${X:}abc}', 'unsupported modifier (:}) in substitution'],
    // An error inside an operand that ran to the end of the word becomes "missing '}'".
    ['${X:-"abc}', "syntax error: missing '}'"],
    ['${X:-${Y:?oops}', "syntax error: missing '}'"],
    ['${X:-${Y:?oops}}', 'Y: oops'],
  ];
  for (const [word, reason] of cases) {
    test(`${JSON.stringify(word)}: ${reason}`, () => {
      assert.equal(failure(word), wrapped(word, reason));
    });
  }

  test('the word is quoted like Go %q', () => {
    assert.equal(
      failure('a\t"b\u00e9\u200b\u0000'),
      'failed to process "a\\t\\"bé\\u200b\\x00": unexpected end of statement while looking for matching double-quote',
    );
  });

  test('with rawEscapes a trailing escape inside double quotes still fails', () => {
    assert.equal(
      failure('"a\\"', {}, { rawEscapes: true }),
      wrapped('"a\\"', 'unexpected end of statement while looking for matching double-quote'),
    );
  });
});

describe('environments', () => {
  test('envFromList: later entries win, no = means empty, keys listed once', () => {
    const env = envFromList(['A=1', 'B', 'A=2', 'C=x=y', '=z']);
    assert.equal(env.get('A'), '2');
    assert.equal(env.get('B'), '');
    assert.equal(env.get('C'), 'x=y');
    assert.equal(env.get(''), 'z');
    assert.equal(env.get('D'), undefined);
    assert.deepEqual(env.keys(), ['A', 'B', 'C', '']);
  });

  test('envFromRecord never sees Object.prototype', () => {
    const env = envFromRecord({ A: '1' });
    assert.equal(createShellLexer().processWord('$A|$constructor|${__proto__}|${toString:-d}', env), '1|||d');
    assert.deepEqual(env.keys(), ['A']);
  });
});

describe('robustness', () => {
  test('patterns that backtrack catastrophically in a regex engine stay fast', { timeout: 20_000 }, () => {
    const vars = { V: 'a'.repeat(20_000), P: '*a*a*a*a*a*a*a*a*a*b', N: ('a'.repeat(40) + '\n').repeat(500) };
    for (const op of ['#', '##', '%', '%%']) assert.equal(expand(`\${V${op}$P}`, vars), vars.V);
    assert.equal(expand('${V/$P/x}|${V//$P/x}', vars), `${vars.V}|${vars.V}`);
    assert.equal(expand('${N//$P/x}', vars), vars.N);
    assert.equal(expand('${V//a*a/x}', vars), 'x');
  });

  test('any input yields a string or a LadeError', () => {
    const pieces = ['$', '{', '}', ':', '-', '+', '?', '#', '%', '/', '\\', '`', "'", '"', ' ', '<', '*'];
    pieces.push('V', 'a', '\n', '😀', '\ud800', '\ufeff', '0', '@');
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const env = envFromRecord({ V: 'a*\\b', W: '' });
    for (let i = 0; i < 3000; i++) {
      let word = '';
      for (let j = next(14); j > 0; j--) word += pieces[next(pieces.length)];
      const lexer = createShellLexer({
        escapeToken: next(4) === 0 ? '`' : '\\',
        rawQuotes: next(4) === 0,
        rawEscapes: next(4) === 0,
        skipProcessQuotes: next(5) === 0,
        skipUnsetEnv: next(4) === 0,
      });
      for (const run of [() => lexer.processWord(word, env), () => lexer.processWords(word, env)]) {
        try {
          run();
        } catch (err) {
          const ok = isLadeError(err) && err.code === ErrorCode.ShellExpansion;
          assert.ok(ok, `${JSON.stringify(word)}: ${String(err)}`);
        }
      }
    }
  });

  test('very deep nesting gives the expansion or a LadeError, never a RangeError', () => {
    const depth = 20_000;
    const word = '${A:-'.repeat(depth) + 'x' + '}'.repeat(depth);
    try {
      assert.equal(expand(word), 'x');
    } catch (err) {
      assert.ok(isLadeError(err), String(err));
      assert.match(err.message, /nested too deeply$/);
    }
  });
});
