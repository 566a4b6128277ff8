// The BFlags-like flag parser, and the flags each instruction accepts.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createFlagParser } from '../../../src/frontend/instructions/index.js';
import { errorOf, expectParseError, parseAs, parseOne } from './helpers.js';

test('flag parser: defaults when no flag is given, `--` alone is accepted', () => {
  const flags = createFlagParser(['--']);
  const s = flags.string('str1', 'HI');
  const b = flags.bool('bool1');
  const t = flags.bool('bool2', true);
  flags.parse();
  assert.equal(s.value, 'HI');
  assert.equal(b.value, false);
  assert.equal(t.value, true);
  assert.equal(s.used, false);
  assert.deepEqual(flags.used(), []);
});

test('flag parser: values, booleans in any case, empty string values, used names', () => {
  const flags = createFlagParser(['--bool2=false', '--bool3', '--bool4=TRUE', '--str2=', '--str4=my-val', '--multi=a', '--multi=b']);
  flags.bool('bool1');
  const b2 = flags.bool('bool2', true);
  const b3 = flags.bool('bool3');
  const b4 = flags.bool('bool4');
  flags.string('str1');
  const s2 = flags.string('str2', 'def');
  const s4 = flags.string('str4');
  const multi = flags.strings('multi');
  flags.parse();
  assert.equal(b2.value, false);
  assert.equal(b3.value, true);
  assert.equal(b4.value, true);
  assert.equal(s2.value, '');
  assert.equal(s4.value, 'my-val');
  assert.deepEqual(multi.values, ['a', 'b']);
  assert.deepEqual(flags.used(), ['bool2', 'bool3', 'bool4', 'multi', 'str2', 'str4']);
});

test('flag parser: `--` stops flag parsing', () => {
  const flags = createFlagParser(['--a=1', '--', '--unknown']);
  const a = flags.string('a');
  flags.parse();
  assert.equal(a.value, '1');
});

test('flag parser: errors have BuildKit wording', () => {
  const cases: [string[], (f: ReturnType<typeof createFlagParser>) => void, string][] = [
    [['--str1'], (f) => f.string('str1'), 'missing a value on flag: --str1'],
    [['--multi'], (f) => f.strings('multi'), 'missing a value on flag: --multi'],
    [['--bool1='], (f) => f.bool('bool1'), 'missing a value on flag: --bool1'],
    [['--bool1=false1'], (f) => f.bool('bool1'), 'expecting boolean value for flag --bool1, not: false1'],
    [['--bool2'], (f) => f.bool('bool1'), 'unknown flag: --bool2 (did you mean bool1?)'],
    [['--zzzzzz'], (f) => f.bool('bool1'), 'unknown flag: --zzzzzz'],
    [['--s=1', '--s=2'], (f) => f.string('s'), 'duplicate flag specified: --s'],
    [['--b', '--b=false'], (f) => f.bool('b'), 'duplicate flag specified: --b'],
    [['-x'], () => undefined, 'arg should start with -- : -x'],
  ];
  for (const [words, declare, message] of cases) {
    const flags = createFlagParser(words);
    declare(flags);
    const err = errorOf(() => flags.parse());
    assert.equal(err.message, message, words.join(' '));
    assert.equal(err.code, 'DOCKERFILE_INSTRUCTION');
  }
});

test('unknown flags on instructions: suggestion among that instruction\'s flags, located', () => {
  expectParseError('FROM alpine\nCOPY --form=base a b\n', { message: 'unknown flag: --form (did you mean from?)', line: 2 });
  expectParseError('FROM alpine\nRUN --mout=type=cache,target=/x true\n', { message: 'unknown flag: --mout (did you mean mount?)', line: 2 });
  expectParseError('FROM alpine\nADD --from=x a b\n', { message: 'unknown flag: --from', line: 2 });
  expectParseError('FROM --platfrom=linux/amd64 alpine\n', { message: 'unknown flag: --platfrom (did you mean platform?)', line: 1 });
  expectParseError('FROM alpine\nHEALTHCHECK --intervl=5s CMD true\n', {
    message: 'unknown flag: --intervl (did you mean interval?)',
    line: 2,
  });
});

test('instructions without flags reject any flag', () => {
  const cases: [string, number][] = [
    ['ENV --x A=1', 2],
    ['LABEL --x a=b', 2],
    ['MAINTAINER --x joe@example.com', 2],
    ['WORKDIR --x /a', 2],
    ['USER --x root', 2],
    ['EXPOSE --x 80', 2],
    ['VOLUME --x /v', 2],
    ['CMD --x true', 2],
    ['ENTRYPOINT --x true', 2],
    ['SHELL --x ["sh"]', 2],
    ['ONBUILD --x RUN true', 2],
  ];
  for (const [line, n] of cases) {
    expectParseError(`FROM alpine\n${line}\n`, { message: 'unknown flag: --x', line: n });
  }
});

test('ARG, STOPSIGNAL and HEALTHCHECK NONE ignore their flags, as BuildKit never parses them', () => {
  assert.deepEqual(parseAs('arg', 'ARG --x=1 A=b').args, [{ key: 'A', value: 'b' }]);
  assert.equal(parseAs('stopsignal', 'STOPSIGNAL --x SIGKILL').signal, 'SIGKILL');
  assert.deepEqual(parseAs('healthcheck', 'HEALTHCHECK --bogus NONE').health.test, ['NONE']);
});

test('COPY flags: --from, --chown, --chmod, --link, --parents, repeated --exclude', () => {
  const copy = parseAs('copy', 'COPY --from=build --chown=1000:1000 --chmod=0755 --link --parents --exclude=*.md --exclude=tmp a b /dst/');
  assert.equal(copy.from, 'build');
  assert.equal(copy.chown, '1000:1000');
  assert.equal(copy.chmod, '0755');
  assert.equal(copy.link, true);
  assert.equal(copy.parents, true);
  assert.deepEqual(copy.excludes, ['*.md', 'tmp']);
  assert.deepEqual(copy.sources, ['a', 'b']);
  assert.equal(copy.dest, '/dst/');
  const plain = parseAs('copy', 'COPY --link=false a b');
  assert.equal(plain.from, '');
  assert.equal(plain.chown, '');
  assert.equal(plain.link, false);
  assert.equal(plain.parents, false);
  assert.deepEqual(plain.excludes, []);
});

test('ADD flags: --checksum, --keep-git-dir and --unpack (tri-state), --chown, --chmod, --link, --exclude', () => {
  const add = parseAs(
    'add',
    'ADD --checksum=sha256:abc --keep-git-dir --unpack=false --chown=u --chmod=600 --link --exclude=x https://e.com/a.tar /d',
  );
  assert.equal(add.checksum, 'sha256:abc');
  assert.equal(add.keepGitDir, true);
  assert.equal(add.unpack, false);
  assert.equal(add.chown, 'u');
  assert.equal(add.chmod, '600');
  assert.equal(add.link, true);
  assert.deepEqual(add.excludes, ['x']);
  const plain = parseAs('add', 'ADD a /d');
  assert.equal('keepGitDir' in plain, false);
  assert.equal('unpack' in plain, false);
  assert.equal(plain.checksum, '');
  expectParseError('FROM a\nCOPY --checksum=sha256:x a b\n', { message: 'unknown flag: --checksum', line: 2 });
  expectParseError('FROM a\nCOPY --unpack a b\n', { message: 'unknown flag: --unpack', line: 2 });
});

test('FROM --platform is kept as written (expanded later)', () => {
  const from = parseAs('from', 'FROM --platform=$BUILDPLATFORM golang AS build');
  assert.equal(from.platform, '$BUILDPLATFORM');
  assert.equal(parseAs('from', 'FROM alpine').platform, '');
});

test('RUN flags are recorded as used, sorted', () => {
  const run = parseOne('RUN --network=none --mount=type=tmpfs,target=/t --security=insecure true');
  assert.equal(run.kind, 'run');
  if (run.kind === 'run') assert.deepEqual(run.flagsUsed, ['mount', 'network', 'security']);
});
