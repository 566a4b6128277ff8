// Build contexts the benchmarks share.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * 240 MB in 10,000 files of 24 KB (100 directories; d0/f0.bin is 4 KB, the file the one-file
 * benchmark changes), with `COPY . /app` and one RUN.
 */
export function writeLargeProject(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  const block = Buffer.alloc(24_000);
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(dir, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) {
      block.writeUInt32LE(d * 100 + f, 0);
      for (let i = 4; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761 + d * 7 + f) >>> 0, i);
      writeFileSync(join(dir, `d${d}`, `f${f}.bin`), f === 0 && d === 0 ? Buffer.alloc(4096, 1) : block);
    }
  }
  writeFileSync(join(dir, 'Dockerfile'), ['FROM lade-fixture/base:1', 'COPY . /app', 'RUN find /app -type f | wc -l > /count', ''].join('\n'));
  return dir;
}
