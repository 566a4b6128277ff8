// `lade build` against `docker build` (BuildKit) when Docker is installed, in one run:
// (a) a small multi-stage Dockerfile with a few RUN and COPY steps, cold (--no-cache) and warm;
// (b) a 240 MB, 10,000-file context with `COPY . /app` and one RUN: cold, warm, and after one
//     4 KB file changed.
// Goals (issue 5): cold at most half of BuildKit's time, warm no slower, the one-file change on the
// large context at most a quarter.
// Run as root: node dist/bench/build.js [--runs N] [--no-docker]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, settle, timed as run } from './measure.js';
import { startDocker, type Docker } from './docker.js';
import { writeLargeProject } from './projects.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const lade = join(repo, 'bin', 'lade');
const work = join(tmpdir(), 'lade-bench-build');
const root = join(work, 'root');


interface Builder {
  name: string;
  build(context: string, tag: string, extra?: string[]): number;
}

function ladeBuilder(): Builder {
  return { name: 'lade', build: (context, tag, extra = []) => run(lade, ['--root', root, 'build', '--progress', 'plain', ...extra, '-t', tag, context]) };
}

function dockerBuilder(docker: Docker): Builder {
  const env = { ...process.env, DOCKER_BUILDKIT: '1' };
  return { name: 'docker', build: (context, tag, extra = []) => run('/usr/bin/docker', ['-H', docker.host, 'build', '--network', 'none', '--progress', 'plain', ...extra, '-t', tag, context], env) };
}

function smallProject(): string {
  const dir = join(work, 'small');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'src', `f${i}.txt`), `file ${i}\n`.repeat(50));
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM lade-fixture/base:1 AS build',
      'COPY src /src',
      'RUN cat /src/*.txt > /out && wc -l /out',
      'FROM lade-fixture/base:1 AS other',
      'RUN echo other > /other',
      'FROM lade-fixture/base:1',
      'COPY --from=build /out /out',
      'COPY --from=other /other /other',
      'RUN ls -l /out /other > /list',
      '',
    ].join('\n'),
  );
  return dir;
}

function largeProject(): string {
  return writeLargeProject(join(work, 'large'));
}

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 3) || 3;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const baseTar = join(work, 'base.tar');
  execFileSync(process.execPath, [join(repo, 'test', 'fixtures', 'build', 'make-base.mjs'), baseTar]);
  run(lade, ['--root', root, 'load', '-i', baseTar]);
  const builders = [ladeBuilder()];
  const docker = process.argv.includes('--no-docker') ? undefined : await startDocker(join(work, 'docker'));
  if (docker !== undefined) {
    run('/usr/bin/docker', ['-H', docker.host, 'load', '-i', baseTar]);
    builders.push(dockerBuilder(docker));
  }
  try {
    const small = smallProject();
    const large = largeProject();
    const rows: [string, Record<string, number>][] = [];
    const scenario = (label: string, fn: (b: Builder, i: number) => number) => {
      const row: Record<string, number> = {};
      for (const b of builders) {
        settle();
        row[b.name] = median(Array.from({ length: runs }, (_, i) => fn(b, i)));
      }
      rows.push([label, row]);
      const ratio = row['docker'] === undefined ? '' : `  ratio ${(row['lade']! / row['docker']).toFixed(2)}`;
      console.log(`${label.padEnd(34)} ${builders.map((b) => `${b.name} ${row[b.name]!.toFixed(0).padStart(6)} ms`).join('  ')}${ratio}`);
    };
    scenario('(a) small multi-stage, cold', (b) => b.build(small, 'bench-small', ['--no-cache']));
    scenario('(a) small multi-stage, warm', (b) => b.build(small, 'bench-small'));
    scenario('(b) 240 MB context, cold', (b) => b.build(large, 'bench-large', ['--no-cache']));
    scenario('(b) 240 MB context, warm', (b) => b.build(large, 'bench-large'));
    scenario('(b) 240 MB context, one file changed', (b, i) => {
      writeFileSync(join(large, 'd0', 'f0.bin'), Buffer.alloc(4096, (i + 2) * (b.name === 'lade' ? 1 : 3)));
      return b.build(large, 'bench-large');
    });
  } finally {
    docker?.stop();
  }
}

await main();
