// Push and pull of a 240 MB image (the build benchmark's large context copied onto the fixture
// base) to and from a local registry (Debian's docker-registry, distribution 2.8, on 127.0.0.1),
// against `docker push` / `docker pull` of the same build when Docker is installed, in one run.
// lade pushes with each --compression (gzip, its default and Docker's; zstd; none), each time
// from the image as built (a push keeps the compressed form, which "push again" measures).
// Each push goes to a new registry (so every layer is sent); each pull goes into a store that
// holds only the base image (as Docker's, whose pushed image is removed first). Both pulls
// unpack; "pull, then run" adds the first run.
// Goal (issue 6): at most a third of Docker's time.
// Both stores live on a fresh journaled ext4: see scratch-fs.ts for why.
// Run as root: node dist/bench/registry.js [--runs N] [--no-docker] [--in-place]
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../test/helpers/registry.js';
import { dropCaches, median, settle, timed as run } from './measure.js';
import { startDocker } from './docker.js';
import { writeLargeProject } from './projects.js';
import { scratchFs } from './scratch-fs.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const lade = join(repo, 'bin', 'lade');



async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 3) || 3;
  const scratch = scratchFs('lade-bench-registry');
  const work = scratch.dir;
  // The registries' storage stays where the harness puts it, as a remote registry's disk would
  // be elsewhere: a pull's syncfs must not flush what a push just sent.
  console.log(`stores on ${scratch.description}`);
  const cleanups: Array<() => unknown> = [];
  // The test harness's registry, with this process standing in for the test.
  const fakeTest = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;
  const docker = process.argv.includes('--no-docker') ? undefined : await startDocker(join(work, 'docker'));
  try {
    const baseTar = join(work, 'base.tar');
    execFileSync(process.execPath, [join(repo, 'test', 'fixtures', 'build', 'make-base.mjs'), baseTar]);
    const project = writeLargeProject(join(work, 'large'));
    const root = join(work, 'root');
    run(lade, ['--root', root, 'load', '-i', baseTar]);
    run(lade, ['--root', root, 'build', '-q', '-t', 'bench-image', project]);
    const dockerEnv = { ...process.env, DOCKER_BUILDKIT: '1' };
    const dk = (args: string[]) => run('/usr/bin/docker', ['-H', docker!.host, ...args], dockerEnv);
    if (docker !== undefined) {
      dk(['load', '-i', baseTar]);
      dk(['build', '--network', 'none', '-q', '-t', 'bench-image', project]);
      // BuildKit's cache holds the layers too, which would make every pull find them present.
      dk(['builder', 'prune', '-af']);
    }

    const report = (label: string, lade: number[], docker: number[] | undefined) => {
      const ladeMs = median(lade);
      const dockerMs = docker && median(docker);
      const ratio = dockerMs === undefined ? '' : `  ratio ${(ladeMs / dockerMs).toFixed(2)}`;
      const all = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');
      console.log(`${label.padEnd(36)} lade ${ladeMs.toFixed(0).padStart(6)} ms${dockerMs === undefined ? '' : `  docker ${dockerMs.toFixed(0).padStart(6)} ms`}${ratio}   (runs: lade ${all(lade)}${docker === undefined ? '' : `, docker ${all(docker)}`})`);
    };

    // The image as built, to bring back before each compressing push: a push records the
    // compressed form with the image, and the next push would reuse it.
    const imageTar = join(work, 'image.tar');
    run(lade, ['--root', root, 'save', '-o', imageTar, 'bench-image']);
    const fresh = () => {
      run(lade, ['--root', root, 'rmi', '-f', execFileSync(lade, ['--root', root, 'images', '-q', 'bench-image'], { encoding: 'utf8' }).trim()]);
      run(lade, ['--root', root, 'load', '-i', imageTar]);
    };
    // Before each pull: the page cache dropped (see dropCaches), then what both tools read alike
    // read back: the registry's blobs and each tool's programs (dockerd stays resident).
    const beforePull = (dataDir: string) => {
      dropCaches([dataDir]);
      run(lade, ['--version']);
      if (docker !== undefined) dk(['version']);
    };
    const modes = ['gzip', 'zstd', 'none'] as const;
    const times = new Map<string, number[]>();
    const add = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
    // lade (in each --compression) and Docker take turns, so that whatever drifts on the machine
    // meets all alike. Each push goes to a registry of its own: nothing is there to skip or mount.
    for (let i = 0; i < runs; i++) {
      for (const mode of modes) {
        if (mode !== 'none') fresh();
        settle();
        const registry = await startRegistry(fakeTest);
        const name = `${registry.host}/bench/lade-${mode}-${i}:v1`;
        run(lade, ['--root', root, 'tag', 'bench-image', name]);
        add(`push ${mode}`, run(lade, ['--root', root, 'push', '--compression', mode, name]));
        if (mode === 'gzip') {
          // The compressed form is kept with the image: a push elsewhere compresses nothing.
          const again = await startRegistry(fakeTest);
          const other = `${again.host}/bench/lade-again-${i}:v1`;
          run(lade, ['--root', root, 'tag', 'bench-image', other]);
          add('push again', run(lade, ['--root', root, 'push', other]));
        }
        const pullRoot = join(work, `pull-root-${mode}-${i}`);
        run(lade, ['--root', pullRoot, 'load', '-i', baseTar]);
        beforePull(registry.dataDir);
        const pulled = run(lade, ['--root', pullRoot, 'pull', name]);
        add(`pull ${mode}`, pulled);
        add(`pull+run ${mode}`, pulled + run(lade, ['--root', pullRoot, 'run', '--rm', name, 'true']));
        rmSync(pullRoot, { recursive: true, force: true });
      }
      if (docker === undefined) continue;

      settle();
      const registry = await startRegistry(fakeTest);
      const name = `${registry.host}/bench/docker-${i}:v1`;
      dk(['tag', 'bench-image', name]);
      add('docker push', dk(['push', name]));
      // The pushed image and every name of it go, so its layers go too; the base image stays,
      // as in lade's pull store.
      const id = execFileSync('/usr/bin/docker', ['-H', docker.host, 'image', 'inspect', '--format', '{{.Id}}', name], { encoding: 'utf8' }).trim();
      dk(['rmi', '-f', id]);
      beforePull(registry.dataDir);
      const pulled = dk(['pull', name]);
      add('docker pull', pulled);
      add('docker pull+run', pulled + dk(['run', '--rm', '--network', 'none', name, 'true']));
      dk(['tag', name, 'bench-image']);
    }
    const dockerOf = (key: string) => (docker === undefined ? undefined : times.get(`docker ${key}`));
    report('push (gzip, the default)', times.get('push gzip')!, dockerOf('push'));
    report('push again, another registry', times.get('push again')!, dockerOf('push'));
    report('push --compression zstd', times.get('push zstd')!, dockerOf('push'));
    report('push --compression none', times.get('push none')!, dockerOf('push'));
    report('pull (gzip)', times.get('pull gzip')!, dockerOf('pull'));
    report('pull (zstd)', times.get('pull zstd')!, dockerOf('pull'));
    report('pull (uncompressed)', times.get('pull none')!, dockerOf('pull'));
    report('pull, then run (gzip)', times.get('pull+run gzip')!, dockerOf('pull+run'));
  } finally {
    docker?.stop();
    for (const fn of cleanups.reverse()) await fn();
    // dockerd needs a moment to let go of its mounts.
    await new Promise((r) => setTimeout(r, 2000));
    scratch.close();
  }
}

await main();
