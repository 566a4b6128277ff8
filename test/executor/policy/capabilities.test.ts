// Capabilities as Docker grants them (moby daemon/pkg/oci/caps/utils.go TweakCapabilities,
// NormalizeLegacyCapabilities; containerd pkg/oci WithCapabilities; containerd pkg/cap Current).
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  DEFAULT_CAPABILITIES,
  LAST_CAPABILITY,
  allCapabilities,
  capabilitiesFromProcStatus,
  capabilityName,
  capabilityNumber,
  capabilitySets,
  normalizeCapabilities,
  resolveCapabilities,
} from '../../../src/executor/index.js';
import { LadeError } from '../../../src/errors/index.js';

const n = (name: string): number => {
  const v = capabilityNumber(name);
  assert.ok(v !== undefined, name);
  return v;
};
const names = (nums: readonly number[]): string[] => nums.map((x) => capabilityName(x)!);
const defaults = (): number[] => DEFAULT_CAPABILITIES.map(n).sort((a, b) => a - b);

test('names and numbers follow linux/capability.h up to CAP_CHECKPOINT_RESTORE', () => {
  const table: [string, number][] = [
    ['CAP_CHOWN', 0], ['CAP_DAC_OVERRIDE', 1], ['CAP_FOWNER', 3], ['CAP_KILL', 5], ['CAP_SETPCAP', 8],
    ['CAP_NET_BIND_SERVICE', 10], ['CAP_NET_ADMIN', 12], ['CAP_NET_RAW', 13], ['CAP_SYS_CHROOT', 18],
    ['CAP_SYS_PTRACE', 19], ['CAP_SYS_ADMIN', 21], ['CAP_SYS_RESOURCE', 24], ['CAP_MKNOD', 27],
    ['CAP_AUDIT_WRITE', 29], ['CAP_SETFCAP', 31], ['CAP_MAC_ADMIN', 33], ['CAP_AUDIT_READ', 37],
    ['CAP_PERFMON', 38], ['CAP_BPF', 39], ['CAP_CHECKPOINT_RESTORE', 40],
  ];
  for (const [name, num] of table) {
    assert.equal(capabilityNumber(name), num, name);
    assert.equal(capabilityName(num), name);
  }
  assert.equal(LAST_CAPABILITY, 40);
  assert.equal(allCapabilities().length, 41);
  assert.equal(capabilityNumber('SYS_ADMIN'), undefined, 'lookup is exact; normalisation adds the prefix');
  assert.equal(capabilityName(41), undefined);
});

test("Docker's default set is the fourteen capabilities of oci/caps/defaults.go", () => {
  assert.deepEqual(names(defaults()).sort(), [
    'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
    'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
  ]);
  assert.deepEqual(resolveCapabilities({ capAdd: [], capDrop: [], privileged: false }), defaults());
});

test('--cap-add/--cap-drop: prefix optional, case-insensitive, ALL on either side', () => {
  const cases: { add: string[]; drop: string[]; want: (d: number[]) => number[] }[] = [
    { add: ['sys_admin'], drop: [], want: (d) => [...d, n('CAP_SYS_ADMIN')] },
    { add: ['CAP_NET_ADMIN', 'Sys_Ptrace'], drop: [], want: (d) => [...d, n('CAP_NET_ADMIN'), n('CAP_SYS_PTRACE')] },
    { add: [], drop: ['chown', 'CAP_KILL'], want: (d) => d.filter((c) => c !== n('CAP_CHOWN') && c !== n('CAP_KILL')) },
    { add: [], drop: ['all'], want: () => [] },
    { add: ['NET_RAW'], drop: ['ALL'], want: () => [n('CAP_NET_RAW')] },
    { add: ['all'], drop: [], want: () => allCapabilities() },
    { add: ['ALL'], drop: ['sys_admin', 'MKNOD'], want: () => allCapabilities().filter((c) => c !== n('CAP_SYS_ADMIN') && c !== n('CAP_MKNOD')) },
    // Adds come after drops, so adding and dropping the same capability keeps it.
    { add: ['chown'], drop: ['chown'], want: (d) => d },
    { add: ['CAP_CHOWN'], drop: [], want: (d) => d },
  ];
  for (const c of cases) {
    const got = resolveCapabilities({ capAdd: c.add, capDrop: c.drop, privileged: false });
    assert.deepEqual(got, [...new Set(c.want(defaults()))].sort((a, b) => a - b), `add ${c.add} drop ${c.drop}`);
  }
});

test('an unknown capability is a usage error with Docker\'s message', () => {
  for (const [raw, shown] of [['foo', 'CAP_FOO'], ['CAP_BAR', 'CAP_BAR'], ['net-admin', 'CAP_NET-ADMIN']] as const) {
    assert.throws(
      () => resolveCapabilities({ capAdd: [raw], capDrop: [], privileged: false }),
      (e: unknown) => e instanceof LadeError && e.code === 'USAGE' && e.message === `unknown capability: "${shown}"`,
    );
    assert.throws(() => normalizeCapabilities([raw]), /unknown capability/);
  }
  assert.throws(() => resolveCapabilities({ capAdd: [], capDrop: ['nope'], privileged: false }), /unknown capability: "CAP_NOPE"/);
});

test('--privileged: every capability available, and cap flags are not even parsed (TweakCapabilities returns early)', () => {
  assert.deepEqual(resolveCapabilities({ capAdd: ['bogus'], capDrop: ['ALL'], privileged: true }), allCapabilities());
  const available = allCapabilities().filter((c) => c !== n('CAP_SYS_RESOURCE'));
  assert.deepEqual(resolveCapabilities({ capAdd: [], capDrop: [], privileged: true }, available), available);
});

test('capabilities missing from the environment: ALL skips them, naming one is refused', () => {
  const available = allCapabilities().filter((c) => c !== n('CAP_SYS_RESOURCE'));
  const all = resolveCapabilities({ capAdd: ['ALL'], capDrop: [], privileged: false }, available);
  assert.ok(!all.includes(n('CAP_SYS_RESOURCE')));
  assert.equal(all.length, 40);
  assert.throws(
    () => resolveCapabilities({ capAdd: ['SYS_RESOURCE'], capDrop: [], privileged: false }, available),
    /capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"/,
  );
});

test('the environment\'s capabilities come from CapEff, as containerd reads them', () => {
  const status = 'Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001ffffffffff\n';
  const caps = capabilitiesFromProcStatus(status);
  assert.equal(caps.length, 40);
  assert.ok(!caps.includes(24), 'bit 24 (CAP_SYS_RESOURCE) is clear');
  assert.deepEqual(capabilitiesFromProcStatus('CapEff:\t00000000a80425fb\n'), defaults(), "Docker's default set as a mask");
  assert.throws(() => capabilitiesFromProcStatus('Name: x\n'), /CapEff/);
});

test('sets per user: root gets bounding/effective/permitted; others only bounding; never inheritable or ambient', () => {
  const caps = defaults();
  const root = capabilitySets(caps, 0);
  assert.deepEqual(root, { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] });
  const user = capabilitySets(caps, 1000);
  assert.deepEqual(user, { bounding: caps, effective: [], permitted: [], inheritable: [], ambient: [] });
});
