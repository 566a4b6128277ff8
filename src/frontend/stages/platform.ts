/**
 * Platforms (`linux/amd64`, `linux/arm/v7`), parsed and normalised like containerd's platforms
 * package, which BuildKit uses for `FROM --platform` and the TARGET and BUILD ARGs. An OS
 * version (`windows(10.0.17763)`) is accepted and dropped: lade builds Linux images only.
 */
import { goQuote } from '../gostrings/index.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export class PlatformError extends Error {}

const SPECIFIER_SRC = '^[A-Za-z0-9_.-]+$';
const OS_SRC = '^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$';
const SPECIFIER = new RegExp(SPECIFIER_SRC);
const OS_COMPONENT = new RegExp(OS_SRC);

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd',
  'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle',
  'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64',
  'wasm',
]);

function normalizeOs(os: string, host: Platform): string {
  if (os === '') return host.os;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(arch: string, variant: string): [string, string] {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return [a, v];
}

function make(os: string, architecture: string, variant: string): Platform {
  return variant === '' ? { os, architecture } : { os, architecture, variant };
}

function invalid(message: string): PlatformError {
  return new PlatformError(`${message}: invalid argument`);
}

/**
 * Parses a platform specifier. `host` supplies what containerd takes from the running
 * process: the OS for `amd64`, the architecture for `linux`.
 */
export function parsePlatform(specifier: string, host: Platform): Platform {
  if (specifier.includes('*')) throw invalid(`${goQuote(specifier)}: wildcards not yet supported`);
  const parts = splitN(specifier, '/', 4);
  const osMatch = OS_COMPONENT.exec(parts[0]!);
  if (osMatch === null) {
    throw invalid(
      `${goQuote(parts[0]!)} is an invalid OS component of ${goQuote(specifier)}: OSAndVersion specifier component must match ${goQuote(OS_SRC)}`,
    );
  }
  for (const part of parts.slice(1)) {
    if (!SPECIFIER.test(part)) {
      throw invalid(
        `${goQuote(part)} is an invalid component of ${goQuote(specifier)}: platform specifier component must match ${goQuote(SPECIFIER_SRC)}`,
      );
    }
  }
  const os = normalizeOs(osMatch[1]!, host);
  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) return make(os, host.architecture, host.variant ?? '');
      let [arch, variant] = normalizeArch(parts[0]!, '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      if (KNOWN_ARCH.has(arch)) return make(host.os, arch, variant);
      throw invalid(`${goQuote(specifier)}: unknown operating system or architecture`);
    }
    case 2: {
      let [arch, variant] = normalizeArch(parts[1]!, '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      return make(os, arch, variant);
    }
    case 3: {
      let [arch, variant] = normalizeArch(parts[1]!, parts[2]!);
      if (arch === 'arm64' && variant === '') variant = 'v8';
      return make(os, arch, variant);
    }
    default:
      throw invalid(`${goQuote(specifier)}: cannot parse platform specifier`);
  }
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** `os/arch[/variant]`, as containerd's Format (and FormatAll, without an OS version). */
export function formatPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  return [p.os, p.architecture, p.variant ?? ''].filter((s) => s !== '').join('/');
}

/** containerd's Normalize. */
export function normalizePlatform(p: Platform, host: Platform): Platform {
  const [arch, variant] = normalizeArch(p.architecture, p.variant ?? '');
  return make(normalizeOs(p.os, host), arch, variant);
}

export const LINUX_AMD64: Platform = Object.freeze({ os: 'linux', architecture: 'amd64' });
