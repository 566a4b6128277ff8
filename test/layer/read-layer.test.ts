// readLayer against archives from other writers (GNU tar, tar-stream, hand-made blocks) and
// against broken archives: truncated anywhere, bad checksums, unsupported types, bad names.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import test from 'node:test';
import tar from 'tar-stream';
import { ErrorCode } from '../../src/errors/index.js';
import { readLayer, writeLayer, type LayerEntry, type LayerSource } from '../../src/layer/index.js';
import { formatPaxRecords } from '../../src/layer/pax.js';
import { encodeExtensionHeader, TypeFlag } from '../../src/layer/tar-header.js';
import { lsetxattr } from '../../src/sys/index.js';
import { buildTar, collect, entry, rejectsWith, scratch, streamOf } from './helpers.js';

async function entriesOf(data: Buffer | Readable): Promise<Array<LayerEntry & { data: string }>> {
  const out = [];
  for await (const { entry: e, body } of readLayer(Buffer.isBuffer(data) ? streamOf(data) : data)) {
    out.push({ ...e, data: (await collect(body)).toString('latin1') });
  }
  return out;
}

async function tarOf(sources: LayerSource[]): Promise<Buffer> {
  return collect(writeLayer(sources));
}

/** A PAX extension block set ('x' or 'g') holding `records`. */
function paxBlocks(flag: number, name: string, records: Record<string, string | Buffer>): Buffer {
  const data = formatPaxRecords(new Map(Object.entries(records).map(([k, v]) => [k, Buffer.from(v)])));
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([encodeExtensionHeader(flag, Buffer.from(name), data.length), data, Buffer.alloc(pad)]);
}

/** Sets a header's typeflag (at `offset`) and fixes its checksum. */
function retype(data: Buffer, offset: number, flag: string): Buffer {
  const out = Buffer.from(data);
  out[offset + 156] = flag.charCodeAt(0);
  out.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += out[offset + i]!;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
  return out;
}

test('GNU tar archives read back with PAX xattrs, long names and long link targets', async (t) => {
  const dir = scratch(t);
  const src = join(dir, 'src');
  const longDir = join(src, 'l'.repeat(120));
  mkdirSync(longDir, { recursive: true });
  writeFileSync(join(longDir, 'ü-file'), 'hello');
  lsetxattr(join(longDir, 'ü-file'), 'user.tag', Buffer.from([0, 0xff, 0x80]));
  symlinkSync('t'.repeat(150), join(src, 'long-link'));
  utimesSync(join(longDir, 'ü-file'), 1_600_000_000.25, 1_600_000_000.25);
  for (const format of ['posix', 'gnu']) {
    const file = join(dir, `${format}.tar`);
    // GNU tar records xattrs only in the posix (PAX) format.
    const xattrs = format === 'posix' ? ['--xattrs', '--xattrs-include=*'] : [];
    execFileSync('tar', [...xattrs, `--format=${format}`, '--numeric-owner', '-C', src, '-cf', file, '.']);
    const entries = await entriesOf(readFileSync(file));
    const byPath = new Map(entries.map((e) => [e.path, e]));
    const fileEntry = byPath.get(`${'l'.repeat(120)}/ü-file`);
    assert.ok(fileEntry, `${format}: long non-ASCII name found among ${[...byPath.keys()].join(', ')}`);
    assert.equal(fileEntry.data, 'hello');
    assert.equal(byPath.get('long-link')?.linkname, 't'.repeat(150));
    assert.equal(byPath.get('.')?.type, 'dir', `${format}: the ./ entry is the root directory`);
    if (format === 'posix') {
      assert.deepEqual(fileEntry.xattrs.get('user.tag'), Buffer.from([0, 0xff, 0x80]));
      assert.equal(fileEntry.mtime, 1_600_000_000_250_000_000n);
    }
  }
});

test('tar-stream archives read back, and tar-stream reads what writeLayer writes', async () => {
  const long = `${'dir/'.repeat(40)}file`;
  const data = await buildTar([
    { header: { name: 'a/', type: 'directory', mode: 0o750, uid: 5, gid: 6 } },
    { header: { name: long, mode: 0o600 }, body: 'x'.repeat(700) },
    { header: { name: 'ln', type: 'symlink', linkname: 'a' } },
  ]);
  const entries = await entriesOf(data);
  assert.deepEqual(
    entries.map((e) => [e.path, e.type, e.mode, e.uid, e.gid, e.data.length, e.linkname]),
    [
      ['a', 'dir', 0o750, 5, 6, 0, ''],
      [long, 'file', 0o600, 0, 0, 700, ''],
      ['ln', 'symlink', 0o644, 0, 0, 0, 'a'],
    ],
  );

  const ours = await tarOf([{ entry: entry({ path: 'x/y', type: 'file', size: 3 }), body: Buffer.from('abc') }]);
  const extract = tar.extract();
  const seen: string[] = [];
  extract.on('entry', (header, stream, next) => {
    seen.push(`${header.name}:${header.size}`);
    stream.on('end', () => next());
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    extract.end(ours);
  });
  assert.deepEqual(seen, ['x/y:3']);
});

test('PAX records override header fields; PAX global headers are ignored as Docker ignores them', async () => {
  const file = await tarOf([{ entry: entry({ path: 'short', type: 'file', size: 2 }), body: Buffer.from('hi') }]);
  const local = paxBlocks(TypeFlag.PaxLocal, 'PaxHeaders.0/short', {
    path: 'renamed/by/pax',
    uid: '3000000',
    gid: '4000000',
    mtime: '1700000000.000000001',
    uname: 'üser',
    'SCHILY.xattr.security.capability': Buffer.from([1, 0, 0, 2, 0x80]),
  });
  const global = paxBlocks(TypeFlag.PaxGlobal, 'pax_global_header', { path: 'evil', uid: '666', comment: 'x' });
  const entries = await entriesOf(Buffer.concat([global, local, file]));
  assert.equal(entries.length, 1);
  const [e] = entries;
  assert.equal(e!.path, 'renamed/by/pax');
  assert.deepEqual([e!.uid, e!.gid, e!.uname, e!.mtime], [3_000_000, 4_000_000, 'üser', 1_700_000_000_000_000_001n]);
  assert.deepEqual(e!.xattrs.get('security.capability'), Buffer.from([1, 0, 0, 2, 0x80]));
  assert.equal(e!.data, 'hi');

  // A global header between entries changes nothing either, even for entries with local records.
  const two = await tarOf([
    { entry: entry({ path: 'one', type: 'file' }) },
    { entry: entry({ path: 'two', type: 'file', xattrs: new Map([['user.a', Buffer.from('1')]]) }) },
  ]);
  const spliced = Buffer.concat([two.subarray(0, 512), global, two.subarray(512)]);
  assert.deepEqual((await entriesOf(spliced)).map((x) => [x.path, x.uid]), [['one', 0], ['two', 0]]);
});

test('a PAX size record gives the body length; header-only types carry no data whatever their size', async () => {
  const header = retype(await tarOf([{ entry: entry({ path: 'f', type: 'file' }) }]), 0, '0');
  const withSize = Buffer.concat([paxBlocks(TypeFlag.PaxLocal, 'PaxHeaders.0/f', { size: '5' }), header.subarray(0, 512), Buffer.from('hello'), Buffer.alloc(507), Buffer.alloc(1024)]);
  assert.deepEqual((await entriesOf(withSize)).map((e) => [e.path, e.size, e.data]), [['f', 5, 'hello']]);

  // A symlink header claiming 600 bytes, followed directly by the next header (Go reads no data).
  const links = await tarOf([{ entry: entry({ path: 'l', type: 'symlink', linkname: 'x' }) }, { entry: entry({ path: 'next', type: 'dir' }) }]);
  const lying = Buffer.from(links);
  lying.write('00000001130\0', 124, 'latin1');
  const fixed = retype(lying, 0, '2');
  assert.deepEqual((await entriesOf(fixed)).map((e) => [e.path, e.size]), [['l', 0], ['next', 0]]);
});

test('names are cleaned like Docker: absolute names stay inside, escapes and empty names are refused', async () => {
  const cases: Array<[string, string | RegExp]> = [
    ['/abs/file', 'abs/file'],
    ['/../../etc/x', 'etc/x'],
    ['./a//b/./c', 'a/b/c'],
    ['a/../b', 'b'],
    ['../x', /points outside the layer root/],
    ['a/../../x', /points outside the layer root/],
    ['./', /empty after cleaning/],
    ['/', /empty after cleaning/],
  ];
  for (const [name, expected] of cases) {
    const data = await buildTar([{ header: { name }, body: 'x' }]);
    if (typeof expected === 'string') assert.equal((await entriesOf(data))[0]?.path, expected, name);
    else await rejectsWith(entriesOf(data), ErrorCode.LayerUnsafePath, expected);
  }
  await rejectsWith(entriesOf(await buildTar([{ header: { name: '' }, body: 'x' }])), ErrorCode.LayerUnsafePath, /empty/);
  // Old tars mark directories by a trailing slash on a '\0' typeflag.
  const old = retype(await buildTar([{ header: { name: 'olddir/' }, body: '' }]), 0, '\0');
  assert.equal((await entriesOf(old))[0]?.type, 'dir');
  const bad = Buffer.from(await buildTar([{ header: { name: 'abc' }, body: '' }]));
  bad[1] = 0xff;
  await rejectsWith(entriesOf(retype(bad, 0, '0')), ErrorCode.LayerUnsafePath, /not valid UTF-8/);
  const hardlink = await buildTar([{ header: { name: 'h', type: 'link', linkname: '../../etc/passwd' } }]);
  await rejectsWith(entriesOf(hardlink), ErrorCode.LayerUnsafePath, /hardlink target of "h"/);
});

test('unsupported entry types are refused with their name', async () => {
  const base = await tarOf([{ entry: entry({ path: 'weird', type: 'file' }) }]);
  for (const [flag, label] of [['S', /GNU sparse/], ['7', /contiguous/], ['V', /volume label/], ['D', /dump directory/], ['Z', /type 'Z'/]] as const) {
    await rejectsWith(entriesOf(retype(base, 0, flag)), ErrorCode.LayerUnsupportedEntry, label);
  }
  const sparse = Buffer.concat([paxBlocks(TypeFlag.PaxLocal, 'x', { 'GNU.sparse.major': '1' }), base]);
  await rejectsWith(entriesOf(sparse), ErrorCode.LayerUnsupportedEntry, /sparse/);
});

test('a truncated archive is an error wherever it is cut, never a shorter layer', async () => {
  const data = await tarOf([
    { entry: entry({ path: 'big', type: 'file', size: 1000 }), body: Buffer.alloc(1000, 0x61) },
    { entry: entry({ path: 'after', type: 'dir' }) },
  ]);
  assert.equal(data.length, 512 + 1024 + 512 + 1024);
  const cuts: Array<[number, RegExp]> = [
    [0, /without the end-of-archive/],
    [100, /inside the header at byte 0/],
    [512 + 300, /data of "big" stops after 300 of 1000 bytes/],
    [512 + 1000, /padding after "big"/],
    [512 + 1024, /ends at byte 1536 without the end-of-archive/],
    [2048, /ends at byte 2048 without the end-of-archive/],
    [2048 + 100, /inside the header at byte 2048/],
    [2048 + 512 + 100, /inside the end-of-archive blocks/],
  ];
  for (const [length, message] of cuts) {
    await rejectsWith(entriesOf(data.subarray(0, length)), ErrorCode.LayerTruncated, message);
  }
  // One zero block and the end of the data is a complete archive (Go accepts it too).
  assert.equal((await entriesOf(data.subarray(0, 2048 + 512))).length, 2);
});

test('corrupt headers are refused: bad checksum, compressed input, data after the end block', async () => {
  const data = await tarOf([{ entry: entry({ path: 'a', type: 'file', size: 1 }), body: Buffer.from('x') }, { entry: entry({ path: 'b', type: 'file' }) }]);
  const flipped = Buffer.from(data);
  flipped[1024 + 10] = flipped[1024 + 10]! ^ 0x01;
  await rejectsWith(entriesOf(flipped), ErrorCode.LayerFormat, /byte 1024: checksum mismatch/);
  const gzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(1020, 7)]);
  await rejectsWith(entriesOf(gzip), ErrorCode.LayerFormat, /gzip-compressed/);
  const trailing = Buffer.concat([data.subarray(0, data.length - 512), data.subarray(0, 512)]);
  await rejectsWith(entriesOf(trailing), ErrorCode.LayerFormat, /data after a zero block/);
});

test('bodies stream in bounded chunks; unread bodies are skipped; a stale body refuses to read', async () => {
  const size = 5 * 1024 * 1024 + 3;
  const data = await tarOf([
    { entry: entry({ path: 'big', type: 'file', size }), body: Buffer.alloc(size, 0x62) },
    { entry: entry({ path: 'small', type: 'file', size: 2 }), body: Buffer.from('ok') },
  ]);
  let chunks = 0;
  let total = 0;
  for await (const { entry: e, body } of readLayer(streamOf(data, 3 * 1024 * 1024))) {
    if (e.path !== 'big') continue;
    for await (const chunk of body) {
      chunks++;
      total += chunk.length;
      assert.ok(chunk.length <= 1024 * 1024);
    }
  }
  assert.equal(total, size);
  assert.ok(chunks >= 6);

  const kept: Array<{ path: string; body: AsyncIterable<Buffer> }> = [];
  for await (const { entry: e, body } of readLayer(streamOf(data))) kept.push({ path: e.path, body });
  assert.deepEqual(kept.map((k) => k.path), ['big', 'small']);
  await rejectsWith(collect(kept[0]!.body), ErrorCode.Internal, /after the reader moved on/);
});

test('reading to the end consumes trailing padding; stopping early releases the input', async () => {
  const data = Buffer.concat([await tarOf([{ entry: entry({ path: 'a', type: 'file' }) }]), Buffer.alloc(10240)]);
  const whole = streamOf(data);
  await entriesOf(whole);
  assert.equal(whole.readableEnded, true);

  const early = streamOf(Buffer.concat([await tarOf([{ entry: entry({ path: 'a', type: 'file' }) }, { entry: entry({ path: 'b', type: 'file' }) }])]), 512);
  for await (const { entry: e } of readLayer(early)) if (e.path === 'a') break;
  assert.equal(early.destroyed, true);
});

test('sub-second PAX mtimes from GNU tar survive, whole-second ones stay whole', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'f'), '');
  utimesSync(join(dir, 'f'), 1_650_000_000.5, 1_650_000_000.5);
  const stat = lstatSync(join(dir, 'f'), { bigint: true });
  const data = execFileSync('tar', ['--format=posix', '-C', dir, '-cf', '-', 'f'], { maxBuffer: 1 << 24 });
  const [e] = await entriesOf(data);
  assert.equal(e?.mtime, stat.mtimeNs);
});

test('a failing input stream is a LAYER_TRUNCATED error carrying the cause', async () => {
  const data = await tarOf([{ entry: entry({ path: 'a', type: 'file', size: 1000 }), body: Buffer.alloc(1000) }]);
  async function* failing(): AsyncGenerator<Buffer> {
    yield data.subarray(0, 700);
    throw new Error('EIO: i/o error, read');
  }
  await assert.rejects(entriesOf(Readable.from(failing())), (err: unknown) => {
    assert.ok(err instanceof Error && 'code' in err && err.code === ErrorCode.LayerTruncated);
    assert.match(err.message, /stream failed after 700 bytes: EIO/);
    assert.match(String((err.cause as Error).message), /EIO/);
    return true;
  });
});
