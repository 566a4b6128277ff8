// The environment as the Docker CLI and daemon build it: docker/cli pkg/kvfile and opts/env.go,
// moby daemon/commit.go merge(), daemon/container/env.go ReplaceOrAppendEnvValues,
// Container.CreateDaemonEnvironment, and runc libcontainer/env.go prepareEnv (dedup, HOME).
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../../src/errors/index.js';
import {
  DEFAULT_PATH_ENV,
  daemonEnvironment,
  finalizeEnv,
  mergeImageEnv,
  parseEnvFile,
  parseEnvFlag,
  replaceOrAppendEnv,
  userEnvironment,
} from '../../../src/executor/index.js';

const host: Record<string, string> = { HOST_VAR: 'from-host', EMPTY: '' };
const lookup = (k: string): string | undefined => host[k];

test("env-file: Docker's format, taken literally", () => {
  const text = '\ufeffA=1\n# comment\n\n   B=two words  \nC="quoted"\nD=\nHOST_VAR\nUNSET_VAR\nEMPTY\n\t# indented comment\nE=x=y\r\nF=$HOME\n';
  assert.deepEqual(parseEnvFile(text, 'vars.env', lookup), [
    'A=1', 'B=two words  ', 'C="quoted"', 'D=', 'HOST_VAR=from-host', 'EMPTY=', 'E=x=y', 'F=$HOME',
  ]);
  assert.deepEqual(parseEnvFile('', 'x', lookup), []);
  assert.deepEqual(parseEnvFile('LAST=no-newline', 'x', lookup), ['LAST=no-newline']);
});

test('env-file errors name the file and line', () => {
  const check = (text: string, message: string, line: number): void => {
    assert.throws(
      () => parseEnvFile(text, 'bad.env', lookup),
      (e: unknown) => e instanceof LadeError && e.code === 'USAGE' && e.message === message && e.location?.file === 'bad.env' && e.location.line === line,
    );
  };
  check('A=1\nMY VAR=x\n', "invalid env file (bad.env): variable 'MY VAR' contains whitespaces", 2);
  check('A=1\n\nB\t=x\n', "invalid env file (bad.env): variable 'B\t' contains whitespaces", 3);
  check('=value\n', "invalid env file (bad.env): no variable name on line '=value'", 1);
});

test('-e: KEY=VALUE as given; KEY from the environment, or kept bare (an unset)', () => {
  assert.equal(parseEnvFlag('A=1', lookup), 'A=1');
  assert.equal(parseEnvFlag('A=', lookup), 'A=');
  assert.equal(parseEnvFlag('HOST_VAR', lookup), 'HOST_VAR=from-host');
  assert.equal(parseEnvFlag('EMPTY', lookup), 'EMPTY=');
  assert.equal(parseEnvFlag('NOPE', lookup), 'NOPE');
  assert.throws(() => parseEnvFlag('=x', lookup), /invalid environment variable: =x/);
  assert.throws(() => parseEnvFlag('', lookup), /invalid environment variable: /);
});

test('files first, then flags', () => {
  const files = [{ file: 'a.env', text: 'A=file\nB=file\n' }, { file: 'b.env', text: 'C=file2\n' }];
  assert.deepEqual(userEnvironment(files, ['A=flag', 'HOST_VAR'], lookup), ['A=file', 'B=file', 'C=file2', 'A=flag', 'HOST_VAR=from-host']);
});

test('merge with the image: user variables first, then image ones not mentioned', () => {
  assert.deepEqual(mergeImageEnv([], ['PATH=/img', 'X=1']), ['PATH=/img', 'X=1']);
  assert.deepEqual(mergeImageEnv(['X=user', 'Y=2'], ['PATH=/img', 'X=1', 'Z=3']), ['X=user', 'Y=2', 'PATH=/img', 'Z=3']);
  // A bare name (unset -e) hides the image's value.
  assert.deepEqual(mergeImageEnv(['X'], ['X=1', 'Z=3']), ['X', 'Z=3']);
});

test('ReplaceOrAppendEnvValues: replace in place, append, bare name removes a default', () => {
  assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
  assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2'], ['A']), ['B=2']);
  assert.deepEqual(replaceOrAppendEnv(['A=1'], ['Q']), ['A=1'], 'a bare name that is not a default does nothing');
  // Only the defaults are indexed: a name given twice is appended twice (runc keeps the last).
  assert.deepEqual(replaceOrAppendEnv(['A=1'], ['C=1', 'C=2']), ['A=1', 'C=1', 'C=2']);
});

test('the daemon environment: PATH, HOSTNAME, TERM with -t, then the container\'s', () => {
  assert.deepEqual(daemonEnvironment([], 'abc', false), [`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=abc']);
  assert.deepEqual(daemonEnvironment(['FOO=1'], 'abc', true), [`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=abc', 'TERM=xterm', 'FOO=1']);
  assert.deepEqual(daemonEnvironment(['PATH=/bin', 'TERM=dumb', 'HOSTNAME=mine'], 'abc', true), ['PATH=/bin', 'HOSTNAME=mine', 'TERM=dumb']);
  assert.deepEqual(daemonEnvironment(['PATH'], 'abc', false), ['HOSTNAME=abc'], 'an unset PATH removes the default');
});

test('finalizeEnv: the last of duplicates where it stands, HOME added unless set non-empty', () => {
  assert.deepEqual(finalizeEnv(['A=1', 'B=2', 'A=3'], '/root'), ['B=2', 'A=3', 'HOME=/root']);
  assert.deepEqual(finalizeEnv(['HOME=/custom', 'X=1'], '/root'), ['HOME=/custom', 'X=1']);
  assert.deepEqual(finalizeEnv(['HOME=', 'X=1'], '/home/a'), ['X=1', 'HOME=/home/a']);
});
