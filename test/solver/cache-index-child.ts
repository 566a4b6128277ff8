// Child process for the cache index tests: writes entries until killed (or until `count`).
// Usage: node cache-index-child.js <dir> <writer> <count|forever> [payloadBytes]
// Entry i is stored under keyFor(i) with a result that tells whole from torn: its payload is
// `payloadBytes` copies of the writer's letter and says how long it is.
import { openCacheIndex } from '../../src/solver/index.js';
import { keyFor, resultFor } from './cache-index-helpers.js';

const [dir, writer, count, payload] = process.argv.slice(2) as [string, string, string, string | undefined];
const index = await openCacheIndex(dir);
const limit = count === 'forever' ? Infinity : Number(count);
const bytes = Number(payload ?? 1 << 16);
for (let i = 0; i < limit; i++) await index.put(keyFor(i % 64), resultFor(writer, i % 64, bytes), { name: `entry ${i % 64}` });
