/**
 * Leases protect blobs that an operation has written but not yet registered (a load, an import)
 * from a garbage collection running at the same time in another lade process. A lease is a file
 * naming the writer's pid and the digests it holds; leases of dead processes are ignored and
 * removed, so a killed load leaves nothing that a later prune will not clean.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type Digest } from '../../content/index.js';
import { alive } from './lock.js';

export interface Lease {
  /** Records that the operation holds this blob. Persisted before it returns. */
  add(digest: Digest): Promise<void>;
  readonly digests: ReadonlySet<Digest>;
}


export async function withLease<T>(dir: string, fn: (lease: Lease) => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}.json`);
  const digests = new Set<Digest>();
  const lease: Lease = {
    digests,
    async add(digest) {
      if (digests.has(digest)) return;
      digests.add(digest);
      await writeFileAtomic(path, JSON.stringify({ pid: process.pid, digests: [...digests] }));
    },
  };
  try {
    return await fn(lease);
  } finally {
    await rm(path, { force: true });
  }
}

/** Digests held by live leases; leases of dead processes are deleted on the way. */
export async function leasedDigests(dir: string): Promise<Set<string>> {
  const held = new Set<string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return held;
  }
  for (const name of names) {
    const path = join(dir, name);
    const pid = Number.parseInt(name, 10);
    if (!Number.isInteger(pid) || !alive(pid)) {
      await rm(path, { force: true });
      continue;
    }
    // Leases are replaced by rename, so a read sees a whole version; a lease whose owner has just
    // finished is gone (ENOENT), which releases nothing the owner had not registered.
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const lease = JSON.parse(text) as { digests?: string[] };
    for (const d of lease.digests ?? []) held.add(d);
  }
  return held;
}
