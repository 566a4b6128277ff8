// lade's archives against an independent implementation of the formats: skopeo (containers/image)
// reads lade save output both as an OCI layout and as a docker-archive, and writes OCI layouts and
// docker-archives that lade loads. CI installs skopeo (.ci/run); without it these tests fail.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lade as run } from '../helpers/lade-cli.js';
import { sampleRootfs, tempDir } from '../helpers/tar-fixtures.js';

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8' });
}

async function savedImage(): Promise<{ lade: (...a: string[]) => ReturnType<typeof run>; dir: string; archive: string; diffId: string }> {
  const root = tempDir('lade-oci-');
  const dir = tempDir('lade-oci-files-');
  const lade = (...args: string[]) => run(['--root', root, ...args]);
  writeFileSync(join(dir, 'rootfs.tar'), await sampleRootfs());
  lade('import', '-c', 'ENV A=1', join(dir, 'rootfs.tar'), 'example/oci:1');
  const archive = join(dir, 'saved.tar');
  assert.equal(lade('save', '-o', archive, 'example/oci:1').status, 0);
  const diffId = lade('image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', 'example/oci:1').stdout.trim();
  return { lade, dir, archive, diffId };
}

test('skopeo reads lade save output as an OCI layout and as a docker-archive', async () => {
  const { archive, diffId } = await savedImage();
  const oci = JSON.parse(skopeo('inspect', `oci-archive:${archive}`)) as { Layers: string[]; Env: string[]; Os: string };
  assert.deepEqual(oci.Layers, [diffId]);
  assert.deepEqual(oci.Env, ['A=1']);
  const docker = JSON.parse(skopeo('inspect', `docker-archive:${archive}`)) as { Layers: string[]; Architecture: string };
  assert.deepEqual(docker.Layers, [diffId]);
  assert.equal(docker.Architecture, 'amd64');
});

test('lade loads the OCI layout and the docker-archive skopeo writes from it', async () => {
  const { dir, archive, diffId } = await savedImage();
  const ociOut = join(dir, 'skopeo-oci.tar');
  skopeo('copy', '-q', `docker-archive:${archive}`, `oci-archive:${ociOut}:example/from-skopeo:2`);
  const dockerOut = join(dir, 'skopeo-docker.tar');
  skopeo('copy', '-q', `oci-archive:${archive}`, `docker-archive:${dockerOut}:example/from-skopeo:3`);
  for (const [file, transport, name] of [
    [ociOut, 'oci-archive', 'example/from-skopeo:2'],
    [dockerOut, 'docker-archive', 'example/from-skopeo:3'],
  ] as const) {
    // skopeo may rewrite the config on the way (media type conversion), so the image ID to expect
    // is the digest of the config it wrote.
    const config = execFileSync('skopeo', ['--insecure-policy', 'inspect', '--raw', '--config', `${transport}:${file}`]);
    const id = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    const root = tempDir('lade-oci-');
    const loaded = run(['--root', root, 'load', '-i', file]);
    assert.equal(loaded.status, 0, loaded.stderr);
    const inspect = run(['--root', root, 'image', 'inspect', '-f', '{{.Id}} {{index .RootFS.Layers 0}}', name]);
    assert.equal(inspect.stdout, `${id} ${diffId}\n`, `${file}: ${inspect.stderr}`);
  }
});
