// -v, --mount and --tmpfs with Docker's parsers and messages: docker/cli internal/volumespec and
// opts/mount.go, moby daemon/volume/mounts/linux_parser.go (ParseMountRaw, validation).
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../../src/errors/index.js';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag, type MountRequest } from '../../../src/executor/index.js';

const bind = (source: string, destination: string, extra: Partial<Extract<MountRequest, { kind: 'bind' }>> = {}): MountRequest => ({
  kind: 'bind', source, destination, readOnly: false, propagation: 'rprivate', recursive: true, createSource: true, ...extra,
});

function fails(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LadeError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    return true;
  });
}

test('-v forms', () => {
  const table: [string, MountRequest][] = [
    ['/host:/ctr', bind('/host', '/ctr')],
    ['/host/:/ctr/', bind('/host', '/ctr')],
    ['/host:/ctr:ro', bind('/host', '/ctr', { readOnly: true })],
    ['/host:/ctr:rw', bind('/host', '/ctr')],
    ['/host:/ctr:ro,rshared', bind('/host', '/ctr', { readOnly: true, propagation: 'rshared' })],
    ['/host:/ctr:z', bind('/host', '/ctr')],
    ['/host:/ctr:Z,slave,cached', bind('/host', '/ctr', { propagation: 'slave' })],
    ['/data', { kind: 'anonymous', destination: '/data', readOnly: false }],
    ['/data/', { kind: 'anonymous', destination: '/data', readOnly: false }],
    ['/x', { kind: 'anonymous', destination: '/x', readOnly: false }],
  ];
  for (const [spec, want] of table) assert.deepEqual(parseVolumeFlag(spec), want, spec);
  assert.deepEqual(parseVolumeFlag('./data:/d', '/home/me'), bind('/home/me/data', '/d'));
  assert.deepEqual(parseVolumeFlag('../up:/d:ro', '/home/me'), bind('/home/up', '/d', { readOnly: true }));
});

test('-v errors', () => {
  fails(() => parseVolumeFlag(''), 'USAGE', 'invalid empty volume spec');
  fails(() => parseVolumeFlag('/a::/b'), 'USAGE', 'invalid spec: /a::/b: empty section between colons');
  fails(() => parseVolumeFlag('/a:/b:ro:x'), 'USAGE', 'invalid spec: /a:/b:ro:x: too many colons');
  fails(() => parseVolumeFlag('/foo:ro'), 'USAGE', "invalid volume specification: '/foo:ro'");
  fails(() => parseVolumeFlag('/a:/b:rx'), 'USAGE', 'invalid mode: rx');
  fails(() => parseVolumeFlag('/a:/b:ro,rw'), 'USAGE', 'invalid mode: ro,rw');
  fails(() => parseVolumeFlag('/a:/b:shared,slave'), 'USAGE', 'invalid mode: shared,slave');
  fails(() => parseVolumeFlag('/a:/'), 'USAGE', `invalid volume specification: '/a:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  fails(() => parseVolumeFlag('/a:rel'), 'USAGE', `invalid volume specification: '/a:rel': invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`);
  fails(() => parseVolumeFlag('/a:/b:nocopy'), 'USAGE', `invalid volume specification: '/a:/b:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`);
  fails(() => parseVolumeFlag('rel/dir'), 'USAGE', `invalid volume specification: 'rel/dir': invalid mount config for type "volume": invalid mount path: 'rel/dir' mount path must be absolute`);
  fails(() => parseVolumeFlag('mydata:/data'), 'CONTAINER_UNSUPPORTED', 'named volumes are not supported yet: mydata');
  fails(() => parseVolumeFlag('./data:/d'), 'CONTAINER_UNSUPPORTED', 'named volumes are not supported yet: ./data');
});

test('--mount bind, volume and tmpfs', () => {
  assert.deepEqual(parseMountFlag('type=bind,source=/h,target=/c'), bind('/h', '/c', { createSource: false }));
  assert.deepEqual(parseMountFlag('type=bind,src=/h,dst=/c,readonly'), bind('/h', '/c', { createSource: false, readOnly: true }));
  assert.deepEqual(parseMountFlag('type=bind,src=/h,destination=/c,ro=false,bind-propagation=rslave'), bind('/h', '/c', { createSource: false, propagation: 'rslave' }));
  assert.deepEqual(parseMountFlag('Type=bind,SRC=/h,dst=/c,bind-recursive=disabled,bind-create-src'), bind('/h', '/c', { recursive: false, createSource: true }));
  assert.deepEqual(parseMountFlag('type=bind,src=/h,dst=/c,ro,bind-recursive=readonly'), bind('/h', '/c', { createSource: false, readOnly: true }));
  assert.deepEqual(parseMountFlag('"type=bind","src=/a,b",dst=/c'), bind('/a,b', '/c', { createSource: false }));
  assert.deepEqual(parseMountFlag('type=bind,src=./x,dst=/c', '/w'), bind('/w/x', '/c', { createSource: false }));
  assert.deepEqual(parseMountFlag('dst=/anon'), { kind: 'anonymous', destination: '/anon', readOnly: false });
  assert.deepEqual(parseMountFlag('type=volume,target=/anon,ro,volume-nocopy'), { kind: 'anonymous', destination: '/anon', readOnly: true });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t'), { kind: 'tmpfs', destination: '/t', options: [] });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770,readonly'), { kind: 'tmpfs', destination: '/t', options: ['ro', 'mode=1770', 'size=64m'] });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=1000'), { kind: 'tmpfs', destination: '/t', options: ['size=1000'] });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=2g'), { kind: 'tmpfs', destination: '/t', options: ['size=2g'] });
});

test('--mount errors', () => {
  fails(() => parseMountFlag(''), 'USAGE', 'value is empty');
  fails(() => parseMountFlag('type=bind,src=/h'), 'USAGE', 'invalid mount config for type "bind": field Target must not be empty');
  fails(() => parseMountFlag('type=bind,dst=/c'), 'USAGE', 'invalid mount config for type "bind": field Source must not be empty');
  fails(() => parseMountFlag('type=bind,src=rel,dst=/c'), 'USAGE', `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`);
  fails(() => parseMountFlag('type=bind,src=/h,dst=/'), 'USAGE', `invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,bind-propagation=weird'), 'USAGE', 'invalid mount config for type "bind": invalid propagation mode: weird');
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,bind-recursive=readonly'), 'USAGE', "option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,bind-recursive=maybe'), 'USAGE', 'invalid value for bind-recursive: maybe (must be "enabled", "disabled", "writable", or "readonly")');
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,bind-nonrecursive'), 'USAGE', 'bind-nonrecursive is deprecated, use bind-recursive=disabled instead');
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,ro=yes'), 'USAGE', `invalid value for 'ro': invalid boolean value ("yes"): must be one of "true", "1", "false", or "0" (default "true")`);
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,foo=bar'), 'USAGE', "unknown option 'foo' in 'foo=bar'");
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,flag'), 'USAGE', "invalid field 'flag' must be a key=value pair");
  fails(() => parseMountFlag('type=bind,src= /h,dst=/c'), 'USAGE', "invalid value for 'src' in 'src= /h': value should not have whitespace");
  fails(() => parseMountFlag('type=bind,src=,dst=/c'), 'USAGE', "invalid value for 'src': value is empty");
  fails(() => parseMountFlag('type=tmpfs,dst=/t,bind-propagation=shared'), 'USAGE', "cannot mix 'bind-*' options with mount type 'tmpfs'");
  fails(() => parseMountFlag('type=bind,src=/h,dst=/c,tmpfs-size=1m'), 'USAGE', "cannot mix 'tmpfs-*' options with mount type 'bind'");
  fails(() => parseMountFlag('type=tmpfs,src=/x,dst=/t'), 'USAGE', 'invalid mount config for type "tmpfs": field Source must not be specified');
  fails(() => parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=lots'), 'USAGE', 'invalid value for tmpfs-size: lots');
  fails(() => parseMountFlag('type=tmpfs,dst=/t,tmpfs-mode=999'), 'USAGE', 'invalid value for tmpfs-mode: 999');
  fails(() => parseMountFlag('type=npipe,src=/x,dst=/y'), 'USAGE', 'invalid mount config for type "npipe": mount type unknown');
  fails(() => parseMountFlag('type=volume,src=data,dst=/d'), 'CONTAINER_UNSUPPORTED', 'named volumes are not supported yet: data');
  fails(() => parseMountFlag('type=image,src=alpine,dst=/d'), 'CONTAINER_UNSUPPORTED', 'image mounts are not supported yet');
  fails(() => parseMountFlag('dst=/d,volume-driver=local'), 'CONTAINER_UNSUPPORTED', 'volume-driver is not supported yet: lade has no named volumes');
  // Columns checked against Go's encoding/csv.
  fails(() => parseMountFlag('type=bind,"src=/h'), 'USAGE', 'parse error on line 1, column 18: extraneous or missing " in quoted-field');
  fails(() => parseMountFlag('"type=bind"x'), 'USAGE', 'parse error on line 1, column 11: extraneous or missing " in quoted-field');
  fails(() => parseMountFlag('type=bind,src="/h"x,dst=/c'), 'USAGE', 'parse error on line 1, column 15: bare " in non-quoted-field');
  fails(() => parseMountFlag('type=bi"nd,src=/h'), 'USAGE', 'parse error on line 1, column 8: bare " in non-quoted-field');
});

test('--tmpfs', () => {
  assert.deepEqual(parseTmpfsFlag('/run'), { kind: 'tmpfs', destination: '/run', options: [] });
  assert.deepEqual(parseTmpfsFlag('/run/:rw,size=64m,exec'), { kind: 'tmpfs', destination: '/run', options: ['rw', 'size=64m', 'exec'] });
  assert.deepEqual(parseTmpfsFlag('/run:'), { kind: 'tmpfs', destination: '/run', options: [] });
  fails(() => parseTmpfsFlag('run'), 'USAGE', "invalid mount path: 'run' mount path must be absolute");
  fails(() => parseTmpfsFlag('/'), 'USAGE', "invalid specification: destination can't be '/'");
  fails(() => parseTmpfsFlag('/run:huge=always'), 'USAGE', 'invalid tmpfs option "huge"');
});
