/**
 * Containers on disk under `<root>/containers`: one directory per container holding its record
 * (config.json, written at create), its state (state.json, replaced atomically) and what the
 * sandbox monitor writes (exit.json, container.log). Changes happen under one flock(2) lock, so
 * two lade processes never both take a name or both start a container.
 */
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { withFileLock } from '../image/index.js';
import type { ContainerRecord, ContainerState } from './records.js';

/**
 * Container files are replaced atomically (a kill never leaves half a file) but not fsynced: after
 * a power loss every container process is gone anyway, and lade reconciles what it finds.
 */
const NOT_DURABLE = { durable: false } as const;

export interface ContainerEntry {
  readonly record: ContainerRecord;
  readonly state: ContainerState;
  readonly dir: string;
}

export interface ContainerStore {
  readonly root: string;
  readonly dir: string;
  dirOf(id: string): string;
  /** Every container, newest first. */
  list(): Promise<ContainerEntry[]>;
  /** By full ID, unique ID prefix or name (Docker's lookup order: ID, name, prefix). */
  find(ref: string): Promise<ContainerEntry>;
  get(id: string): Promise<ContainerEntry | undefined>;
  /** Creates the directory and record; fails when the name is taken. */
  create(record: ContainerRecord, state: ContainerState, prepare?: (dir: string) => Promise<void>): Promise<ContainerEntry>;
  saveState(id: string, state: ContainerState): Promise<void>;
  remove(id: string): Promise<void>;
  /** Runs `fn` holding the containers lock. */
  locked<T>(fn: () => Promise<T>): Promise<T>;
}

class DiskContainerStore implements ContainerStore {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = join(root, 'containers');
  }

  dirOf(id: string): string {
    return join(this.dir, id);
  }

  locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.dir, 'lock'), fn, 60_000, 'the container store');
  }

  async get(id: string): Promise<ContainerEntry | undefined> {
    const dir = this.dirOf(id);
    let recordText: string;
    try {
      recordText = await readFile(join(dir, 'config.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const record = JSON.parse(recordText) as ContainerRecord;
      const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as ContainerState;
      return { record, state, dir };
    } catch (err) {
      throw new LadeError(ErrorCode.ContainerStore, `container ${id} has unreadable files in ${dir}`, {
        hint: `Remove it with: lade rm -f ${id.slice(0, 12)}`,
        cause: err,
      });
    }
  }

  async list(): Promise<ContainerEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const entries: ContainerEntry[] = [];
    for (const name of names) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      try {
        const entry = await this.get(name);
        if (entry !== undefined) entries.push(entry);
      } catch {
        // A half-written container (killed during create) is invisible until removed by ID.
      }
    }
    return entries.sort((a, b) => (a.record.created < b.record.created ? 1 : a.record.created > b.record.created ? -1 : 0));
  }

  async find(ref: string): Promise<ContainerEntry> {
    const bare = ref.startsWith('/') ? ref.slice(1) : ref;
    if (/^[0-9a-f]{64}$/.test(bare)) {
      const entry = await this.get(bare);
      if (entry !== undefined) return entry;
    }
    const all = await this.list();
    const byName = all.find((e) => e.record.name === bare);
    if (byName !== undefined) return byName;
    if (/^[0-9a-f]+$/.test(bare)) {
      const matches = all.filter((e) => e.record.id.startsWith(bare));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new LadeError(ErrorCode.ContainerNotFound, `multiple containers found with provided prefix: ${bare}`);
    }
    throw new LadeError(ErrorCode.ContainerNotFound, `No such container: ${ref}`);
  }

  async create(record: ContainerRecord, state: ContainerState, prepare?: (dir: string) => Promise<void>): Promise<ContainerEntry> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.locked(async () => {
      const taken = (await this.list()).find((e) => e.record.name === record.name);
      if (taken !== undefined) {
        throw new LadeError(
          ErrorCode.ContainerConflict,
          `Conflict. The container name "/${record.name}" is already in use by container "${taken.record.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      // Leftovers of creates and removals a kill interrupted; nobody else creates while we hold the lock.
      for (const name of await readdir(this.dir)) {
        if (name.startsWith('.tmp-') || name.startsWith('.rm-')) await rm(join(this.dir, name), { recursive: true, force: true });
      }
      // Built under a temporary name and renamed: a kill leaves either nothing or a whole container.
      const tmp = join(this.dir, `.tmp-${record.id}`);
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { mode: 0o710 });
      const dir = this.dirOf(record.id);
      try {
        if (prepare !== undefined) await prepare(tmp);
        await writeFileAtomic(join(tmp, 'state.json'), JSON.stringify(state), NOT_DURABLE);
        await writeFileAtomic(join(tmp, 'config.json'), JSON.stringify(record), NOT_DURABLE);
        await rename(tmp, dir);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
      return { record, state, dir };
    });
  }

  async saveState(id: string, state: ContainerState): Promise<void> {
    await writeFileAtomic(join(this.dirOf(id), 'state.json'), JSON.stringify(state), NOT_DURABLE);
  }

  async remove(id: string): Promise<void> {
    const dir = this.dirOf(id);
    // Renamed away first so the container disappears at once, whatever the delete takes.
    const doomed = join(this.dir, `.rm-${id}`);
    try {
      await rename(dir, doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(doomed, { recursive: true, force: true });
  }
}

export async function openContainerStore(root: string): Promise<ContainerStore> {
  const store = new DiskContainerStore(root);
  await mkdir(store.dir, { recursive: true, mode: 0o700 });
  return store;
}
