/**
 * The wire protocol to the sandbox helper (native/sandbox), both directions.
 *
 * Spec (fd 3, read by the helper to EOF): NUL-terminated strings. First `lade-sandbox` and the
 * protocol version, then records — a tag and the fixed number of fields that tag takes — closed
 * by `end`. Numbers are decimal; booleans `0`/`1`; a record per list item. The tag table must
 * match native/sandbox/protocol.c:
 *
 * | tag | fields |
 * | --- | --- |
 * | ns | kind (mount pid uts ipc net cgroup) |
 * | joinpid, rootfs, rootfsro, hostname, loopback, nnp, cwd, terminal, stdin, init, oom, log, exitpath, attach, detach | value |
 * | rootfsmount, mount | destination type source flags data propagation create cwd |
 * | device | path kind(c/b) major minor mode uid gid |
 * | symlink | target path |
 * | mask, ro, arg, env, group, cgroup, onexit | one list item |
 * | rlimit | resource soft hard (`-1` is unlimited) |
 * | cap | set (bounding effective permitted inheritable ambient) number |
 * | user | uid gid |
 * | end | — |
 *
 * `oom` is left out when oomScoreAdj is null. Reports (fd 4): JSON lines, SandboxReport in
 * ../sandbox-spec.ts; the helper adds `monitorPid` to the pid report (`WirePidReport`), the only
 * way a caller learns the pid of a detached monitor, whose parent exited at once.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { SANDBOX_PROTOCOL_VERSION, type SandboxMount, type SandboxReport, type SandboxSpec } from '../sandbox-spec.js';

export const PROTOCOL_MAGIC = 'lade-sandbox';

/** Rlimit values at or above this (and negative ones, and Infinity) mean RLIM_INFINITY. */
const RLIM_INFINITY = 2 ** 64 - 1;

class Encoder {
  private readonly parts: Buffer[] = [];

  constructor(private readonly field: string) {}

  str(value: string, what: string): this {
    if (value.includes('\0')) throw invalid(`${what} contains a NUL byte`, this.field);
    this.parts.push(Buffer.from(value, 'utf8'), Buffer.alloc(1));
    return this;
  }

  int(value: number, what: string, min = 0, max = 2 ** 32 - 1): this {
    if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(`${what} must be an integer from ${min} to ${max}, got ${value}`, this.field);
    return this.str(String(value), what);
  }

  bool(value: boolean): this {
    return this.str(value ? '1' : '0', 'flag');
  }

  rlim(value: number, what: string): this {
    if (value < 0 || value >= RLIM_INFINITY) return this.str('-1', what);
    return this.int(value, what, 0, Number.MAX_SAFE_INTEGER);
  }

  record(tag: string, ...fields: Array<(e: this) => unknown>): this {
    this.str(tag, 'tag');
    for (const f of fields) f(this);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function invalid(message: string, field: string): LadeError {
  return new LadeError(ErrorCode.SandboxSpecInvalid, `invalid sandbox spec: ${message} (${field})`, {
    hint: 'this is a bug in the code that built the spec',
  });
}

const CREATE = new Set(['dir', 'file', 'none']);
const NAMESPACES = new Set(['mount', 'pid', 'uts', 'ipc', 'net', 'cgroup']);

function encodeMount(e: Encoder, tag: string, m: SandboxMount, where: string): void {
  if (!CREATE.has(m.create)) throw invalid(`create must be dir, file or none, got ${String(m.create)}`, where);
  e.record(
    tag,
    (x) => x.str(m.destination, 'destination'),
    (x) => x.str(m.type, 'type'),
    (x) => x.str(m.source, 'source'),
    (x) => x.int(m.flags, 'flags'),
    (x) => x.str(m.data, 'data'),
    (x) => x.int(m.propagation, 'propagation'),
    (x) => x.str(m.create, 'create'),
    (x) => x.str(m.cwd, 'cwd'),
  );
}

const CAP_SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;

/** The bytes the helper reads on fd 3. Throws SandboxSpecInvalid for a value the wire cannot carry. */
export function encodeSpec(spec: SandboxSpec): Buffer {
  const e = new Encoder('spec');
  e.str(PROTOCOL_MAGIC, 'magic').str(String(SANDBOX_PROTOCOL_VERSION), 'version');
  if (spec.args.length === 0) throw invalid('args is empty', 'args');
  for (const ns of spec.namespaces) {
    if (!NAMESPACES.has(ns)) throw invalid(`unknown namespace ${String(ns)}`, 'namespaces');
    e.record('ns', (x) => x.str(ns, 'namespace'));
  }
  e.record('joinpid', (x) => x.int(spec.joinPid, 'joinPid', 0, 2 ** 31 - 1));
  e.record('rootfs', (x) => x.str(spec.rootfsPath, 'rootfsPath'));
  spec.rootfsMounts.forEach((m, i) => encodeMount(e, 'rootfsmount', m, `rootfsMounts[${i}]`));
  e.record('rootfsro', (x) => x.bool(spec.rootfsReadonly));
  spec.mounts.forEach((m, i) => encodeMount(e, 'mount', m, `mounts[${i}] ${m.destination}`));
  for (const d of spec.devices) {
    if (d.kind !== 'c' && d.kind !== 'b') throw invalid(`device kind must be c or b, got ${String(d.kind)}`, d.path);
    e.record(
      'device',
      (x) => x.str(d.path, 'path'),
      (x) => x.str(d.kind, 'kind'),
      (x) => x.int(d.major, 'major', 0, 0xfffff),
      (x) => x.int(d.minor, 'minor', 0, 0xfffff),
      (x) => x.int(d.mode, 'mode', 0, 0o7777),
      (x) => x.int(d.uid, 'uid', 0, 2 ** 32 - 2),
      (x) => x.int(d.gid, 'gid', 0, 2 ** 32 - 2),
    );
  }
  for (const l of spec.symlinks) e.record('symlink', (x) => x.str(l.target, 'target'), (x) => x.str(l.path, 'path'));
  for (const p of spec.maskedPaths) e.record('mask', (x) => x.str(p, 'maskedPaths'));
  for (const p of spec.readonlyPaths) e.record('ro', (x) => x.str(p, 'readonlyPaths'));
  e.record('hostname', (x) => x.str(spec.hostname, 'hostname'));
  e.record('loopback', (x) => x.bool(spec.loopbackUp));
  for (const r of spec.rlimits) {
    e.record('rlimit', (x) => x.int(r.resource, 'resource', 0, 64), (x) => x.rlim(r.soft, 'soft'), (x) => x.rlim(r.hard, 'hard'));
  }
  for (const set of CAP_SETS) for (const cap of spec.capabilities[set]) e.record('cap', (x) => x.str(set, 'set'), (x) => x.int(cap, `capability in ${set}`, 0, 63));
  e.record('nnp', (x) => x.bool(spec.noNewPrivileges));
  e.record('user', (x) => x.int(spec.uid, 'uid', 0, 2 ** 32 - 2), (x) => x.int(spec.gid, 'gid', 0, 2 ** 32 - 2));
  for (const g of spec.additionalGids) e.record('group', (x) => x.int(g, 'additionalGids', 0, 2 ** 32 - 2));
  e.record('cwd', (x) => x.str(spec.cwd, 'cwd'));
  for (const a of spec.args) e.record('arg', (x) => x.str(a, 'args'));
  for (const v of spec.env) e.record('env', (x) => x.str(v, 'env'));
  e.record('terminal', (x) => x.bool(spec.terminal));
  e.record('stdin', (x) => x.bool(spec.stdin));
  e.record('init', (x) => x.bool(spec.init));
  for (const p of spec.cgroupProcs) e.record('cgroup', (x) => x.str(p, 'cgroupProcs'));
  if (spec.oomScoreAdj !== null) e.record('oom', (x) => x.int(spec.oomScoreAdj ?? 0, 'oomScoreAdj', -1000, 1000));
  const m = spec.monitor;
  e.record('log', (x) => x.str(m.logPath, 'logPath'));
  e.record('exitpath', (x) => x.str(m.exitPath, 'exitPath'));
  e.record('attach', (x) => x.bool(m.attach));
  e.record('detach', (x) => x.bool(m.detach));
  for (const a of m.onExit) e.record('onexit', (x) => x.str(a, 'onExit'));
  e.record('end');
  return e.bytes();
}

/** The pid report as the helper writes it: SandboxReport's, plus the monitor's own pid. */
export interface WirePidReport {
  readonly type: 'pid';
  readonly pid: number;
  readonly monitorPid: number;
}

export type WireReport = Exclude<SandboxReport, { type: 'pid' }> | WirePidReport;

/** One report line, checked; undefined for a line that is not a report (never expected). */
export function parseReport(line: string): WireReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const num = (k: string): boolean => typeof r[k] === 'number';
  switch (r['type']) {
    case 'pid':
      return num('pid') && num('monitorPid') ? { type: 'pid', pid: r['pid'] as number, monitorPid: r['monitorPid'] as number } : undefined;
    case 'started':
      return { type: 'started' };
    case 'error':
      return typeof r['step'] === 'string' && num('errno') && typeof r['path'] === 'string'
        ? { type: 'error', step: r['step'], errno: r['errno'] as number, path: r['path'] }
        : undefined;
    case 'exit':
      return num('exitCode') && num('signal') ? { type: 'exit', exitCode: r['exitCode'] as number, signal: r['signal'] as number } : undefined;
    default:
      return undefined;
  }
}
