/**
 * RUN: the command in the sandbox over a writable snapshot of its input, output streamed to
 * progress, the changes committed as a layer. Mount points the runtime had to create for its
 * own binds (/etc/hosts, /etc/resolv.conf) are removed again before the diff, as BuildKit
 * removes its mount stubs: they belong to the sandbox, not to the image. Their directory stays
 * in the layer, as it does in BuildKit's.
 */
import { lstat, mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { buildStepSpec, startSandbox } from '../../executor/index.js';
import type { ExecOp } from '../../graph/index.js';
import { RootResolver } from '../../layer/index.js';
import type { OpContext } from '../op-adapter.js';
import { commitLayer, ensureRootfs, type RootfsResult } from './results.js';
import type { BuildDeps } from './deps.js';
import { readSnapshotText, scratchName } from './scratch.js';

const STUBS = ['/etc/hosts', '/etc/resolv.conf'];

async function exists(deps: BuildDeps, key: string, path: string): Promise<boolean> {
  try {
    return (await deps.snapshotter.readFile(key, path)) !== undefined;
  } catch {
    // A directory (or an unreadable entry) is there all the same.
    return true;
  }
}

/** Removes `path` if it is an empty regular file (a mount stub). */
async function removeEmptyFile(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (st?.isFile() === true && st.size === 0) await unlink(path);
}

async function removeStubs(deps: BuildDeps, key: string, stubs: readonly string[]): Promise<void> {
  if (stubs.length === 0) return;
  // The sandbox's mount is gone with its namespace, so the snapshot's own directory can be
  // changed directly: a stub lies there when its directory is a real one in this layer. Anything
  // else (an /etc that is a symlink) is resolved through a mount of the snapshot.
  const own = await deps.snapshotter.ownDir(key);
  const indirect: string[] = [];
  for (const stub of stubs) {
    const slash = stub.lastIndexOf('/');
    const dir = await lstat(join(own, stub.slice(1, slash))).catch(() => undefined);
    if (dir?.isDirectory() === true) await removeEmptyFile(join(own, stub.slice(1)));
    else indirect.push(stub);
  }
  if (indirect.length === 0) return;
  await deps.snapshotter.withMounted(key, false, async (dir) => {
    const resolver = new RootResolver(dir);
    for (const stub of indirect) {
      const rel = stub.slice(1);
      const slash = rel.lastIndexOf('/');
      const parent = resolver.resolveDir(rel.slice(0, slash), { create: false });
      if (parent !== undefined) await removeEmptyFile(join(resolver.abs(parent), rel.slice(slash + 1)));
    }
  });
}

export function commandText(args: readonly string[]): string {
  return args.join(' ');
}

export async function runExec(deps: BuildDeps, op: ExecOp, input: RootfsResult, ctx: OpContext): Promise<RootfsResult> {
  const parent = await ensureRootfs(deps.images, deps.snapshotter, input, deps.cacheLayers);
  const key = scratchName('run');
  const mounts = await deps.snapshotter.prepare(key, parent.snapshot ?? undefined);
  const rootfsPath = join(deps.tmpDir, key);
  try {
    const stubs: string[] = [];
    for (const stub of STUBS) if (!(await exists(deps, key, stub))) stubs.push(stub);
    await mkdir(rootfsPath, { recursive: true });
    const etc = await deps.etcFiles();
    const spec = buildStepSpec({
      args: op.args,
      env: op.env,
      cwd: op.cwd,
      user: op.user,
      network: op.network,
      passwd: await readSnapshotText(deps.snapshotter, key, '/etc/passwd'),
      group: await readSnapshotText(deps.snapshotter, key, '/etc/group'),
      rootfsPath,
      rootfsMounts: mounts,
      etcFiles: etc,
    });
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const handle = await startSandbox(spec, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
    handle.stdout?.on('data', (chunk: Buffer) => ctx.log(1, chunk));
    handle.stderr?.on('data', (chunk: Buffer) => ctx.log(2, chunk));
    // SIGKILL to the step's first process (PID 1 of its namespace, as the host sees it): the
    // kernel then ends every process of the namespace. Sent to the monitor, it would end only
    // the monitor (SIGKILL cannot be forwarded) and leave the step running.
    const onAbort = (): void => {
      try {
        process.kill(handle.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let exit;
    try {
      exit = await handle.exit;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (exit.exitCode !== 0) {
      throw new LadeError(ErrorCode.BuildStepFailed, `process "${commandText(op.args)}" did not complete successfully: exit code: ${exit.exitCode}`);
    }
    await removeStubs(deps, key, stubs);
    return await commitLayer(deps.snapshotter, deps.images, key, parent);
  } catch (err) {
    await deps.snapshotter.remove(key).catch(() => undefined);
    if (err instanceof LadeError && err.code === ErrorCode.SandboxSetup) {
      throw new LadeError(ErrorCode.BuildStepFailed, `cannot run "${commandText(op.args)}": ${err.message}`, { cause: err, ...(err.hint === undefined ? {} : { hint: err.hint }) });
    }
    throw err;
  } finally {
    await rm(rootfsPath, { recursive: true, force: true }).catch(() => undefined);
  }
}
