// Push and pull of a 240 MB image (the build benchmark's large context copied onto the fixture
// base) to and from a local registry (Debian's docker-registry, distribution 2.8, on 127.0.0.1),
// against `docker push` / `docker pull` of the same build when Docker is installed, in one run.
// Each push goes to a new repository (so every layer is sent); each pull goes into a store that
// holds only the base image (as Docker's, whose pushed image is removed first). Docker's pull
// ends with its layers unpacked; lade's leaves them to the first run, so "pull, then run" is
// measured too.
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
      console.log(`${label.padEnd(30)} lade ${ladeMs.toFixed(0).padStart(6)} ms${dockerMs === undefined ? '' : `  docker ${dockerMs.toFixed(0).padStart(6)} ms`}${ratio}   (runs: lade ${all(lade)}${docker === undefined ? '' : `, docker ${all(docker)}`})`);
    };

    const ladePush: number[] = [];
    const ladePull: number[] = [];
    const ladePullRun: number[] = [];
    const dockerPush: number[] = [];
    const dockerPull: number[] = [];
    const dockerPullRun: number[] = [];
    // Before each pull: the page cache dropped (see dropCaches), then what both tools read alike
    // read back: the registry's blobs and each tool's programs (dockerd stays resident).
    const beforePull = (dataDir: string) => {
      dropCaches([dataDir]);
      run(lade, ['--version']);
      if (docker !== undefined) dk(['version']);
    };
    // lade and Docker take turns, so that whatever drifts on the machine meets both alike.
    for (let i = 0; i < runs; i++) {
      // A registry of its own per push: nothing of an earlier push is there to skip or mount.
      settle();
      const registry = await startRegistry(fakeTest);
      const name = `${registry.host}/bench/lade-${i}:v1`;
      run(lade, ['--root', root, 'tag', 'bench-image', name]);
      ladePush.push(run(lade, ['--root', root, 'push', name]));
      const fresh = join(work, `pull-root-${i}`);
      run(lade, ['--root', fresh, 'load', '-i', baseTar]);
      beforePull(registry.dataDir);
      ladePull.push(run(lade, ['--root', fresh, 'pull', name]));
      ladePullRun.push(ladePull.at(-1)! + run(lade, ['--root', fresh, 'run', '--rm', name, 'true']));
      rmSync(fresh, { recursive: true, force: true });
      if (docker === undefined) continue;

      settle();
      const dockerRegistry = await startRegistry(fakeTest);
      const dockerName = `${dockerRegistry.host}/bench/docker-${i}:v1`;
      dk(['tag', 'bench-image', dockerName]);
      dockerPush.push(dk(['push', dockerName]));
      // The pushed image and every name of it go, so its layers go too; the base image stays,
      // as in lade's pull store.
      const id = execFileSync('/usr/bin/docker', ['-H', docker.host, 'image', 'inspect', '--format', '{{.Id}}', dockerName], { encoding: 'utf8' }).trim();
      dk(['rmi', '-f', id]);
      beforePull(dockerRegistry.dataDir);
      dockerPull.push(dk(['pull', dockerName]));
      dockerPullRun.push(dockerPull.at(-1)! + dk(['run', '--rm', '--network', 'none', dockerName, 'true']));
      dk(['tag', dockerName, 'bench-image']);
    }
    const withDocker = (xs: number[]) => (docker === undefined ? undefined : xs);
    report('push 240 MB image', ladePush, withDocker(dockerPush));
    report('pull 240 MB image', ladePull, withDocker(dockerPull));
    report('pull, then run it', ladePullRun, withDocker(dockerPullRun));
  } finally {
    docker?.stop();
    for (const fn of cleanups.reverse()) await fn();
    // dockerd needs a moment to let go of its mounts.
    await new Promise((r) => setTimeout(r, 2000));
    scratch.close();
  }
}

await main();
