/**
 * Choosing the manifest for this machine from an index. lade runs linux/amd64 only; like
 * containerd's default matcher it takes the first entry whose os and architecture match,
 * preferring one without a variant (or the baseline `v1`) over a newer micro-architecture.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

export const HOST_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64' };

function normalizeArch(arch: string): string {
  const lower = arch.toLowerCase();
  return ARCH_ALIASES[lower] ?? lower;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant !== undefined && p.variant !== '' ? `/${p.variant}` : ''}`;
}

/** 0 = no match; higher is a better match for the host. */
function score(p: Platform | undefined, want: Platform): number {
  if (p === undefined) return 0;
  if (p.os.toLowerCase() !== want.os || normalizeArch(p.architecture) !== want.architecture) return 0;
  const variant = p.variant ?? '';
  return variant === '' || variant === 'v1' ? 2 : 1;
}

/** The manifest descriptor for `want` (the host by default), or a LadeError listing what there is. */
export function selectManifest(index: ImageIndex, what: string, want: Platform = HOST_PLATFORM): Descriptor {
  let best: Descriptor | undefined;
  let bestScore = 0;
  for (const d of index.manifests) {
    const s = score(d.platform, want);
    if (s > bestScore) {
      best = d;
      bestScore = s;
    }
  }
  if (best === undefined) {
    const available = index.manifests.map((d) => (d.platform === undefined ? 'unknown' : formatPlatform(d.platform)));
    throw new LadeError(ErrorCode.InvalidImage, `no matching manifest for ${formatPlatform(want)} in the manifest list entries of ${what}`, {
      hint: available.length > 0 ? `The image is available for: ${[...new Set(available)].join(', ')}.` : 'The index lists no manifests.',
    });
  }
  return best;
}

export function isHostPlatform(os: string, architecture: string): boolean {
  return os.toLowerCase() === HOST_PLATFORM.os && normalizeArch(architecture) === HOST_PLATFORM.architecture;
}
