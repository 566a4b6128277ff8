// `lade cp` and the other lifecycle commands not covered in run.test.ts, as root with the real CLI.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { before } from 'node:test';
import { busyboxImage, type BusyboxImage } from '../helpers/busybox-image.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/tar-fixtures.js';

let img: BusyboxImage;
before(() => {
  img = busyboxImage('busybox:cp');
});

test('cp out of a stopped container: files, directories, SRC/. and Docker\'s destination rules', () => {
  assert.equal(img.lade(['run', '--name', 'src1', img.name, 'sh', '-c', 'mkdir -p /data/sub && echo one > /data/a && echo two > /data/sub/b && ln -s a /data/link && chmod 640 /data/a']).status, 0);
  const out = tempDir('lade-cp-');
  // A file to a new name.
  assert.equal(img.lade(['cp', 'src1:/data/a', join(out, 'copy-of-a')]).status, 0);
  assert.equal(readFileSync(join(out, 'copy-of-a'), 'utf8'), 'one\n');
  assert.equal(statSync(join(out, 'copy-of-a')).mode & 0o777, 0o640);
  // A file into an existing directory keeps its name.
  mkdirSync(join(out, 'dir'));
  assert.equal(img.lade(['cp', 'src1:/data/a', join(out, 'dir')]).status, 0);
  assert.equal(readFileSync(join(out, 'dir', 'a'), 'utf8'), 'one\n');
  // A directory to a new name, and into an existing directory.
  assert.equal(img.lade(['cp', 'src1:/data', join(out, 'newdata')]).status, 0);
  assert.equal(readFileSync(join(out, 'newdata', 'sub', 'b'), 'utf8'), 'two\n');
  assert.equal(img.lade(['cp', 'src1:/data', join(out, 'dir')]).status, 0);
  assert.equal(readFileSync(join(out, 'dir', 'data', 'sub', 'b'), 'utf8'), 'two\n');
  // SRC/. copies the contents.
  mkdirSync(join(out, 'contents'));
  assert.equal(img.lade(['cp', 'src1:/data/.', join(out, 'contents')]).status, 0);
  assert.equal(readFileSync(join(out, 'contents', 'sub', 'b'), 'utf8'), 'two\n');
  // Symlinks are copied as links, or followed with -L.
  assert.equal(img.lade(['cp', 'src1:/data/link', join(out, 'l1')]).status, 0);
  assert.equal(spawnSync('readlink', [join(out, 'l1')], { encoding: 'utf8' }).stdout, 'a\n');
  assert.equal(img.lade(['cp', '-L', 'src1:/data/link', join(out, 'l2')]).status, 0);
  assert.equal(readFileSync(join(out, 'l2'), 'utf8'), 'one\n');
  // Errors: a missing source; a directory onto a file; a missing directory named with a slash.
  assert.notEqual(img.lade(['cp', 'src1:/nope', out]).status, 0);
  const dirOnFile = img.lade(['cp', 'src1:/data', join(out, 'copy-of-a')]);
  assert.notEqual(dirOnFile.status, 0);
  assert.match(dirOnFile.stderr, /cannot copy a directory to a file/);
  assert.match(img.lade(['cp', 'src1:/data/a', join(out, 'missing') + '/']).stderr, /no such directory/);
  // To standard output: a tar named by the source's base name.
  const tar = spawnSync(process.execPath, [join(repoRoot, 'bin', 'lade'), '--root', img.root, 'cp', 'src1:/data', '-']);
  assert.equal(tar.status, 0);
  const listing = spawnSync('tar', ['-tf', '-'], { input: tar.stdout, encoding: 'utf8' }).stdout.trim().split('\n').sort();
  assert.deepEqual(listing, ['data/', 'data/a', 'data/link', 'data/sub/', 'data/sub/b']);
  assert.equal(img.lade(['rm', 'src1']).status, 0);
});

test('cp into a container: root-owned unless -a, never outside its root through its symlinks', () => {
  assert.equal(img.lade(['create', '--name', 'dst1', img.name, 'sh', '-c', 'ls -ln /in; cat /in/f; ls -la /tmp']).status, 0);
  const host = tempDir('lade-cpin-');
  mkdirSync(join(host, 'in'));
  writeFileSync(join(host, 'in', 'f'), 'from host\n');
  spawnSync('chown', ['-R', '1234:5678', join(host, 'in')]);
  assert.equal(img.lade(['cp', join(host, 'in'), 'dst1:/']).status, 0);
  const out = img.lade(['start', '-a', 'dst1']);
  assert.match(out.stdout, /-rw-r--r-- +1 0 +0 .* f\n/);
  assert.match(out.stdout, /from host/);
  assert.equal(img.lade(['cp', '-a', join(host, 'in', 'f'), 'dst1:/kept']).status, 0);
  const kept = img.lade(['cp', 'dst1:/kept', join(host, 'kept')]);
  assert.equal(kept.status, 0);
  // A link in the container pointing at / must not lead a copy into the host's root.
  assert.equal(img.lade(['run', '--name', 'evil', img.name, 'ln', '-s', '/', '/escape']).status, 0);
  const marker = `lade-cp-escape-${process.pid}`;
  writeFileSync(join(host, marker), 'x');
  assert.equal(img.lade(['cp', join(host, marker), 'evil:/escape/tmp/']).status, 0);
  assert.equal(existsSync(join('/tmp', marker)), false, 'the copy stayed inside the container');
  assert.equal(img.lade(['cp', `evil:/tmp/${marker}`, join(host, 'back')]).status, 0);
  assert.equal(img.lade(['rm', 'dst1', 'evil']).status, 0);
});

test('cp from a running container sees its volumes; cp - extracts a tar into a directory', () => {
  const vol = tempDir('lade-cpvol-');
  writeFileSync(join(vol, 'v'), 'volume file\n');
  assert.equal(img.lade(['run', '-d', '--name', 'live', '-v', `${vol}:/vol`, img.name, 'sleep', '1000']).status, 0);
  const out = tempDir('lade-cpout-');
  assert.equal(img.lade(['cp', 'live:/vol/v', join(out, 'v')]).status, 0);
  assert.equal(readFileSync(join(out, 'v'), 'utf8'), 'volume file\n');
  // A running container's root is /proc/PID/root; nothing may land in the host's own /tmp.
  const name = `lade-cp-${process.pid}`;
  const src = tempDir('lade-cptar-');
  writeFileSync(join(src, name), 'tarred\n');
  symlinkSync(name, join(src, `${name}-link`));
  const tar = spawnSync('tar', ['-C', src, '-cf', '-', name, `${name}-link`]).stdout;
  assert.equal(img.lade(['cp', '-', 'live:/tmp'], { input: tar }).status, 0);
  assert.equal(img.lade(['exec', 'live', 'cat', `/tmp/${name}-link`]).stdout, 'tarred\n');
  assert.equal(img.lade(['exec', 'live', 'ln', '-s', '/', '/escape']).status, 0);
  assert.equal(img.lade(['cp', join(src, name), `live:/escape/tmp/${name}.2`]).status, 0);
  assert.equal(img.lade(['exec', 'live', 'cat', `/tmp/${name}.2`]).stdout, 'tarred\n');
  for (const leaked of [name, `${name}-link`, `${name}.2`]) assert.equal(existsSync(join('/tmp', leaked)), false, `${leaked} reached the host`);
  assert.equal(img.lade(['rm', '-f', 'live']).status, 0);
});

test('logs -f follows a running container to its end; restart runs it again', async () => {
  assert.equal(img.lade(['run', '-d', '--name', 'talker', img.name, 'sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done']).status, 0);
  const follow = spawn(process.execPath, [join(repoRoot, 'bin', 'lade'), '--root', img.root, 'logs', '-f', 'talker'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  follow.stdout.on('data', (d: Buffer) => (text += d.toString()));
  const status = await new Promise<number | null>((resolve) => follow.on('exit', resolve));
  assert.equal(status, 0);
  assert.equal(text, 'line 1\nline 2\nline 3\n');
  assert.equal(img.lade(['logs', '--tail', '1', 'talker']).stdout, 'line 3\n');
  assert.equal(img.lade(['restart', 'talker']).status, 0);
  assert.equal(img.lade(['wait', 'talker']).stdout, '0\n');
  assert.equal(img.lade(['logs', 'talker']).stdout, 'line 1\nline 2\nline 3\n'.repeat(2));
  assert.equal(img.lade(['rm', 'talker']).status, 0);
});

test('the copy snapshotter (LADE_SNAPSHOTTER=copy) runs containers and commits their changes as well', () => {
  const copy = busyboxImage('busybox:copy');
  const env = { LADE_SNAPSHOTTER: 'copy' };
  const r = copy.lade(['run', '--name', 'c1', copy.name, 'sh', '-c', 'echo hi > /hi; rm /etc/passwd; cat /hi'], { env });
  assert.equal(r.stdout, 'hi\n', r.stderr);
  assert.equal(copy.lade(['inspect', '--format', '{{.Driver}}', 'c1'], { env }).stdout, 'copy\n');
  assert.equal(copy.lade(['commit', 'c1', 'copied:1'], { env }).status, 0);
  const check = copy.lade(['run', '--rm', 'copied:1', 'sh', '-c', 'cat /hi; test -e /etc/passwd || echo no-passwd'], { env });
  assert.equal(check.stdout, 'hi\nno-passwd\n', check.stderr);
  assert.equal(copy.lade(['rm', 'c1'], { env }).status, 0);
});
