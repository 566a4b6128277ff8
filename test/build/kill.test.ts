// A build killed (SIGKILL) at any moment leaves a store the next build uses: the rebuild
// succeeds with the same result, and the image and cache stores still read. As root.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/tar-fixtures.js';
import { baseStore } from './fixture-cases.js';

const store = baseStore();

function killedBuild(context: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lade'), '--root', store.root, 'build', '--no-cache', '--progress', 'plain', '-t', 'killed', context], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test('build: SIGKILL at any moment, then the rebuild succeeds and the stores read', async () => {
  const dir = tempDir('lade-build-kill-');
  mkdirSync(join(dir, 'src'));
  for (let i = 0; i < 200; i++) writeFileSync(join(dir, 'src', `f${i}`), `${i}\n`.repeat(2000));
  writeFileSync(
    join(dir, 'Dockerfile'),
    ['FROM lade-fixture/base:1', 'COPY src /src', 'RUN dd if=/dev/zero of=/zero bs=1M count=20 2>/dev/null && cat /src/* | wc -c > /count', 'COPY src /src2', ''].join('\n'),
  );
  const complete = store.run(['build', '-q', dir]);
  assert.equal(complete.status, 0, complete.stderr);
  for (const ms of [40, 120, 200, 300, 450, 600, 800, 1100]) {
    await killedBuild(dir, ms);
    const again = store.run(['build', '--progress', 'plain', '-t', `after-kill-${ms}`, dir]);
    assert.equal(again.status, 0, `rebuild after a kill at ${ms} ms:\n${again.stderr}`);
    const ran = store.run(['run', '--rm', `after-kill-${ms}`, 'cat', '/count']);
    assert.equal(ran.stdout, '1380000\n', ran.stderr);
  }
  // The last rebuilds removed what the killed builds left: no step snapshot, no scratch directory.
  const metadata = readFileSync(join(store.root, 'snapshots', 'overlay', 'metadata.json'), 'utf8');
  assert.doesNotMatch(metadata, /"build-(run|file|view)-/);
  assert.deepEqual(existsSync(join(store.root, 'tmp')) ? readdirSync(join(store.root, 'tmp')).filter((n) => n.startsWith('build-')) : [], []);
  const images = store.run(['images']);
  assert.equal(images.status, 0, images.stderr);
  assert.match(images.stdout, /after-kill-1100/);
});

function processesRunning(args: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() === args) n++;
    } catch {
      // Gone meanwhile.
    }
  }
  return n;
}

test('build: Ctrl-C stops the running step (its whole process tree) and the build says it was canceled', async () => {
  const dir = tempDir('lade-build-int-');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM lade-fixture/base:1\nRUN sleep 47 & echo $((40+7))-up; wait; echo never\n');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lade'), '--root', store.root, 'build', '--no-cache', '--progress', 'plain', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/ 47-up\n/.test(stderr)) resolve();
    });
  });
  assert.equal(processesRunning('sleep 47'), 1, 'the step is running');
  child.kill('SIGINT');
  assert.equal(await exited, 1);
  assert.match(stderr, /CANCELED/);
  assert.match(stderr, /build canceled/);
  assert.doesNotMatch(stderr, /#\d+ +[0-9.]+ never/, 'the step did not go on');
  assert.equal(processesRunning('sleep 47'), 0, 'nothing of the step is left running');
});
