// The tar codec against Go's archive/tar (what Docker and BuildKit use): byte-identical output
// for the same entries, and the same entries read back; plus PAX and header details.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { readLayer, writeLayer, type LayerEntry, type LayerSource } from '../../src/layer/index.js';
import { formatPaxRecord, formatPaxTime, parsePaxRecords, parsePaxTime } from '../../src/layer/pax.js';
import { decodeHeader, splitUstarName } from '../../src/layer/tar-header.js';
import { repoRoot } from '../helpers/paths.js';
import { collect, rejectsWith, streamOf } from './helpers.js';

const fixtures = join(repoRoot, 'test', 'layer', 'fixtures');

interface FixtureEntry {
  path: string;
  type: LayerEntry['type'];
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtimeNs: string;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Record<string, string>;
  size: number;
}

/** The same content the Go recorder writes: byte i is i mod 251. */
function fixtureBody(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = i % 251;
  return body;
}

function fixtureEntries(): Array<{ entry: LayerEntry; body: Buffer }> {
  const raw = JSON.parse(readFileSync(join(fixtures, 'writer-entries.json'), 'utf8')) as FixtureEntry[];
  return raw.map((e) => ({
    entry: {
      path: e.path,
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      uname: e.uname,
      gname: e.gname,
      size: e.size,
      mtime: BigInt(e.mtimeNs),
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
      xattrs: new Map(Object.entries(e.xattrs).map(([k, v]) => [k, Buffer.from(v, 'hex')])),
    },
    body: fixtureBody(e.size),
  }));
}

test('writeLayer produces the bytes Go archive/tar writes for BuildKit (PAX format)', async () => {
  const golden = readFileSync(join(fixtures, 'go-pax.tar'));
  const ours = await collect(writeLayer(fixtureEntries()));
  assert.equal(ours.length, golden.length);
  for (let offset = 0; offset < golden.length; offset += 512) {
    const a = ours.subarray(offset, offset + 512);
    const b = golden.subarray(offset, offset + 512);
    assert.ok(a.equals(b), `block at byte ${offset} differs:\n ours ${JSON.stringify(a.toString('latin1'))}\n   go ${JSON.stringify(b.toString('latin1'))}`);
  }
});

test('readLayer reads Go output back into the same entries and bodies', async () => {
  const expected = fixtureEntries();
  const seen: Array<{ entry: LayerEntry; body: Buffer }> = [];
  for await (const { entry, body } of readLayer(streamOf(readFileSync(join(fixtures, 'go-pax.tar'))))) {
    seen.push({ entry, body: await collect(body) });
  }
  assert.deepEqual(seen, expected);
});

test('writeLayer → readLayer is the identity, and the same entries give the same bytes', async () => {
  const sources: LayerSource[] = fixtureEntries().map(({ entry, body }) => ({ entry, body: [body.subarray(0, 7), body.subarray(7)] }));
  const first = await collect(writeLayer(sources));
  const again = await collect(writeLayer(fixtureEntries()));
  assert.ok(first.equals(again));
  const back = [];
  for await (const { entry } of readLayer(streamOf(first, 512))) back.push(entry);
  assert.deepEqual(back, fixtureEntries().map((e) => e.entry));
});

test('writeLayer refuses inconsistent entries instead of writing a wrong tar', async () => {
  const base = fixtureEntries()[2]!.entry; // a/hello.txt, 13 bytes
  const cases: Array<[LayerSource, RegExp]> = [
    [{ entry: { ...base, path: 'a/../b' } }, /not clean/],
    [{ entry: { ...base, path: '../b' } }, /outside/],
    [{ entry: { ...base, path: '.' } }, /root/],
    [{ entry: base, body: Buffer.alloc(12) }, /12 bytes, the entry declares 13/],
    [{ entry: base, body: Buffer.alloc(14) }, /longer/],
    [{ entry: { ...base, type: 'dir', size: 13 } }, /no data/],
    [{ entry: { ...base, type: 'hardlink', size: 0, linkname: '/abs' } }, /clean root-relative/],
    [{ entry: { ...base, type: 'symlink', size: 0, linkname: '' } }, /target/],
    [{ entry: { ...base, mode: 0o10644 } }, /permission bits/],
    [{ entry: { ...base, size: 0, xattrs: new Map([['user.a=b', Buffer.from('x')]]) } }, /xattr name/],
    [{ entry: { ...base, size: 0, xattrs: new Map([['user.big', Buffer.alloc(1 << 20)]]) } }, /1 MiB/],
    [{ entry: { ...base, mtime: 5 as unknown as bigint } }, /bigint/],
  ];
  for (const [source, message] of cases) {
    await rejectsWith(collect(writeLayer([source])), ErrorCode.LayerInvalidEntry, message);
  }
});

test('PAX records: length prefix includes itself, values stay binary', () => {
  assert.equal(formatPaxRecord('path', Buffer.from('a')).toString(), '9 path=a\n');
  // 98 bytes without the prefix: two digits would make 100, so the prefix needs three.
  const long = formatPaxRecord('k', Buffer.alloc(94, 0x61));
  assert.equal(long.length, 101);
  assert.ok(long.toString().startsWith('101 k='));
  const value = Buffer.from([0, 0xff, 0x0a, 0x3d, 0x80]);
  const parsed = parsePaxRecords(Buffer.concat([formatPaxRecord('SCHILY.xattr.user.x', value), formatPaxRecord('path', Buffer.from('ü'))]));
  assert.deepEqual(parsed.get('SCHILY.xattr.user.x'), value);
  assert.equal(parsed.get('path')?.toString(), 'ü');
  for (const bad of ['5 a=b\n', '9 path=a', 'x path=a\n', '7 =ab\n\n', '8 patha\n', '9 path=\0\n']) {
    assert.throws(() => parsePaxRecords(Buffer.from(bad)), { code: ErrorCode.LayerFormat }, JSON.stringify(bad));
  }
});

test('PAX times keep nanoseconds and round-trip negative values like Go', () => {
  assert.equal(parsePaxTime('1600000000.123456789'), 1_600_000_000_123_456_789n);
  assert.equal(parsePaxTime('1600000000.1234567891'), 1_600_000_000_123_456_789n);
  assert.equal(parsePaxTime('1600000000.5'), 1_600_000_000_500_000_000n);
  assert.equal(parsePaxTime('-1.5'), -1_500_000_000n);
  assert.equal(formatPaxTime(-1_500_000_000n), '-1.5');
  assert.equal(formatPaxTime(1_600_000_000_000_000_000n), '1600000000');
  assert.equal(formatPaxTime(1_600_000_000_120_000_000n), '1600000000.12');
  assert.throws(() => parsePaxTime('1.2.3'), { code: ErrorCode.LayerFormat });
});

test('USTAR name splitting follows Go: prefix ≤155, name ≤100, split at a slash', () => {
  assert.equal(splitUstarName(Buffer.from('a'.repeat(100))), undefined);
  assert.equal(splitUstarName(Buffer.from('a'.repeat(101))), undefined);
  const split = splitUstarName(Buffer.from(`${'p'.repeat(150)}/${'n'.repeat(100)}`));
  assert.deepEqual([split?.prefix.length, split?.name.length], [150, 100]);
  assert.equal(splitUstarName(Buffer.from(`${'p'.repeat(156)}/n`)), undefined);
});

test('header numbers: base-256 for big values, signed checksums, bad octal rejected', () => {
  const block = Buffer.alloc(512);
  block.write('file', 0);
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  // Base-256 size: 0x80 marker then big-endian 2^40.
  block[124] = 0x80;
  block.writeUIntBE(2 ** 40, 130, 6);
  block.write('00000000000\0', 136);
  block[156] = 0x30;
  block.write('ustar\0', 257);
  block.write('00', 263);
  // A byte ≥ 0x80 makes signed and unsigned checksums differ; store the signed one.
  block[300] = 0xe9;
  const sign = (b: Buffer): Buffer => {
    let signed = 0;
    for (let i = 0; i < 512; i++) signed += i >= 148 && i < 156 ? 32 : b[i]! < 128 ? b[i]! : b[i]! - 256;
    b.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    return b;
  };
  const header = decodeHeader(sign(block), 0);
  assert.equal(header.size, 2 ** 40);
  assert.equal(header.name.toString(), 'file');

  const corrupted = Buffer.from(block);
  corrupted[0] = 0x67; // 'g': same layout, wrong checksum
  assert.throws(() => decodeHeader(corrupted, 512), { code: ErrorCode.LayerFormat, message: /byte 512: checksum mismatch/ });

  const bad = Buffer.from(block);
  bad.write('00x0644\0', 100);
  assert.throws(() => decodeHeader(sign(bad), 1024), { code: ErrorCode.LayerFormat, message: /byte 1024: mode field/ });
});
