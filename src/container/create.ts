/** `lade create` (and the first half of `lade run`): a container record, its files and its snapshot. */
import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, LadeError, isLadeError } from '../errors/index.js';
import { generateEtcFiles, resolveContainerConfig, type CgroupLimits, type RunFlags } from '../executor/index.js';
import type { LoadedImage } from '../image/index.js';
import { unpackImage, type Snapshotter } from '../snapshotter/index.js';
import { newContainerId, randomName, validateName } from './ids.js';
import { initialState, type ContainerRecord } from './records.js';
import type { Runtime } from './runtime.js';
import type { ContainerEntry } from './store.js';

export interface CreateRequest {
  readonly imageRef: string;
  readonly name?: string;
  readonly run: RunFlags;
  readonly limits: CgroupLimits;
  readonly autoRemove: boolean;
  readonly stopTimeout?: number;
  /** Whether the container's output goes to a waiting `run` (not `-d`). */
  readonly attached: boolean;
  /** Brings an image that is not in the store from its registry (`run` and `create` do, as Docker's). */
  readonly pull?: (ref: string) => Promise<void>;
}

export const SNAPSHOT_PREFIX = 'container-';

/**
 * Docker's init layer: the mount points lade binds over (/etc/hosts, /etc/hostname,
 * /etc/resolv.conf) and the directories its default mounts need, created where the image lacks
 * them, in a layer of their own between the image and the container's writable layer, so
 * `commit` sees only what the container's process changed. Its content depends on the image
 * alone, so containers of one image share one committed init layer (Docker makes one per
 * container; sharing an immutable snapshot changes nothing a container can see).
 */
async function prepareInitLayer(snapshotter: Snapshotter, parent: string | undefined): Promise<string> {
  const name = `init-${parent ?? 'scratch'}`;
  if ((await snapshotter.stat(name)) !== undefined) return name;
  const key = `${name}-active-${process.pid}-${Date.now()}`;
  await snapshotter.prepare(key, parent);
  try {
    await snapshotter.withMounted(key, false, async (root) => {
      for (const dir of ['dev', 'dev/pts', 'dev/shm', 'proc', 'sys', 'etc']) {
        if (!(await lexists(join(root, dir)))) await mkdir(join(root, dir), { mode: 0o755 });
      }
      for (const file of ['etc/hostname', 'etc/hosts', 'etc/resolv.conf']) {
        if (!(await lexists(join(root, file)))) await writeFile(join(root, file), '', { mode: 0o644 });
      }
      if (!(await lexists(join(root, 'etc/mtab')))) await symlink('/proc/mounts', join(root, 'etc/mtab'));
    });
    await snapshotter.commit(name, key);
  } catch (err) {
    await snapshotter.remove(key).catch(() => undefined);
    // Another lade made the same init layer meanwhile: theirs is as good as ours.
    if (isLadeError(err) && err.code === ErrorCode.SnapshotExists) return name;
    throw err;
  }
  return name;
}

async function lexists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes the container's writable snapshot, if it exists (the shared init layer stays). */
export async function removeSnapshots(snapshotter: Snapshotter, id: string): Promise<void> {
  try {
    await snapshotter.remove(`${SNAPSHOT_PREFIX}${id}`);
  } catch (err) {
    if (!isLadeError(err) || err.code !== ErrorCode.SnapshotNotFound) throw err;
  }
}

async function findImage(rt: Runtime, ref: string, pull?: (ref: string) => Promise<void>): Promise<LoadedImage> {
  const images = await rt.images();
  try {
    return await images.load(await images.find(ref));
  } catch (err) {
    if (!isLadeError(err) || err.code !== ErrorCode.ImageNotFound) throw err;
    if (pull === undefined) {
      throw new LadeError(ErrorCode.ImageNotFound, `Unable to find image '${ref}' locally`, {
        hint: `Pull it (\`lade pull ${ref}\`) or load it (\`lade load -i IMAGE.tar\`), then run it again.`,
        cause: err,
      });
    }
  }
  await pull(ref);
  return await images.load(await images.find(ref));
}

function hostFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export async function createContainer(rt: Runtime, request: CreateRequest): Promise<ContainerEntry> {
  const image = await findImage(rt, request.imageRef, request.pull);
  const snapshotter = await rt.snapshotter();
  const parent = await unpackImage(snapshotter, await rt.images(), image);
  const id = newContainerId();
  const name = request.name === undefined ? randomName() : validateName(request.name);
  const imageConfig = image.config.config ?? {};
  const resolved = resolveContainerConfig({ id, config: imageConfig, run: request.run, environment: process.env, hostHostname: hostHostname() });
  const record: ContainerRecord = {
    id,
    name,
    created: new Date().toISOString(),
    image: { ref: request.imageRef, id: image.record.id, manifest: image.record.manifest.digest },
    resolved,
    imageConfig,
    run: request.run,
    attach: { stdin: request.attached && request.run.interactive, stdout: request.attached, stderr: request.attached },
    limits: request.limits,
    snapshot: { driver: snapshotter.driver, key: `${SNAPSHOT_PREFIX}${id}`, parent },
    autoRemove: request.autoRemove,
    stopTimeout: request.stopTimeout,
  };
  const etc = generateEtcFiles({
    hostname: resolved.config.Hostname,
    network: resolved.hostConfig.NetworkMode,
    hostHosts: hostFile('/etc/hosts'),
    hostResolvConf: hostFile('/etc/resolv.conf'),
    extraHosts: resolved.hostConfig.ExtraHosts,
  });
  const entry = await rt.containers.create(record, initialState(), async (dir) => {
    await mkdir(join(dir, 'rootfs'));
    await writeFile(join(dir, 'hostname'), etc.hostname);
    await writeFile(join(dir, 'hosts'), etc.hosts);
    await writeFile(join(dir, 'resolv.conf'), etc.resolvConf);
  });
  try {
    const init = await prepareInitLayer(snapshotter, parent);
    await snapshotter.prepare(record.snapshot.key, init, { 'lade.container': id });
  } catch (err) {
    await removeSnapshots(snapshotter, id);
    await rt.containers.remove(id);
    throw err;
  }
  return entry;
}
