// Go's path.Clean for container paths: Docker cleans every destination and working directory
// with it, so `/data/` and `/data//x/..` name the same mount point.
import { posix } from 'node:path';

export function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
