// The bridge's encoding and decoding, and the helper's protocol checks (no root needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import test from 'node:test';
import { ErrorCode, isLadeError } from '../../../src/errors/index.js';
import { decodeLogRecords, encodeSpec, parseReport, sandboxHelperPath, setupError } from '../../../src/executor/bridge/index.js';
import { SANDBOX_PROTOCOL_VERSION } from '../../../src/executor/sandbox-spec.js';
import { dockerLikeSpec } from '../sandbox-fixture.js';

function fields(buf: Buffer): string[] {
  const parts = buf.toString('utf8').split('\0');
  assert.equal(parts.pop(), '', 'every string is NUL-terminated');
  return parts;
}

/** The records of an encoded spec as [tag, ...fields], using the field counts of the protocol. */
function records(buf: Buffer): string[][] {
  const counts: Record<string, number> = { rootfsmount: 8, mount: 8, device: 7, symlink: 2, rlimit: 3, cap: 2, user: 2, end: 0 };
  const f = fields(buf).slice(2);
  const out: string[][] = [];
  while (f.length > 0) {
    const tag = f.shift()!;
    const n = counts[tag] ?? 1;
    out.push([tag, ...f.splice(0, n)]);
  }
  return out;
}

test('encodeSpec: header, one record per item, numbers in decimal, end last', () => {
  const spec = dockerLikeSpec('/r', ['/bin/sh', '-c', 'echo hi'], {
    rlimits: [{ resource: 7, soft: 1024, hard: Infinity }, { resource: 6, soft: -1, hard: 2 ** 64 }],
    additionalGids: [50, 100],
    oomScoreAdj: -500,
  });
  const buf = encodeSpec(spec);
  assert.deepEqual(fields(buf).slice(0, 2), ['lade-sandbox', String(SANDBOX_PROTOCOL_VERSION)]);
  const recs = records(buf);
  assert.deepEqual(recs.at(-1), ['end']);
  assert.deepEqual(recs.filter((r) => r[0] === 'arg').map((r) => r[1]), ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(recs.filter((r) => r[0] === 'ns').map((r) => r[1]), ['mount', 'pid', 'uts', 'ipc', 'net', 'cgroup']);
  assert.deepEqual(recs.filter((r) => r[0] === 'rlimit'), [['rlimit', '7', '1024', '-1'], ['rlimit', '6', '-1', '-1']]);
  assert.deepEqual(recs.filter((r) => r[0] === 'group'), [['group', '50'], ['group', '100']]);
  assert.deepEqual(recs.find((r) => r[0] === 'oom'), ['oom', '-500']);
  assert.deepEqual(recs.find((r) => r[0] === 'mount'), ['mount', '/proc', 'proc', 'proc', String(0x2 | 0x8 | 0x4), '', '0', 'dir', '']);
  assert.deepEqual(recs.find((r) => r[0] === 'device'), ['device', '/dev/null', 'c', '1', '3', '438', '0', '0']);
  assert.equal(recs.filter((r) => r[0] === 'cap' && r[1] === 'bounding').length, 14);
  assert.deepEqual(recs.find((r) => r[0] === 'user'), ['user', '0', '0']);
});

test('encodeSpec leaves oom out when null and rejects what the wire cannot carry', () => {
  assert.equal(records(encodeSpec(dockerLikeSpec('/r', ['true']))).find((r) => r[0] === 'oom'), undefined);
  const bad = [
    dockerLikeSpec('/r', ['echo', 'a\0b']),
    dockerLikeSpec('/r', ['true'], { uid: -1 }),
    dockerLikeSpec('/r', ['true'], { uid: 1.5 }),
    dockerLikeSpec('/r', ['true'], { oomScoreAdj: 1001 }),
    dockerLikeSpec('/r', []),
    dockerLikeSpec('/r', ['true'], { namespaces: ['user' as 'pid'] }),
  ];
  for (const spec of bad) {
    assert.throws(() => encodeSpec(spec), (err: unknown) => isLadeError(err) && err.code === ErrorCode.SandboxSpecInvalid);
  }
});

test('parseReport accepts the four reports and nothing malformed', () => {
  assert.deepEqual(parseReport('{"type":"pid","pid":12,"monitorPid":11}'), { type: 'pid', pid: 12, monitorPid: 11 });
  assert.deepEqual(parseReport('{"type":"started"}'), { type: 'started' });
  assert.deepEqual(parseReport('{"type":"error","step":"mount","errno":2,"path":"/x"}'), { type: 'error', step: 'mount', errno: 2, path: '/x' });
  assert.deepEqual(parseReport('{"type":"exit","exitCode":137,"signal":9}'), { type: 'exit', exitCode: 137, signal: 9 });
  for (const line of ['', 'nope', '{"type":"pid","pid":"1"}', '{"type":"error","step":"x"}', '{"type":"what"}', 'null']) assert.equal(parseReport(line), undefined, line);
});

test('decodeLogRecords returns whole records and leaves a partial one', () => {
  const rec = (stream: number, ns: bigint, data: string): Buffer => {
    const h = Buffer.alloc(13);
    h[0] = stream;
    h.writeBigUInt64LE(ns, 1);
    h.writeUInt32LE(Buffer.byteLength(data), 9);
    return Buffer.concat([h, Buffer.from(data)]);
  };
  const whole = Buffer.concat([rec(1, 5n, 'out\n'), rec(2, 6n, 'err\n')]);
  const buf = Buffer.concat([whole, rec(1, 7n, 'partial').subarray(0, 15)]);
  const { records: got, consumed } = decodeLogRecords(buf);
  assert.equal(consumed, whole.length);
  assert.deepEqual(got.map((r) => [r.stream, r.timeNs, r.data.toString()]), [[1, 5n, 'out\n'], [2, 6n, 'err\n']]);
});

test('setupError: Docker-like message, step/errno/path kept', () => {
  const err = setupError('mount', 2, '/data');
  assert.equal(err.code, ErrorCode.SandboxSetup);
  assert.equal(err.message, 'cannot start the container: mount /data: No such file or directory (step mount, errno ENOENT)');
  assert.equal(err.step, 'mount');
  assert.equal(err.errno, 2);
  assert.equal(err.path, '/data');
  assert.match(setupError('protocol', constants.errno.EPROTO, '7').message, /helper speaks protocol version 7, lade 1/);
});

test('sandboxHelperPath: a missing helper is a LadeError with the build hint', () => {
  assert.throws(
    () => sandboxHelperPath('/nonexistent/lade-sandbox'),
    (err: unknown) => isLadeError(err) && err.code === ErrorCode.SandboxHelperMissing && /make -C native\/sandbox/.test(err.hint ?? ''),
  );
  assert.match(sandboxHelperPath(), /native\/sandbox\/build\/lade-sandbox$/);
});

/** Runs the helper on raw spec bytes and returns its report lines. */
function runRaw(spec: Buffer): { reports: unknown[]; status: number | null } {
  const r = spawnSync('/bin/sh', ['-c', `exec "$0" 3<&0 4>&1 >/dev/null`, sandboxHelperPath()], { input: spec });
  return { reports: r.stdout.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown), status: r.status };
}

test('the helper checks the protocol version and rejects unknown tags', () => {
  const wrongVersion = runRaw(Buffer.from('lade-sandbox\x00999\x00end\x00'));
  assert.deepEqual(wrongVersion.reports, [{ type: 'error', step: 'protocol', errno: constants.errno.EPROTO, path: String(SANDBOX_PROTOCOL_VERSION) }]);
  assert.equal(wrongVersion.status, 127);
  const good = encodeSpec(dockerLikeSpec('/r', ['true']));
  const unknownTag = Buffer.concat([good.subarray(0, good.length - 4), Buffer.from('bogus\0x\0end\0')]);
  assert.deepEqual(runRaw(unknownTag).reports, [{ type: 'error', step: 'protocol', errno: constants.errno.EINVAL, path: 'unknown tag bogus' }]);
  assert.deepEqual(runRaw(good.subarray(0, good.length - 4)).reports, [{ type: 'error', step: 'protocol', errno: constants.errno.EINVAL, path: 'truncated spec: no end record' }]);
  assert.equal(runRaw(Buffer.from('something else\0')).reports.length, 1);
});
