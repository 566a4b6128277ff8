// Runs the frontend property ("any bytes give a result or a located LadeError") on many random
// and mutated Dockerfiles. Run: node dist/bench/fuzz.js [count] [seed]
// A failing input is written to fuzz-failure-<seed>-<n>.bin in the current directory.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkDockerfile, Gen, mutate, randomDockerfile } from '../test/helpers/dockerfile-fuzzer.js';
import { conformanceDir } from '../test/helpers/paths.js';

function main(): void {
  const count = Number(process.argv[2] ?? 100000);
  const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  const g = new Gen(seed);
  const dir = join(conformanceDir(), 'parser', 'testfiles');
  const corpus = readdirSync(dir).map((name) => Uint8Array.from(readFileSync(join(dir, name, 'Dockerfile'))));
  const counts = { parsed: 0, rejected: 0, failures: 0 };
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const input = i % 2 === 0 ? Buffer.from(randomDockerfile(g)) : mutate(g, g.pick(corpus), corpus);
    try {
      counts[checkDockerfile(input)]++;
    } catch (err) {
      counts.failures++;
      const file = `fuzz-failure-${seed}-${i}.bin`;
      writeFileSync(file, input);
      console.error(`input ${i}: ${String(err)} (saved to ${file})`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`seed ${seed}: ${count} inputs (half random, half mutated from ${corpus.length} BuildKit test Dockerfiles) in ${seconds.toFixed(1)} s`);
  console.log(`${counts.parsed} parsed, ${counts.rejected} rejected with a located LadeError, ${counts.failures} property failures`);
  process.exitCode = counts.failures === 0 ? 0 : 1;
}

main();
