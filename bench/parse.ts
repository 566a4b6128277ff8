// Parses and validates a generated 10,000-line Dockerfile into typed instructions and prints the
// time. Run: node dist/bench/parse.js [lines]
import { performance } from 'node:perf_hooks';
import {
  expandReachableStages,
  parseDockerfile,
  parseInstructions,
  resolveBuild,
} from '../src/frontend/index.js';

/** A realistic mix: multi-stage, ARG/ENV expansion, continuations, heredocs, mounts, JSON forms. */
export function generateDockerfile(targetLines: number): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:12', 'ARG VERSION=1.0'];
  let stage = 0;
  while (out.length < targetLines) {
    out.push(`FROM \${BASE} AS stage${stage}`, 'ARG VERSION', `ENV APP_HOME=/opt/app${stage} VERSION=\${VERSION}`);
    for (let i = 0; i < 20 && out.length < targetLines; i++) {
      switch (i % 10) {
        case 0:
          out.push('RUN apt-get update \\', '    && apt-get install -y --no-install-recommends \\', '       curl ca-certificates git \\', '    && rm -rf /var/lib/apt/lists/*');
          break;
        case 1:
          out.push(`COPY --chown=1000:1000 --chmod=644 src/module${i}/ $APP_HOME/module${i}/`);
          break;
        case 2:
          out.push(`LABEL org.opencontainers.image.version="\${VERSION}" stage="${stage}" index="${i}"`);
          break;
        case 3:
          out.push('RUN --mount=type=cache,target=/root/.cache,sharing=locked \\', '    --mount=type=bind,source=go.mod,target=/src/go.mod \\', '    go build -o /out/app ./...');
          break;
        case 4:
          out.push('RUN <<EOF', 'set -e', 'echo "building $VERSION"', 'make -j4 all', 'EOF');
          break;
        case 5:
          out.push(`WORKDIR \${APP_HOME}/sub${i}`, 'USER 1000:1000');
          break;
        case 6:
          out.push('# a comment line between instructions', `ENV PATH=\${APP_HOME}/bin:$PATH`);
          break;
        case 7:
          out.push(stage > 0 ? `COPY --from=stage${stage - 1} /out/app /usr/local/bin/app${i}` : 'COPY app /usr/local/bin/');
          break;
        case 8:
          out.push('HEALTHCHECK --interval=30s --timeout=3s CMD ["curl", "-f", "http://localhost/"]', 'EXPOSE 8080/tcp 9090');
          break;
        default:
          out.push('CMD ["app", "--serve"]', '');
      }
    }
    stage++;
  }
  return out.slice(0, targetLines).join('\n') + '\n';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  const lines = Number(process.argv[2] ?? 10000);
  const text = generateDockerfile(lines);
  const bytes = Buffer.from(text);
  const runs = 30;
  const parseTimes: number[] = [];
  const resolveTimes: number[] = [];
  let instructions = 0;
  let stages = 0;
  for (let i = 0; i < runs + 5; i++) {
    const t0 = performance.now();
    const doc = parseInstructions(parseDockerfile(bytes, { file: 'Dockerfile' }));
    const t1 = performance.now();
    const build = resolveBuild(doc, { buildArgs: { VERSION: '2.0' } });
    expandReachableStages(build, () => ['PATH=/usr/local/bin:/usr/bin:/bin']);
    const t2 = performance.now();
    if (i >= 5) {
      parseTimes.push(t1 - t0);
      resolveTimes.push(t2 - t1);
    }
    stages = doc.stages.length;
    instructions = doc.metaArgs.length + doc.stages.reduce((n, s) => n + 1 + s.commands.length, 0);
  }
  const p = median(parseTimes);
  console.log(`Dockerfile: ${lines} lines, ${bytes.length} bytes, ${instructions} instructions in ${stages} stages`);
  console.log(`parse + validate into typed instructions: median ${p.toFixed(1)} ms, min ${Math.min(...parseTimes).toFixed(1)} ms over ${runs} runs (${Math.round(lines / (p / 1000)).toLocaleString('en')} lines/s)`);
  console.log(`resolve stages + expand every instruction: median ${median(resolveTimes).toFixed(1)} ms`);
  console.log('docker: not compared (docker 20.10 has no parse-only command to time against)');
}

if (process.argv[1]?.endsWith('parse.js') === true) main();
