import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLadeError, type LadeError } from '../../../src/errors/index.js';
import {
  dumpDockerfile,
  MAX_LINE_BYTES,
  parseDockerfile,
  type ParsedDockerfile,
} from '../../../src/frontend/parser/index.js';

const parse = (text: string | Uint8Array) => parseDockerfile(text, { file: 'Dockerfile' });
const dump = (text: string | Uint8Array) => dumpDockerfile(parse(text));

function parseError(text: string | Uint8Array): LadeError {
  try {
    parse(text);
  } catch (err) {
    assert.ok(isLadeError(err), `expected a LadeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the parse to fail');
}

describe('directives', () => {
  test('escape directive switches line continuation to backtick', () => {
    const p = parse('# escape=`\nFROM x\nRUN a `\n  b\nRUN c\\\n');
    assert.equal(p.escapeToken, '`');
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "a   b")\n(run "c\\\\")');
  });

  test('keys are case-insensitive and whitespace around = is allowed', () => {
    const p = parse('  #  ESCAPE = `\n# Syntax=docker/dockerfile:1\nFROM x\n');
    assert.equal(p.escapeToken, '`');
    assert.deepEqual(
      p.directives.map((d) => [d.name, d.value, d.line]),
      [
        ['escape', '`', 1],
        ['syntax', 'docker/dockerfile:1', 2],
      ],
    );
  });

  test('a directive after a comment, a blank line or an instruction is only a comment', () => {
    for (const text of ['# hello\n# escape=`\nFROM x\n', '\n# escape=`\nFROM x\n', 'FROM x\n# escape=`\n']) {
      assert.equal(parse(text).escapeToken, '\\', JSON.stringify(text));
    }
  });

  test('an unknown directive key ends the directive block', () => {
    assert.equal(parse('# foo=bar\n# escape=`\nFROM x\n').escapeToken, '\\');
  });

  test('check directive is recorded', () => {
    assert.deepEqual(parse('# check=skip=JSONArgsRecommended;error=true\nFROM x\n').directives[0], {
      name: 'check',
      value: 'skip=JSONArgsRecommended;error=true',
      line: 1,
    });
  });

  test('a repeated directive is an error on its line', () => {
    const err = parseError('# escape=\\\n# escape=`\nFROM x\n');
    assert.equal(err.message, 'only one escape parser directive can be used');
    assert.equal(err.location?.line, 2);
  });

  test('an invalid escape token is an error', () => {
    const err = parseError('# escape=x\nFROM x\n');
    assert.match(err.message, /invalid escape token 'x' does not match ` or \\/);
    assert.equal(err.location?.line, 1);
  });

  test('directive lines are not instruction comments', () => {
    const p = parse('# syntax=x\n# about the image\nFROM x\n');
    assert.deepEqual(p.instructions[0]?.comments, ['about the image']);
    const q = parse('# note one\n# note two\nFROM x\n');
    assert.deepEqual(q.instructions[0]?.comments, ['note one', 'note two']);
  });
});

describe('lines and continuations', () => {
  test('continuation lines are joined without a separator, keeping their indentation', () => {
    assert.equal(dump('FROM x\nRUN echo hello \\\n  world\n'), '(from "x")\n(run "echo hello   world")');
  });

  test('comment lines and empty lines inside a continuation are skipped; empty ones warn', () => {
    const p = parse('FROM x\nRUN a \\\n# inner comment\n\n   \n  b\n');
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "a   b")');
    assert.equal(p.warnings.length, 1);
    assert.match(p.warnings[0]!.message, /^Empty continuation line found in: RUN a +b$/);
    assert.deepEqual([p.instructions[1]!.startLine, p.instructions[1]!.endLine], [2, 6]);
  });

  test('a doubled escape at the end does not continue the line', () => {
    assert.equal(dump('FROM x\nRUN a\\\\\nRUN b\n'), '(from "x")\n(run "a\\\\\\\\")\n(run "b")');
  });

  test('trailing spaces and tabs after the escape still continue', () => {
    assert.equal(dump('FROM x\nRUN a \\ \t\nb\n'), '(from "x")\n(run "a b")');
  });

  test('end of file inside a continuation ends the instruction', () => {
    const p = parse('FROM x\nRUN a \\');
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "a")');
  });

  test('CRLF line endings parse like LF', () => {
    assert.equal(dump('FROM x\r\nRUN a \\\r\n  b\r\n'), dump('FROM x\nRUN a \\\n  b\n'));
  });

  test('a UTF-8 byte-order mark is dropped', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# escape=`\nFROM x\n')]);
    assert.equal(parse(bytes).escapeToken, '`');
  });

  test('keywords are case-insensitive and dumped lower-case', () => {
    assert.equal(dump('from x\nRun a\nrUN b\n'), '(from "x")\n(run "a")\n(run "b")');
    assert.equal(parse('Run a\n').instructions[0]!.keyword, 'Run');
  });

  test('lines are 1-based physical lines, comments and blanks counted', () => {
    const p = parse('# c\n\nFROM x\n\nRUN a \\\n  b\n');
    assert.deepEqual(p.instructions.map((n) => [n.startLine, n.endLine]), [[3, 3], [5, 6]]);
    assert.deepEqual([p.startLine, p.endLine], [3, 6]);
  });
});

describe('argument forms', () => {
  test('exec form and shell form dump alike but keep the json attribute', () => {
    const p = parse('FROM x\nRUN ["echo", "hi"]\nRUN echo hi\n');
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "echo" "hi")\n(run "echo hi")');
    assert.deepEqual(p.instructions.slice(1).map((n) => n.json), [true, false]);
  });

  test('invalid JSON falls back to one verbatim shell-form string', () => {
    for (const [text, arg] of [
      ["RUN ['a', 'b']", "['a', 'b']"],
      ['RUN ["a", "b"', '["a", "b"'],
      ['RUN ["a", "b"] extra', '["a", "b"] extra'],
      ['CMD [ "a\\" ]', '[ "a\\" ]'],
    ] as const) {
      const node = parse(`FROM x\n${text}\n`).instructions[1]!;
      assert.deepEqual([node.args, node.json], [[arg], false], text);
    }
  });

  test('a JSON array with a non-string element is an error', () => {
    const err = parseError('FROM x\nCMD ["a", 1]\n');
    assert.match(err.message, /arrays must be comprised of strings only/);
    assert.equal(err.location?.line, 2);
  });

  test('empty JSON arrays give no arguments', () => {
    assert.equal(dump('FROM x\nCMD []\nENTRYPOINT [ ]\n'), '(from "x")\n(cmd)\n(entrypoint)');
  });

  test('COPY, ADD and VOLUME split on whitespace unless JSON', () => {
    assert.equal(
      dump('FROM x\nCOPY a  b\tc\nADD ["a b", "c"]\nVOLUME /a /b\n'),
      '(from "x")\n(copy "a" "b" "c")\n(add "a b" "c")\n(volume "/a" "/b")',
    );
  });

  test('flags are taken from every instruction; quotes and escapes inside flags are processed', () => {
    assert.equal(
      dump('FROM --platform=linux/amd64 x AS y\nCOPY --from="a b" --chown=me\\ you src dst\nCMD --x -- [ ]\n'),
      '(from ["--platform=linux/amd64"] "x" "AS" "y")\n(copy ["--from=a b" "--chown=me you"] "src" "dst")\n(cmd ["--x"])',
    );
  });

  test('ENV and LABEL give key/value/separator triples; values keep quotes', () => {
    assert.equal(
      dump('FROM x\nENV a=1 b="two words" c=3\\ 4\nENV legacy value with spaces\nLABEL "k"=v\n'),
      '(from "x")\n(env "a" "1" "=" "b" "\\"two words\\"" "=" "c" "3\\\\ 4" "=")\n' +
        '(env "legacy" "value with spaces" "")\n(label "\\"k\\"" "v" "=")',
    );
  });

  test('ENV with one word is an error; a word without = in the new form is an error', () => {
    assert.match(parseError('FROM x\nENV PATH\n').message, /ENV must have two arguments/);
    assert.match(parseError('FROM x\nENV a=1 b\n').message, /can't find = in "b"/);
    assert.match(parseError('FROM x\nLABEL a\n').message, /LABEL must have two arguments/);
  });

  test('ARG keeps each quote-aware word verbatim', () => {
    assert.equal(dump('ARG abc="123 456" def\nFROM x\n'), '(arg "abc=\\"123 456\\"" "def")\n(from "x")');
  });

  test('HEALTHCHECK keeps the type word and parses the rest like RUN', () => {
    const p = parse('FROM x\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s CMD ["curl", "-f"]\nHEALTHCHECK CMD curl -f\nHEALTHCHECK\n');
    assert.equal(
      dumpDockerfile(p),
      '(from "x")\n(healthcheck "NONE")\n(healthcheck ["--interval=5s"] "CMD" "curl" "-f")\n(healthcheck "CMD" "curl -f")\n(healthcheck)',
    );
    assert.equal(p.instructions[2]!.json, true);
  });

  test('ONBUILD wraps a complete instruction', () => {
    const p = parse('FROM x\nONBUILD RUN ["echo", "hi"]\nONBUILD ADD --chown=a . /app\nONBUILD\n');
    assert.equal(
      dumpDockerfile(p),
      '(from "x")\n(onbuild (run "echo" "hi"))\n(onbuild (add ["--chown=a"] "." "/app"))\n(onbuild)',
    );
    assert.equal(p.instructions[1]!.child?.json, true);
  });

  test('unknown instructions parse, with one empty argument', () => {
    assert.equal(dump('FROM x\nRUNN echo\n'), '(from "x")\n(runn "")');
  });
});

describe('heredocs', () => {
  const body = (p: ParsedDockerfile, i: number) => p.instructions[i]!.heredocs;

  test('a RUN heredoc takes the following lines up to the delimiter', () => {
    const p = parse('FROM x\nRUN <<EOF\necho a\n  echo b\nEOF\nRUN c\n');
    assert.deepEqual(body(p, 1), [{ name: 'EOF', fileDescriptor: 0, expand: true, chomp: false, content: 'echo a\n  echo b\n' }]);
    assert.deepEqual(p.instructions.map((n) => [n.startLine, n.endLine]), [[1, 1], [2, 5], [6, 6]]);
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "<<EOF")\n(run "c")');
  });

  test('several heredocs on one instruction are read in order', () => {
    const p = parse('FROM x\nCOPY <<A <<B /dest/\nfirst\nA\nsecond\nB\n');
    assert.deepEqual(body(p, 1).map((h) => [h.name, h.content]), [
      ['A', 'first\n'],
      ['B', 'second\n'],
    ]);
  });

  test('quoted delimiters turn expansion off; <<- strips tabs from the terminator', () => {
    const p = parse("FROM x\nRUN <<-'END'\n\techo $HOME\n\tEND\nADD <<\"Q\" /q\n$x\nQ\nRUN <<E\"O\"F cat\nEOF\n");
    assert.deepEqual(body(p, 1), [{ name: 'END', fileDescriptor: 0, expand: false, chomp: true, content: '\techo $HOME\n' }]);
    assert.equal(body(p, 2)[0]!.expand, false);
    assert.deepEqual([body(p, 3)[0]!.name, body(p, 3)[0]!.expand], ['EOF', false]);
  });

  test('a file descriptor before << is recorded', () => {
    assert.equal(body(parse('FROM x\nRUN 3<<EOF cat /dev/fd/3\nhi\nEOF\n'), 1)[0]!.fileDescriptor, 3);
  });

  test('heredocs apply to ONBUILD RUN, not to exec form or quoted markers or other instructions', () => {
    const p = parse('FROM x\nONBUILD RUN <<EOF\nhi\nEOF\nRUN ["<<EOF"]\nRUN echo "<<EOF"\nUSER <<EOF\n');
    assert.equal(body(p, 1)[0]!.content, 'hi\n');
    assert.deepEqual([body(p, 2), body(p, 3), body(p, 4)], [[], [], []]);
    assert.equal(p.instructions.length, 5);
  });

  test('heredoc bodies keep CRLF line endings and comments', () => {
    const p = parse('FROM x\r\nRUN <<EOF\r\n# not a comment\r\nEOF\r\n');
    assert.equal(body(p, 1)[0]!.content, '# not a comment\r\n');
  });

  test('an unterminated heredoc is an error spanning the instruction', () => {
    const err = parseError('FROM x\nRUN <<EOF\necho a\n');
    assert.equal(err.message, 'unterminated heredoc');
    assert.deepEqual([err.location?.line, err.location?.endLine], [2, 3]);
  });

  test('a line the lexer rejects has no heredocs, as in BuildKit (the body lines become instructions)', () => {
    const p = parse("FROM x\nRUN <<'EOF\nEOF\n");
    assert.deepEqual(body(p, 1), []);
    assert.equal(dumpDockerfile(p), '(from "x")\n(run "<<\'EOF")\n(eof "")');
  });
});

describe('bad input', () => {
  test('an empty file or a file of comments has no instructions', () => {
    for (const text of ['', '\n\n', '# just a comment\n', '# escape=`\n']) {
      assert.equal(parseError(text).message, 'file with no instructions', JSON.stringify(text));
    }
  });

  test(`a line longer than ${MAX_LINE_BYTES} bytes is an error naming the line`, () => {
    const long = 'a'.repeat(MAX_LINE_BYTES - 'LABEL x='.length + 1);
    const err = parseError(`FROM x\nLABEL x=${long}\nRUN b\n`);
    assert.equal(err.message, `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`);
    assert.equal(err.location?.line, 2);
    assert.doesNotThrow(() => parse(`FROM x\nLABEL x=${long.slice(1)}\n`));
  });

  test('the line limit counts UTF-8 bytes, not characters', () => {
    const line = `LABEL x=${'é'.repeat(32764)}`; // 8 + 65528 bytes
    assert.equal(parseError(`FROM x\n${line}\n`).location?.line, 2);
    assert.doesNotThrow(() => parse(`FROM x\nLABEL x=${'é'.repeat(32763)}\n`));
  });

  test('NUL bytes and UTF-16 files are rejected with a clear message', () => {
    const nul = parseError(Buffer.from('FROM x\nRUN a\0b\n'));
    assert.match(nul.message, /NUL byte/);
    assert.equal(nul.location?.line, 2);
    const utf16 = parseError(Buffer.from('\ufeffFROM x\n', 'utf16le'));
    assert.match(utf16.message, /UTF-16/);
  });

  test('invalid UTF-8 survives and dumps as \\x escapes, like Go', () => {
    const bytes = Buffer.concat([Buffer.from('FROM x\nRUN a'), Buffer.from([0xff, 0xc3]), Buffer.from('b\n')]);
    assert.equal(dump(bytes), '(from "x")\n(run "a\\xff\\xc3b")');
  });
});

describe('Go quoting in the dump', () => {
  test('printable Unicode is raw; controls, format and private-use characters are escaped', () => {
    assert.equal(
      dump('FROM x\nRUN é ☃ 😀 \u00a0 \u200b \ue000 \u{10fffd} \x7f \x01 \v.\n'),
      '(from "x")\n(run "é ☃ 😀 \\u00a0 \\u200b \\ue000 \\U0010fffd \\x7f \\x01 \\v.")',
    );
  });
});

describe('BuildKit quirks kept on purpose', () => {
  test('flag values are read byte by byte, so non-ASCII characters come out as Latin-1', () => {
    // "é" is C3 A9: each byte becomes its own character, as BuildKit's extractBuilderFlags does.
    assert.deepEqual(parse('FROM x\nCOPY --chown=é a b\n').instructions[1]!.flags, ['--chown=Ã©']);
  });

  test('in ENV/LABEL/ARG words an invalid byte becomes U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from('ARG a='), Buffer.from([0xff]), Buffer.from('\nFROM x\n')]);
    assert.deepEqual(parse(bytes).instructions[0]!.args, ['a=\ufffd']);
  });
});
