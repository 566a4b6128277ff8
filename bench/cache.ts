// The build cache through a registry (issue 7), on the build benchmark's large project (a
// 240 MB, 10,000-file context: FROM the fixture base, COPY . /app, one RUN), as CI meets it: every
// build starts in a fresh store holding only the base image.
//   cold build                 no cache at all (the store empty but for the base image)
//   cold build + cache export  the same with --cache-to type=registry,mode=max (a new repository
//                              each run, so every blob is sent)
//   full-hit rebuild           --cache-from that cache: nothing runs, the final image's layers
//                              are downloaded and unpacked
//   pull of the image          `lade pull` of the same image pushed by lade: what the full hit
//                              should cost little more than
//   inline full hit            the same through an inline cache: an image built with
//                              --cache-to type=inline and pushed, then --cache-from that image,
//                              against Docker 20.10's BuildKit doing the same
//                              (BUILDKIT_INLINE_CACHE=1, then --cache-from in a daemon that
//                              holds only the base image) when Docker is installed
// Goals: export adds under 20% to a cold build; a full-hit rebuild costs little more than the pull.
// Stores on a fresh journaled ext4 (see scratch-fs.ts); the page cache is dropped before each run
// that downloads. Run as root: node dist/bench/cache.js [--runs N] [--no-docker]
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../test/helpers/registry.js';
import { startDocker } from './docker.js';
import { dropCaches, median, settle, timed as run } from './measure.js';
import { writeLargeProject } from './projects.js';
import { scratchFs } from './scratch-fs.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const lade = join(repo, 'bin', 'lade');

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 3) || 3;
  const scratch = scratchFs('lade-bench-cache');
  const work = scratch.dir;
  console.log(`stores on ${scratch.description}`);
  const cleanups: Array<() => unknown> = [];
  const fakeTest = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;
  try {
    const baseTar = join(work, 'base.tar');
    execFileSync(process.execPath, [join(repo, 'test', 'fixtures', 'build', 'make-base.mjs'), baseTar]);
    const project = writeLargeProject(join(work, 'large'));
    const registry = await startRegistry(fakeTest);
    const docker = process.argv.includes('--no-docker') ? undefined : await startDocker(join(work, 'docker'));
    if (docker !== undefined) cleanups.push(() => docker.stop());
    const dockerEnv = { ...process.env, DOCKER_BUILDKIT: '1' };
    const dk = (args: string[]) => run('/usr/bin/docker', ['-H', docker!.host, ...args], dockerEnv);
    if (docker !== undefined) dk(['load', '-i', baseTar]);
    const times = new Map<string, number[]>();
    const add = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
    let n = 0;
    /** A fresh store with only the base image, as on a new CI machine. */
    const freshRoot = (): string => {
      const root = join(work, `root-${n++}`);
      run(lade, ['--root', root, 'load', '-i', baseTar]);
      return root;
    };
    const done = (root: string) => rmSync(root, { recursive: true, force: true });

    for (let i = 0; i < runs; i++) {
      settle();
      let root = freshRoot();
      dropCaches([project]);
      add('cold', run(lade, ['--root', root, 'build', '-q', '-t', 'bench', project]));
      done(root);

      settle();
      root = freshRoot();
      dropCaches([project]);
      const cacheRef = `${registry.host}/bench/cache-${i}:max`;
      add('cold+export', run(lade, ['--root', root, 'build', '-q', '-t', 'bench', '--cache-to', `type=registry,ref=${cacheRef},mode=max`, project]));
      const image = `${registry.host}/bench/image-${i}:v1`;
      run(lade, ['--root', root, 'tag', 'bench', image]);
      run(lade, ['--root', root, 'push', image]);
      done(root);

      settle();
      root = freshRoot();
      // A fresh checkout is in the page cache, as the registry's blobs are warm on its side.
      dropCaches([registry.dataDir, project]);
      add('full hit', run(lade, ['--root', root, 'build', '-q', '-t', 'bench', '--cache-from', cacheRef, project]));
      done(root);

      // Inline: the image carries the cache.
      settle();
      root = freshRoot();
      const inlineImage = `${registry.host}/bench/inline-${i}:v1`;
      run(lade, ['--root', root, 'build', '-q', '-t', inlineImage, '--cache-to', 'type=inline', project]);
      run(lade, ['--root', root, 'push', inlineImage]);
      done(root);
      settle();
      root = freshRoot();
      dropCaches([registry.dataDir, project]);
      add('inline hit', run(lade, ['--root', root, 'build', '-q', '-t', 'bench', '--cache-from', inlineImage, project]));
      done(root);
      if (docker !== undefined) {
        const dockerImage = `${registry.host}/bench/docker-inline-${i}:v1`;
        dk(['build', '--network', 'none', '-q', '--build-arg', 'BUILDKIT_INLINE_CACHE=1', '-t', dockerImage, project]);
        dk(['push', dockerImage]);
        // Back to a daemon holding only the base image, as on a fresh machine.
        dk(['rmi', '-f', execFileSync('/usr/bin/docker', ['-H', docker.host, 'image', 'inspect', '--format', '{{.Id}}', dockerImage], { encoding: 'utf8' }).trim()]);
        dk(['builder', 'prune', '-af']);
        settle();
        dropCaches([registry.dataDir, project]);
        add('docker inline hit', dk(['build', '--network', 'none', '-q', '--cache-from', dockerImage, '-t', 'bench-hit', project]));
        dk(['rmi', '-f', 'bench-hit']);
        dk(['builder', 'prune', '-af']);
      }

      settle();
      root = freshRoot();
      dropCaches([registry.dataDir, project]);
      add('pull', run(lade, ['--root', root, 'pull', '-q', image]));
      done(root);
    }
    const show = (label: string, key: string, against?: string) => {
      const xs = times.get(key)!;
      const ms = median(xs);
      const ratio = against === undefined ? '' : `  ${(ms / median(times.get(against)!)).toFixed(2)} × ${against}`;
      console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms${ratio}   (runs: ${xs.map((x) => x.toFixed(0)).join('/')})`);
    };
    show('cold build, fresh store', 'cold');
    show('cold build + --cache-to (max)', 'cold+export', 'cold');
    show('full-hit rebuild, --cache-from', 'full hit', 'pull');
    show('lade pull of the image', 'pull');
    show('inline full hit, --cache-from IMAGE', 'inline hit', 'pull');
    if (docker !== undefined) {
      show('docker: inline full hit', 'docker inline hit');
      console.log(`inline full hit, lade/docker: ${(median(times.get('inline hit')!) / median(times.get('docker inline hit')!)).toFixed(2)}`);
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn();
    scratch.close();
  }
}

await main();
