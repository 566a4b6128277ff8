// Linux capabilities as Docker grants them: the default set, --cap-add/--cap-drop, --privileged.
// Behaviour follows moby daemon/pkg/oci/caps (NormalizeLegacyCapabilities, TweakCapabilities)
// and containerd's pkg/cap (the environment's capabilities are the effective set of the daemon).
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { SandboxCapabilities } from '../sandbox-spec.js';

/** linux/capability.h, index = capability number. */
const CAPABILITY_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** The highest capability number lade knows (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
export const LAST_CAPABILITY = CAPABILITY_NAMES.length - 1;

/** Docker's default set (moby daemon/pkg/oci/caps/defaults.go), in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly CapabilityName[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const NUMBER_BY_NAME = new Map<string, number>(CAPABILITY_NAMES.map((n, i) => [n, i]));

/** `CAP_SYS_ADMIN` → 21; undefined for an unknown name (the name must be exact). */
export function capabilityNumber(name: string): number | undefined {
  return NUMBER_BY_NAME.get(name);
}

/** 21 → `CAP_SYS_ADMIN`; undefined beyond the known range. */
export function capabilityName(num: number): CapabilityName | undefined {
  return CAPABILITY_NAMES[num];
}

/** Every capability lade knows, by number. */
export function allCapabilities(): number[] {
  return CAPABILITY_NAMES.map((_, i) => i);
}

/**
 * The capabilities present in the environment, read as containerd's cap.Current does: the
 * `CapEff` mask of a /proc/<pid>/status text. Bits beyond the known range are left out.
 */
export function capabilitiesFromProcStatus(status: string): number[] {
  const line = status.split('\n').find((l) => l.startsWith('CapEff:'));
  if (line === undefined) {
    throw new LadeError(ErrorCode.Internal, 'no CapEff line in the process status text', {
      hint: 'pass the contents of /proc/self/status',
    });
  }
  const hex = line.slice('CapEff:'.length).trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw new LadeError(ErrorCode.Internal, `malformed CapEff mask: ${hex}`);
  const mask = BigInt('0x' + hex);
  return allCapabilities().filter((n) => ((mask >> BigInt(n)) & 1n) === 1n);
}

const ALL = 'ALL';

/**
 * Upper-cases and adds the CAP_ prefix, keeping the magic `ALL` (moby NormalizeLegacyCapabilities).
 * A name unknown to lade is a usage error; a known one absent from `available` is refused as
 * Docker refuses it, because the kernel would not let the sandbox grant it.
 */
export function normalizeCapabilities(caps: readonly string[], available: readonly number[] = allCapabilities()): string[] {
  const out: string[] = [];
  for (const raw of caps) {
    let c = raw.toUpperCase();
    if (c === ALL) {
      out.push(c);
      continue;
    }
    if (!c.startsWith('CAP_')) c = 'CAP_' + c;
    const num = capabilityNumber(c);
    if (num === undefined) {
      throw new LadeError(ErrorCode.Usage, `unknown capability: "${c}"`, {
        hint: 'capability names are those of capabilities(7), with or without the CAP_ prefix, or ALL',
      });
    }
    if (!available.includes(num)) {
      throw new LadeError(ErrorCode.Usage, `capability not supported by your kernel or not available in the current environment: "${c}"`, {
        hint: 'lade can grant only capabilities it holds itself',
      });
    }
    out.push(c);
  }
  return out;
}

export interface CapabilityRequest {
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly privileged: boolean;
}

/**
 * The container's capability set as numbers, sorted (moby TweakCapabilities): privileged gets
 * everything available; `--cap-add ALL` everything available but the dropped ones; `--cap-drop
 * ALL` only the added ones; otherwise the defaults minus drops plus adds. Docker gives `--cap-add`
 * precedence when ALL is not involved because adds are appended after the drops.
 */
export function resolveCapabilities(req: CapabilityRequest, available: readonly number[] = allCapabilities()): number[] {
  if (req.privileged) return [...available].sort((a, b) => a - b);
  const drops = normalizeCapabilities(req.capDrop, available);
  const adds = normalizeCapabilities(req.capAdd, available);
  let names: string[];
  if (adds.includes(ALL)) {
    names = available.map((n) => capabilityName(n)!).filter((c) => !drops.includes(c));
  } else if (drops.includes(ALL)) {
    names = adds;
  } else {
    names = [...DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
  }
  const nums = new Set<number>();
  for (const n of names) {
    const num = capabilityNumber(n);
    if (num !== undefined) nums.add(num);
  }
  return [...nums].sort((a, b) => a - b);
}

/**
 * The five sets for a process running as `uid`. Docker puts the set in bounding, effective and
 * permitted for every user and leaves inheritable empty (CVE-2022-24769) and ambient empty; for a
 * non-root user the kernel then clears effective and permitted at execve (no ambient, no file
 * capabilities), so lade hands the helper exactly that outcome: the bounding set, and empty
 * effective/permitted unless uid is 0. File capabilities (ping's cap_net_raw+ep) still work, as
 * they do under Docker, because they are limited by the bounding set only.
 */
export function capabilitySets(caps: readonly number[], uid: number): SandboxCapabilities {
  const set = [...caps];
  return {
    bounding: set,
    effective: uid === 0 ? [...set] : [],
    permitted: uid === 0 ? [...set] : [],
    inheritable: [],
    ambient: [],
  };
}
