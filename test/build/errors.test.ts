// How a failing build reads, through the real CLI as root: the failing step, the end of its
// output, the Dockerfile lines around it, the exit code — and never a stack trace.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/tar-fixtures.js';
import { baseStore } from './fixture-cases.js';

const store = baseStore();

function context(dockerfile: string, files: Record<string, string> = {}): string {
  const dir = tempDir('lade-build-err-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

test('build error: a failing RUN shows its line, its output tail and its exit code', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `echo line-${i}`).join('; ');
  const dir = context(`FROM lade-fixture/base:1\nENV X=1\nRUN ${lines}; echo to-stderr >&2; \\\n  exit 3\nRUN echo never > /never\n`);
  const r = store.run(['build', '--progress', 'plain', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /exit code: 3/);
  assert.match(r.stderr, /Dockerfile:3-4\n-+\n.*\n.*\n 3 \| >>> RUN echo line-0/);
  assert.match(r.stderr, / 4 \| >>>   exit 3\n 5 \|     RUN echo never/);
  assert.match(r.stderr, /------\n > \[2\/3\] RUN echo line-0[^\n]*:\n(line-2\d\n)+to-stderr\n------/, 'the end of the output, stdout and stderr');
  assert.match(r.stderr, /#\d+ +[0-9.]+ line-0\n/, 'plain progress shows every line');
  assert.doesNotMatch(r.stderr, /#\d+ \[3\/3\] RUN echo never/, 'nothing after the failing step runs');
  assert.doesNotMatch(r.stderr, /    at /);
});

test('build error: a base image neither in the store nor pullable is named, with what to do', () => {
  // .invalid never resolves (RFC 2606), with or without a network: the pull fails at once.
  const r = store.run(['build', '-q', context('FROM registry.invalid/nosuch/image:1\nRUN true\n')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^Dockerfile:1: registry\.invalid\/nosuch\/image:1: resolving the base image failed: cannot reach the registry registry\.invalid/m);
  assert.match(r.stderr, /lade load/);
  assert.doesNotMatch(r.stderr, /    at /);
});

test('build error: a COPY source missing from the context, and one excluded by .dockerignore', () => {
  const r = store.run(['build', '-q', context('FROM lade-fixture/base:1\nCOPY missing.txt /\n')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^Dockerfile:2: .*missing\.txt.*not found/m);
  const ignored = store.run(['build', '-q', context('FROM lade-fixture/base:1\nCOPY secret.txt /\n', { 'secret.txt': 's', '.dockerignore': 'secret.txt\n' })]);
  assert.equal(ignored.status, 1);
  assert.match(ignored.stderr, /secret\.txt.*not found/);
});

test('build error: FROM --platform and --platform other than linux/amd64 are refused; linux/amd64 and $BUILDPLATFORM build', () => {
  const arm = store.run(['build', '-q', context('FROM lade-fixture/base:1\nRUN true\nFROM --platform=linux/arm64 lade-fixture/base:1\n')]);
  assert.equal(arm.status, 1);
  assert.match(arm.stderr, /^Dockerfile:3: FROM --platform=linux\/arm64: lade builds linux\/amd64 images only/m);
  const flag = store.run(['build', '-q', '--platform', 'linux/arm64', context('FROM lade-fixture/base:1\n')]);
  assert.equal(flag.status, 1);
  assert.match(flag.stderr, /unsupported platform "linux\/arm64"/);
  for (const from of ['FROM --platform=linux/amd64 lade-fixture/base:1', 'FROM --platform=$BUILDPLATFORM lade-fixture/base:1']) {
    const ok = store.run(['build', '-q', '--platform', 'linux/amd64', context(`${from}\nRUN true\n`)]);
    assert.equal(ok.status, 0, ok.stderr);
  }
});

test('build: --iidfile gets the image ID, --label sets labels, --target picks the stage', () => {
  const dir = context('FROM lade-fixture/base:1 AS one\nRUN echo one > /one\nFROM lade-fixture/base:1 AS two\nRUN echo two > /two\n');
  const iid = join(dir, 'iid');
  const r = store.run(['build', '-q', '--iidfile', iid, '--label', 'a=b', '--label', 'c=d e', '--target', 'one', '-t', 'targeted', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(iid, 'utf8'), r.stdout.trim());
  const labels = store.run(['image', 'inspect', '-f', '{{json .Config.Labels}}', 'targeted']);
  assert.deepEqual(JSON.parse(labels.stdout), { a: 'b', c: 'd e' });
  assert.equal(store.run(['run', '--rm', 'targeted', 'cat', '/one']).stdout, 'one\n');
});

test('build: a terminal gets the live view (header, steps with their state, CACHED on a rebuild)', () => {
  const dir = context('FROM lade-fixture/base:1\nRUN echo from-the-step && sleep 0.3\n');
  const lade = `'${process.execPath}' '${join(repoRoot, 'bin', 'lade')}' --root '${store.root}'`;
  const tty = (args: string) => spawnSync('script', ['-qec', `stty cols 120; ${lade} build ${args} '${dir}'`, '/dev/null'], { encoding: 'utf8' });
  const first = tty('');
  assert.equal(first.status, 0, first.stdout);
  assert.match(first.stdout, /\[\+\] Building [0-9.]+s \(\d+\/\d+\) FINISHED/);
  assert.match(first.stdout, / => \[2\/2\] RUN echo from-the-step && sleep 0\.3 +[0-9.]+s/);
  assert.match(first.stdout, /\x1b\[\d+A/, 'the view is redrawn in place');
  const again = tty('');
  assert.match(again.stdout, / => \[2\/2\] RUN echo from-the-step && sleep 0\.3 +CACHED/);
});

test('build error: a user --chown names that the image lacks', () => {
  const r = store.run(['build', '-q', context('FROM lade-fixture/base:1\nCOPY --chown=nobody-here a /a\n', { a: 'a' })]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^Dockerfile:2: .*no such user: nobody-here/m);
});

test('build: -f - reads the Dockerfile from stdin; a context of - is a tar on stdin; -q prints the ID only', () => {
  const dir = context('FROM lade-fixture/base:1\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy\n', { 'a.txt': 'from-tar\n' });
  const lade = `'${process.execPath}' '${join(repoRoot, 'bin', 'lade')}' --root '${store.root}'`;
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  const a = sh(`${lade} build -q -t stdin-file -f - '${dir}' < '${join(dir, 'Dockerfile')}'`);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(a.stderr, '');
  const b = sh(`tar -C '${dir}' -cf - . | ${lade} build -q -t stdin-tar -`);
  assert.equal(b.status, 0, b.stderr);
  for (const tag of ['stdin-file', 'stdin-tar']) {
    const out = sh(`${lade} run --rm ${tag} cat /copy`);
    assert.equal(out.stdout, 'from-tar\n', out.stderr);
  }
});
