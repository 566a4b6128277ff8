/**
 * Reusing an earlier COPY of a context directory when the context changed only in part. A copy
 * of one whole directory of the build context (`COPY . /app`, `COPY src/ /src/`) onto a given
 * parent snapshot leaves a record: which layer it made and what each source entry was. When the
 * same copy runs again on the same parent (its cache key changed because some file did), the
 * new layer starts as a hard-link clone of the earlier one and only the differences are written
 * (fileop's refreshDirectoryCopy). Anything outside that shape — wildcards, several sources,
 * --chmod, hard links in the source, a destination reached through a symlink, the copy driver —
 * takes the full copy.
 *
 * Records live in `<root>/buildcontext/copies/<key>.json`, written atomically; a missing or bad
 * record, or a layer that is gone, only means a full copy.
 */
import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextScan } from '../../buildcontext/index.js';
import { writeFileAtomic } from '../../content/index.js';
import type { CopiedEntry } from '../../fileop/index.js';
import { canonicalJson, type CopyAction, type FileOp } from '../../graph/index.js';
import { containsWildcards, goClean } from '../../gopath/index.js';
import type { Snapshotter } from '../../snapshotter/index.js';
import type { Owner } from './owners.js';

const RECORD_VERSION = 1;

export interface CopyRecord {
  v: number;
  /** The layer the copy made (a committed snapshot). */
  snapshot: string;
  parent: string | null;
  /** Where the copied directory's contents are in the layer. */
  destRel: string;
  /** The copy created the destination directory (the parent had none). */
  topCreated: boolean;
  entries: [string, CopiedEntry][];
}

export interface ReusePlan {
  key: string;
  /** The copied directory on the host. */
  source: string;
  entries: Map<string, CopiedEntry>;
  /** The destination as the action names it, relative to the root. */
  destRel: string;
  /** Seen before the full copy ran: whether the parent already had the destination. */
  topExisted?: boolean;
}

/**
 * The plan for a file op that copies one whole context directory, or undefined when the op has
 * another shape. `owner` is the resolved --chown (undefined: the source's).
 */
export function planReuse(op: FileOp, scan: ContextScan, parent: string | null, owner: Owner | undefined, snapshotter: Snapshotter): ReusePlan | undefined {
  if (snapshotter.driver !== 'overlay' || op.actions.length !== 1) return undefined;
  const action = op.actions[0]!;
  if (action.action !== 'copy' || action.mode !== undefined || !action.dirCopyContents) return undefined;
  const srcPath = goClean(action.srcPath);
  if (srcPath.split('/').some(containsWildcards)) return undefined;
  const matches = scan.matches(srcPath);
  if (matches.length !== 1) return undefined;
  const match = matches[0]!;
  const srcRel = srcPath === '/' ? '' : srcPath.slice(1);
  // A symlink named as the source, followed: the match is elsewhere. Keep it simple: not reused.
  if (match.source.type !== 'dir' || (srcRel !== '' && match.source.path !== srcRel)) return undefined;
  const prefix = srcRel === '' ? '' : `${srcRel}/`;
  const entries = new Map<string, CopiedEntry>();
  for (const file of match.entries) {
    if (file.path === srcRel || file.path === '.') continue;
    if (file.type !== 'file' && file.type !== 'dir' && file.type !== 'symlink') return undefined;
    if (file.type === 'file' && ((file.nlink ?? 1) > 1 || file.digest === undefined)) return undefined;
    if (file.mtimeNs === undefined) return undefined;
    const entry: CopiedEntry = { type: file.type, mode: file.mode, size: file.type === 'file' ? file.size : 0, mtimeNs: String(file.mtimeNs) };
    if (file.digest !== undefined) entry.digest = file.digest;
    if (file.linkTarget !== undefined) entry.linkTarget = file.linkTarget;
    entries.set(file.path.slice(prefix.length), entry);
  }
  const destRel = goClean(action.dest).replace(/^\/+/, '');
  const keyed: CopyAction = { ...action, chown: undefined };
  const key = createHash('sha256')
    .update(canonicalJson({ v: RECORD_VERSION, action: keyed, owner: owner ?? null, parent }))
    .digest('hex');
  return { key, source: join(scan.dir, srcRel), entries, destRel };
}

function recordPath(dir: string, key: string): string {
  return join(dir, `${key}.json`);
}

export async function readRecord(dir: string, key: string): Promise<CopyRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPath(dir, key), 'utf8')) as CopyRecord;
    return record.v === RECORD_VERSION && Array.isArray(record.entries) && typeof record.snapshot === 'string' && typeof record.topCreated === 'boolean' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records a copy the layer `snapshot` holds, when its destination is a real directory in the
 * layer (not reached through a symlink of a lower layer, which would put the files elsewhere).
 */
export async function writeRecord(dir: string, plan: ReusePlan, snapshot: string, parent: string | null, ownDir: string): Promise<void> {
  let path = ownDir;
  for (const part of plan.destRel.split('/').filter((p) => p !== '')) {
    path = join(path, part);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined || !st.isDirectory()) return;
  }
  if (plan.topExisted === undefined) return;
  const record: CopyRecord = { v: RECORD_VERSION, snapshot, parent, destRel: plan.destRel, topCreated: !plan.topExisted, entries: [...plan.entries] };
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(recordPath(dir, plan.key), JSON.stringify(record), { durable: false });
}
