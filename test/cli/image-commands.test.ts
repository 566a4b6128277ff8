// The image commands as users meet them: the real bin/lade, Docker's output formats.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lade as run } from '../helpers/lade-cli.js';
import { sampleRootfs, tempDir } from '../helpers/tar-fixtures.js';
import { fixturesDir } from '../helpers/paths.js';

function session() {
  const root = tempDir('lade-cli-img-');
  const dir = tempDir('lade-cli-files-');
  const lade = (...args: string[]) => run(['--root', root, ...args]);
  return { root, dir, lade };
}

async function rootfsFile(dir: string, marker = 'v1'): Promise<string> {
  const path = join(dir, `rootfs-${marker}.tar`);
  writeFileSync(path, await sampleRootfs(marker));
  return path;
}

describe('import, images, tag, rmi', () => {
  test('import prints the image ID; images lists it in Docker\'s table', async () => {
    const { dir, lade } = session();
    const imported = lade('import', await rootfsFile(dir), 'example/app:1');
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /^sha256:[a-f0-9]{64}\n$/);
    const id = imported.stdout.trim().slice(7, 19);
    const images = lade('images').stdout.split('\n');
    // Column widths follow the longest cell (tabwriter, padding 3, minimum 10): CREATED varies
    // with the clock, so only the fixed columns are pinned.
    assert.match(images[0]!, /^REPOSITORY {4}TAG {7}IMAGE ID {7}CREATED +SIZE$/);
    assert.match(images[1]!, new RegExp(`^example/app {3}1 {9}${id} {3}(Less than a second|\\d+ seconds?) ago +\\d+B$`));
    assert.equal(images.length, 3);
    assert.equal(lade('image', 'ls', '-q').stdout, `${id}\n`);
    assert.equal(lade('images', '--format', '{{.Repository}}:{{.Tag}}').stdout, 'example/app:1\n');
  });

  test('tag, then rmi untags first and deletes with the last name', async () => {
    const { dir, lade } = session();
    const id = lade('import', await rootfsFile(dir), 'a:1').stdout.trim();
    assert.equal(lade('tag', 'a:1', 'registry.example:5000/team/b:2').status, 0);
    assert.equal(lade('images', '--format', '{{.Repository}}:{{.Tag}}').stdout, 'a:1\nregistry.example:5000/team/b:2\n');
    const byId = lade('rmi', id.slice(7, 19));
    assert.equal(byId.status, 1);
    assert.match(byId.stderr, /unable to delete [a-f0-9]{12} \(must be forced\) - image is referenced in multiple repositories/);
    assert.equal(lade('rmi', 'a:1').stdout, 'Untagged: a:1\n');
    assert.equal(lade('rmi', 'registry.example:5000/team/b:2').stdout, `Untagged: registry.example:5000/team/b:2\nDeleted: ${id}\n`);
    assert.equal(lade('images', '-q').stdout, '');
  });

  test('unknown names are Docker\'s "No such image", exit 1', () => {
    const { lade } = session();
    for (const args of [['rmi', 'nope'], ['image', 'inspect', 'nope'], ['history', 'nope'], ['tag', 'nope', 'x'], ['save', '-o', '/dev/null', 'nope']]) {
      const r = lade(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /No such image: nope/, args.join(' '));
    }
  });

  test('import --change and --message set the config and history', async () => {
    const { dir, lade } = session();
    lade('import', '-c', 'CMD ["/bin/tool"]', '-c', 'ENV MODE=prod', '-c', 'EXPOSE 8080', '-c', 'WORKDIR /srv', '-m', 'from CI', await rootfsFile(dir), 'x');
    const inspect = JSON.parse(lade('image', 'inspect', 'x').stdout) as { Comment: string; Config: Record<string, unknown> }[];
    assert.equal(inspect[0]?.Comment, 'from CI');
    assert.deepEqual(inspect[0]?.Config['Cmd'], ['/bin/tool']);
    assert.deepEqual(inspect[0]?.Config['Env'], ['MODE=prod']);
    assert.deepEqual(inspect[0]?.Config['ExposedPorts'], { '8080/tcp': {} });
    assert.equal(inspect[0]?.Config['WorkingDir'], '/srv');
    const history = lade('history', 'x').stdout.split('\n');
    assert.match(history[0]!, /^IMAGE {10}CREATED +CREATED BY {3}SIZE {6}COMMENT$/);
    assert.match(history[1]!, /^[a-f0-9]{12} {3}(Less than a second|\d+ seconds?) ago +32B {7}from CI$/);
    const bad = lade('import', '-c', 'RUN true', await rootfsFile(dir, 'v2'));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /RUN is not a valid change command/);
  });
});

describe('inspect', () => {
  test('Docker\'s fields in Docker\'s order, and --format', async () => {
    const { dir, lade } = session();
    const id = lade('import', await rootfsFile(dir), 'example/i:1').stdout.trim();
    const text = lade('image', 'inspect', 'example/i:1').stdout;
    const keys = [...text.matchAll(/^ {8}"([A-Za-z]+)":/gm)].map((m) => m[1]);
    assert.deepEqual(keys, ['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'GraphDriver', 'RootFS', 'Metadata']);
    assert.equal(lade('image', 'inspect', '-f', '{{.Id}} {{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}', id).stdout, `${id} linux/amd64 1\n`);
    const partial = lade('image', 'inspect', 'example/i:1', 'missing');
    assert.equal(partial.status, 1);
    assert.equal((JSON.parse(partial.stdout) as unknown[]).length, 1);
  });
});

describe('save, load and prune', () => {
  test('save -o then load into another root restores the same image', async () => {
    const a = session();
    const b = session();
    const id = a.lade('import', await rootfsFile(a.dir), 'example/s:1').stdout.trim();
    const archive = join(a.dir, 'out.tar');
    assert.equal(a.lade('save', '-o', archive, 'example/s:1').status, 0);
    const loaded = b.lade('load', '-i', archive);
    assert.equal(loaded.stdout, 'Loaded image: example/s:1\n');
    assert.equal(b.lade('image', 'inspect', '-f', '{{.Id}}', 'example/s:1').stdout, `${id}\n`);
    // By ID the image is saved without a name, and loads as Docker reports it.
    const c = session();
    a.lade('save', '-o', join(a.dir, 'byid.tar'), id);
    assert.equal(c.lade('load', '-i', join(a.dir, 'byid.tar')).stdout, `Loaded image ID: ${id}\n`);
  });

  test('load reads standard input and a Docker 20.10 archive', () => {
    const { lade } = session();
    const r = run(['--root', tempDir('lade-cli-img-'), 'load'], { input: Buffer.from(require_fixture()) });
    assert.equal(r.stdout, 'Loaded image: lade-fixture/base:1\nLoaded image: lade-fixture/app:latest\n');
    void lade;
  });

  test('a failed save leaves no file behind', () => {
    const { dir, lade } = session();
    const out = join(dir, 'never.tar');
    assert.equal(lade('save', '-o', out, 'nope').status, 1);
    assert.equal(run(['--root', dir, 'debug', 'parse', out]).stderr.includes('no such file'), true);
  });

  test('image prune removes dangling images and unreferenced blobs', async () => {
    const { dir, lade } = session();
    lade('import', await rootfsFile(dir, 'v1'), 'keep:1');
    lade('import', await rootfsFile(dir, 'v2'), 'gone:1');
    lade('rmi', 'gone:1');
    lade('import', await rootfsFile(dir, 'v3'));
    const pruned = lade('image', 'prune', '-f');
    assert.match(pruned.stdout, /^Deleted Images:\ndeleted: sha256:[a-f0-9]{64}\n\nTotal reclaimed space: \d+(\.\d+)?k?B\n$/);
    assert.equal(lade('images', '--format', '{{.Repository}}').stdout, 'keep\n');
    const none = lade('image', 'prune', '-f');
    assert.equal(none.stdout, 'Total reclaimed space: 0B\n');
    // Without -f and without a yes on stdin, nothing happens.
    assert.match(lade('image', 'prune', '-a').stdout, /WARNING! This will remove all images without at least one container associated to them\.\nAre you sure you want to continue\? \[y\/N\] $/);
    assert.equal(lade('images', '-q').stdout.trim().length, 12);
  });
});

function require_fixture(): Buffer {
  return readFixture(join(fixturesDir, 'docker-archive', 'two-images.tar'));
}

import { readFileSync as readFixture } from 'node:fs';

describe('filters', () => {
  test('images: reference selects tags, dangling, label, before and since select images', async () => {
    const { dir, lade } = session();
    lade('import', '-c', 'LABEL role=web', await rootfsFile(dir, 'v1'), 'web:1');
    lade('tag', 'web:1', 'registry.example/other:1');
    lade('import', await rootfsFile(dir, 'v2'), 'db:1');
    lade('import', await rootfsFile(dir, 'v3'));
    const names = (...args: string[]) => lade('images', '--format', '{{.Repository}}:{{.Tag}}', ...args).stdout.trim().split('\n').sort();
    assert.deepEqual(names('-f', 'reference=web*'), ['web:1']);
    assert.deepEqual(names('web'), ['web:1']);
    assert.deepEqual(names('-f', 'dangling=true'), ['<none>:<none>']);
    assert.deepEqual(names('-f', 'dangling=false'), ['db:1', 'registry.example/other:1', 'web:1']);
    assert.deepEqual(names('-f', 'label=role=web'), ['registry.example/other:1', 'web:1']);
    assert.deepEqual(names('-f', 'label=role=db'), ['']);
    // Imports made in this order: web (oldest), db, the dangling one (newest).
    assert.deepEqual(names('-f', 'since=web:1', '-f', 'dangling=false'), ['db:1']);
    assert.deepEqual(names('-f', 'before=db:1'), ['registry.example/other:1', 'web:1']);
    const bad = lade('images', '-f', 'colour=red');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid filter 'colour'/);
  });

  test('image prune --filter: label and until narrow what is removed', async () => {
    const { dir, lade } = session();
    lade('import', '-c', 'LABEL keep=yes', await rootfsFile(dir, 'v1'));
    lade('import', await rootfsFile(dir, 'v2'));
    assert.equal(lade('images', '-q').stdout.trim().split('\n').length, 2);
    // Nothing is older than a Unix time in 1970.
    assert.equal(lade('image', 'prune', '-f', '--filter', 'until=1').stdout, 'Total reclaimed space: 0B\n');
    assert.match(lade('image', 'prune', '-f', '--filter', 'label!=keep').stdout, /^Deleted Images:\ndeleted: sha256:/);
    const left = lade('images', '--format', '{{.ID}}').stdout.trim().split('\n');
    assert.equal(left.length, 1);
    assert.match(lade('image', 'inspect', '-f', '{{.Config.Labels.keep}}', left[0]!).stdout, /^yes\n$/);
  });
});
