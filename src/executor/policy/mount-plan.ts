// Turns a container's mount requests and image VOLUMEs into SandboxMounts, as moby
// registerMountPoints / createContainerVolumesOS / withMounts do: duplicates refused, anonymous
// volumes only where nothing else is mounted, binds as rbind+rprivate, tmpfs with Docker's
// defaults, everything ordered by path depth so a parent is mounted before its children.
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { SandboxMount } from '../sandbox-spec.js';
import { mergeTmpfsOptions, parseMountOptions } from './mount-options.js';
import { cleanPath } from './paths.js';
import type { MountRequest } from './volume-flags.js';

export type SourceKind = 'dir' | 'file' | 'missing';

export interface MountPlanContext {
  /** What a host path is (following symlinks, as mount(2) does). */
  statSource(path: string): SourceKind;
  /** The host directory backing the anonymous volume at `dest` (created and, if wanted, filled by the caller). */
  anonymousVolumeDir(dest: string): string;
}

export interface MountPlan {
  /** In mount order. */
  readonly mounts: SandboxMount[];
  /** Missing `-v` sources Docker creates as directories (mode 0755, root) before starting. */
  readonly createHostDirs: string[];
}

function duplicate(dest: string): LadeError {
  return new LadeError(ErrorCode.ContainerConfig, `Duplicate mount point: ${dest}`, {
    hint: 'each container path can be the target of one -v, --mount or --tmpfs only',
  });
}

function depth(dest: string): number {
  return cleanPath(dest).split('/').length - 1;
}

/** Docker's tmpfs options: noexec,nosuid,nodev and rprivate, then the user's, merged. */
export function tmpfsMount(destination: string, userOptions: readonly string[]): SandboxMount {
  const merged = mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', ...userOptions]);
  const p = parseMountOptions(merged);
  return { destination, type: 'tmpfs', source: 'tmpfs', flags: p.flags, data: p.data, propagation: p.propagation, create: 'dir', cwd: '' };
}

/** A bind of a host path; `propagation` as mount(2) takes it (0 to leave it). */
export function bindMount(source: string, destination: string, opts: { readOnly: boolean; recursive: boolean; propagation: string | undefined; create: 'dir' | 'file' }): SandboxMount {
  const words = [opts.recursive ? 'rbind' : 'bind'];
  if (opts.readOnly) words.push('ro');
  if (opts.propagation !== undefined) words.push(opts.propagation);
  const p = parseMountOptions(words);
  return { destination, type: 'bind', source, flags: p.flags, data: '', propagation: p.propagation, create: opts.create, cwd: '' };
}

/**
 * Plans the user's mounts (`requests`, in flag order: -v, then --mount, then --tmpfs) and the
 * image's VOLUMEs. Throws for a duplicate destination, and for a missing --mount bind source
 * ("bind source path does not exist"), before anything is created.
 */
export function planMounts(requests: readonly MountRequest[], imageVolumes: readonly string[], ctx: MountPlanContext): MountPlan {
  const taken = new Set<string>();
  for (const r of requests) {
    if (taken.has(r.destination)) throw duplicate(r.destination);
    taken.add(r.destination);
  }
  // Config.Volumes (-v /dst and the image's VOLUMEs) get a volume unless something is mounted there.
  const volumes: MountRequest[] = [];
  for (const d of imageVolumes) {
    const destination = cleanPath(d);
    if (taken.has(destination)) continue;
    taken.add(destination);
    volumes.push({ kind: 'anonymous', destination, readOnly: false });
  }

  // Every check before the first call to anonymousVolumeDir, which may create directories.
  const kinds = new Map<string, SourceKind>();
  const createHostDirs: string[] = [];
  for (const r of requests) {
    if (r.kind !== 'bind') continue;
    const kind = ctx.statSource(r.source);
    kinds.set(r.source, kind);
    if (kind !== 'missing') continue;
    if (!r.createSource) {
      throw new LadeError(ErrorCode.ContainerConfig, `invalid mount config for type "bind": bind source path does not exist: ${r.source}`, {
        hint: 'create the directory or file first, or add bind-create-src to --mount (-v creates missing directories)',
      });
    }
    if (!createHostDirs.includes(r.source)) createHostDirs.push(r.source);
  }

  const mounts: SandboxMount[] = [];
  for (const r of [...requests, ...volumes]) {
    if (r.kind === 'tmpfs') {
      mounts.push(tmpfsMount(r.destination, r.options));
    } else if (r.kind === 'anonymous') {
      mounts.push(bindMount(ctx.anonymousVolumeDir(r.destination), r.destination, { readOnly: r.readOnly, recursive: true, propagation: undefined, create: 'dir' }));
    } else {
      const kind = kinds.get(r.source);
      mounts.push(bindMount(r.source, r.destination, { readOnly: r.readOnly, recursive: r.recursive, propagation: r.propagation, create: kind === 'file' ? 'file' : 'dir' }));
    }
  }
  return { mounts: sortByDepth(mounts), createHostDirs };
}

/** Stable sort by the number of path components (moby sortMounts, made deterministic). */
export function sortByDepth(mounts: readonly SandboxMount[]): SandboxMount[] {
  return mounts
    .map((m, i) => ({ m, i, d: depth(m.destination) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.m);
}
