// Push and pull of a 240 MB image (the build benchmark's large context copied onto the fixture
// base) to and from a local registry (Debian's docker-registry, distribution 2.8, on 127.0.0.1),
// against `docker push` / `docker pull` of the same build when Docker is installed, in one run.
// Each push goes to a new repository (so every layer is sent); each pull goes into a store that
// holds only the base image (as Docker's, whose pushed image is removed first). Docker's pull
// ends with its layers unpacked; lade's leaves them to the first run, so "pull, then run" is
// measured too.
// Goal (issue 6): at most a third of Docker's time.
// Run as root: node dist/bench/registry.js [--runs N] [--no-docker]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../test/helpers/registry.js';
import { median, settle, timed as run } from './measure.js';
import { startDocker } from './docker.js';
import { writeLargeProject } from './projects.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const lade = join(repo, 'bin', 'lade');
const work = join(tmpdir(), 'lade-bench-registry');



async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 3) || 3;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
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

    const rows: Array<[string, number, number | undefined]> = [];
    const report = (label: string, ladeMs: number, dockerMs: number | undefined) => {
      rows.push([label, ladeMs, dockerMs]);
      const ratio = dockerMs === undefined ? '' : `  ratio ${(ladeMs / dockerMs).toFixed(2)}`;
      console.log(`${label.padEnd(30)} lade ${ladeMs.toFixed(0).padStart(6)} ms${dockerMs === undefined ? '' : `  docker ${dockerMs.toFixed(0).padStart(6)} ms`}${ratio}`);
    };

    const ladePush: number[] = [];
    const ladePull: number[] = [];
    const ladePullRun: number[] = [];
    settle();
    for (let i = 0; i < runs; i++) {
      // A registry of its own per push: nothing of an earlier push is there to skip or mount.
      const registry = await startRegistry(fakeTest);
      const name = `${registry.host}/bench/lade-${i}:v1`;
      run(lade, ['--root', root, 'tag', 'bench-image', name]);
      ladePush.push(run(lade, ['--root', root, 'push', name]));
      const fresh = join(work, `pull-root-${i}`);
      run(lade, ['--root', fresh, 'load', '-i', baseTar]);
      ladePull.push(run(lade, ['--root', fresh, 'pull', name]));
      ladePullRun.push(ladePull.at(-1)! + run(lade, ['--root', fresh, 'run', '--rm', name, 'true']));
      rmSync(fresh, { recursive: true, force: true });
    }
    let dockerPush: number[] | undefined;
    let dockerPull: number[] | undefined;
    let dockerPullRun: number[] | undefined;
    if (docker !== undefined) {
      dockerPush = [];
      dockerPull = [];
      dockerPullRun = [];
      settle();
      for (let i = 0; i < runs; i++) {
        const registry = await startRegistry(fakeTest);
        const name = `${registry.host}/bench/docker-${i}:v1`;
        dk(['tag', 'bench-image', name]);
        dockerPush.push(dk(['push', name]));
        // The pushed image and every name of it go, so its layers go too; the base image stays,
        // as in lade's pull store.
        const id = execFileSync('/usr/bin/docker', ['-H', docker.host, 'image', 'inspect', '--format', '{{.Id}}', name], { encoding: 'utf8' }).trim();
        dk(['rmi', '-f', id]);
        dockerPull.push(dk(['pull', name]));
        dockerPullRun.push(dockerPull.at(-1)! + dk(['run', '--rm', '--network', 'none', name, 'true']));
        dk(['tag', name, 'bench-image']);
      }
    }
    report('push 240 MB image', median(ladePush), dockerPush && median(dockerPush));
    report('pull 240 MB image', median(ladePull), dockerPull && median(dockerPull));
    report('pull, then run it', median(ladePullRun), dockerPullRun && median(dockerPullRun));
  } finally {
    docker?.stop();
    for (const fn of cleanups.reverse()) await fn();
  }
}

await main();
