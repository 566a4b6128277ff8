/**
 * COPY, ADD and WORKDIR: file actions on a writable snapshot of the first input, reading from
 * the build context or from another input's tree (mounted read-only for the duration), the
 * changes committed as a layer. Owners named in `--chown` are resolved in the destination's
 * /etc/passwd and /etc/group as they stand before the step.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { linkedDirectoryCopy, refreshDirectoryCopy, runFileAction, type FileAction as EngineAction } from '../../fileop/index.js';
import { planReuse, readRecord, writeRecord, type ReusePlan } from './copy-reuse.js';
import type { ChownSpec, FileAction, FileOp } from '../../graph/index.js';
import type { OpContext, OpResult } from '../op-adapter.js';
import type { BuildDeps } from './deps.js';
import { readSnapshotText, scratchName } from './scratch.js';
import { resolveOwner, type Owner } from './owners.js';
import { asRootfs, commitLayer, ensureRootfs, toOpResult, type BuildResult, type RootfsResult } from './results.js';

interface Users {
  passwd: string | undefined;
  group: string | undefined;
}

function owner(spec: FileAction['chown'], users: Users): Owner | undefined {
  return spec === undefined ? undefined : resolveOwner(spec, users.passwd, users.group);
}

function engineAction(action: FileAction, users: Users): EngineAction {
  switch (action.action) {
    case 'copy': {
      const chown = owner(action.chown, users);
      return {
        kind: 'copy',
        src: action.srcPath,
        dest: action.dest,
        followSymlinks: action.followSymlinks,
        dirCopyContents: action.dirCopyContents,
        attemptUnpack: action.attemptUnpack,
        createDestPath: action.createDestPath,
        allowWildcard: action.allowWildcard,
        allowEmptyWildcard: action.allowEmptyWildcard,
        ...(chown === undefined ? {} : { chown }),
        ...(action.mode === undefined ? {} : { mode: action.mode }),
      };
    }
    case 'mkdir': {
      const chown = owner(action.chown, users);
      return { kind: 'mkdir', path: action.path, mode: action.mode, makeParents: action.makeParents, ...(chown === undefined ? {} : { chown }) };
    }
    case 'mkfile': {
      const chown = owner(action.chown, users);
      return { kind: 'mkfile', path: action.path, data: action.data, mode: action.mode, ...(chown === undefined ? {} : { chown }) };
    }
  }
}

/** Runs fn with the host directory a source input's files are read from. */
async function withSource<T>(deps: BuildDeps, input: BuildResult, fn: (dir: string, include?: (rel: string) => boolean) => Promise<T>): Promise<T> {
  if (input.kind === 'context') {
    const scan = await deps.context();
    return fn(scan.dir, (rel) => rel === '' || rel === '.' || scan.files.has(rel));
  }
  if (input.snapshot === null) {
    const empty = join(deps.tmpDir, `empty-${randomBytes(6).toString('hex')}`);
    await mkdir(empty, { recursive: true });
    try {
      return await fn(empty);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }
  const view = scratchName('view');
  await deps.snapshotter.view(view, input.snapshot);
  try {
    return await deps.snapshotter.withMounted(view, true, (dir) => fn(dir));
  } finally {
    await deps.snapshotter.remove(view).catch(() => undefined);
  }
}

type FastCopy = 'done' | 'no' | 'spoiled';

/**
 * The copy of a whole context directory again, from the layer the same copy made on the same
 * parent last time, into the unmounted snapshot `key`: only what changed is written (see
 * copy-reuse.ts). 'no' when there is no such layer; 'spoiled' when the reuse failed half-way.
 */
async function reuseCopy(deps: BuildDeps, plan: ReusePlan & { owner: Owner | undefined }, parent: RootfsResult, key: string): Promise<FastCopy> {
  const record = await readRecord(deps.copyRecords, plan.key);
  if (record === undefined || record.parent !== parent.snapshot) return 'no';
  if ((await deps.snapshotter.stat(record.snapshot))?.kind !== 'committed') return 'no';
  try {
    refreshDirectoryCopy({
      previous: await deps.snapshotter.ownDir(record.snapshot),
      target: await deps.snapshotter.ownDir(key),
      destRel: record.destRel,
      source: plan.source,
      before: new Map(record.entries),
      after: plan.entries,
      owner: plan.owner,
      topCreated: record.topCreated,
    });
  } catch {
    return 'spoiled';
  }
  plan.topExisted = !record.topCreated;
  return 'done';
}

/** Whether any layer of the chain ending at `snapshot` has an entry (or a whiteout) at `rel`. */
async function inAnyLayer(deps: BuildDeps, snapshot: string | null, rel: string): Promise<boolean> {
  for (let name: string | undefined = snapshot ?? undefined; name !== undefined; name = (await deps.snapshotter.stat(name))?.parent) {
    if (lstatSync(join(await deps.snapshotter.ownDir(name), rel), { throwIfNoEntry: false }) !== undefined) return true;
  }
  return false;
}

/**
 * A whole context directory copied, as root's, into a directory no lower layer has: built in the
 * unmounted layer with hard links to the file store (fileop's linkedDirectoryCopy), so a file the
 * store has is not written again. 'no' when the copy is not of that shape, 'spoiled' when it
 * failed half-way (the source changed under it).
 */
async function linkCopy(deps: BuildDeps, plan: ReusePlan, chown: ChownSpec | undefined, parent: RootfsResult, key: string): Promise<FastCopy> {
  if (chown?.user !== '0' || chown.group !== '0' || plan.destRel === '' || plan.destRel.includes('/')) return 'no';
  if (await inAnyLayer(deps, parent.snapshot, plan.destRel)) return 'no';
  try {
    await linkedDirectoryCopy({ target: await deps.snapshotter.ownDir(key), destRel: plan.destRel, source: plan.source, entries: plan.entries, store: deps.fileStore });
  } catch {
    return 'spoiled';
  }
  plan.topExisted = false;
  return 'done';
}

/** `fresh`: --no-cache (or its filter) asked for this step: copy in full, reusing no earlier layer. */
export async function runFile(deps: BuildDeps, op: FileOp, given: OpResult[], ctx: OpContext, fresh = false): Promise<RootfsResult> {
  // Trees from an imported cache come now; the rest are here already.
  const inputs = await Promise.all(
    given.map(async (input) => {
      const r = input as unknown as BuildResult;
      return r.kind === 'rootfs' ? (toOpResult(await ensureRootfs(deps.images, deps.snapshotter, r, deps.cacheLayers)) as OpResult) : input;
    }),
  );
  const parent = asRootfs(inputs[0], 'file op');
  let key = scratchName('file');
  await deps.snapshotter.prepare(key, parent.snapshot ?? undefined);
  let plan: (ReusePlan & { owner: Owner | undefined }) | undefined;
  try {
    const users: Users = { passwd: await readSnapshotText(deps.snapshotter, key, '/etc/passwd'), group: await readSnapshotText(deps.snapshotter, key, '/etc/group') };
    const actions = op.actions.map((a) => ({ graph: a, engine: engineAction(a, users) }));
    const only = actions.length === 1 ? actions[0]! : undefined;
    if (only?.graph.action === 'copy' && only.engine.kind === 'copy' && (inputs[only.graph.src] as BuildResult | undefined)?.kind === 'context') {
      const owner = only.engine.chown;
      const found = planReuse(op, await deps.context(), parent.snapshot, owner, deps.snapshotter);
      if (found !== undefined) {
        plan = { ...found, owner };
        // Into the snapshot prepared above, which nothing has mounted: reuse the earlier layer
        // (not with --no-cache), else link from the file store.
        let fast: FastCopy = fresh ? 'no' : await reuseCopy(deps, plan, parent, key);
        if (fast === 'no') fast = await linkCopy(deps, plan, only.graph.chown, parent, key);
        if (fast === 'done') {
          const result = await commitLayer(deps.snapshotter, deps.images, key, parent);
          await writeRecord(deps.copyRecords, plan, result.snapshot!, parent.snapshot, await deps.snapshotter.ownDir(result.snapshot!));
          return result;
        }
        if (fast === 'spoiled') {
          // Half built: the full copy starts on a fresh snapshot.
          await deps.snapshotter.remove(key);
          key = scratchName('file');
          await deps.snapshotter.prepare(key, parent.snapshot ?? undefined);
        }
      }
    }
    await deps.snapshotter.withMounted(key, false, async (destRoot) => {
      if (plan !== undefined) plan.topExisted = lstatSync(join(destRoot, plan.destRel), { throwIfNoEntry: false }) !== undefined;
      for (const { graph, engine } of actions) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (graph.action === 'copy') {
          const input = inputs[graph.src] as BuildResult | undefined;
          if (input === undefined) throw new Error(`file op copies from input ${graph.src}, which it does not have`);
          await withSource(deps, input, (srcRoot, include) => runFileAction(engine, { srcRoot, destRoot }, include === undefined ? {} : { include }));
        } else {
          await runFileAction(engine, { destRoot });
        }
      }
    });
    const result = await commitLayer(deps.snapshotter, deps.images, key, parent);
    if (plan !== undefined && result.snapshot !== null) {
      await writeRecord(deps.copyRecords, plan, result.snapshot, parent.snapshot, await deps.snapshotter.ownDir(result.snapshot));
    }
    return result;
  } catch (err) {
    await deps.snapshotter.remove(key).catch(() => undefined);
    throw err;
  }
}
