// RUN --mount specs: the parse-time check and the full parse after expansion.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseMount, type RunMount } from '../../../src/frontend/instructions/index.js';
import { errorOf } from './helpers.js';

const identity = (w: string) => w;
const full = (spec: string) => parseMount(spec, identity);

function mount(fields: Partial<RunMount>): RunMount {
  return {
    type: 'bind',
    from: '',
    source: '',
    target: '',
    readOnly: true,
    sizeLimit: 0,
    id: '',
    sharing: '',
    required: false,
    ...fields,
  };
}

test('parse time (no expander): only CSV syntax and `from` are looked at', () => {
  assert.deepEqual(parseMount('type=bogus,target=/x,from=build,mode=99,whatever'), mount({ from: 'build' }));
  assert.equal(errorOf(() => parseMount('from=$X')).message, "'from' doesn't support variable expansion, define alias stage instead");
  assert.equal(errorOf(() => parseMount('from=a${X}b')).message, "'from' doesn't support variable expansion, define alias stage instead");
  assert.equal(parseMount('from=a$').from, 'a$');
  assert.equal(errorOf(() => parseMount('')).message, 'failed to parse csv mounts: EOF');
});

test('bind mounts: defaults read-only, every alias of source/target/readonly', () => {
  assert.deepEqual(full('target=/src'), mount({ target: '/src' }));
  assert.deepEqual(full('type=bind,src=a,dst=/b,rw'), mount({ source: 'a', target: '/b', readOnly: false }));
  assert.deepEqual(full('TYPE=BIND,source=a,destination=/b,readwrite=true'), mount({ source: 'a', target: '/b', readOnly: false }));
  assert.deepEqual(full('type=bind,target=/b,from=build,ro'), mount({ target: '/b', from: 'build' }));
  assert.equal(full('type=bind,target=/b,rw=false').readOnly, true);
  assert.equal(full('type=bind,target=/b,readonly=0').readOnly, false);
  assert.equal(full('type=bind,target=/b,readonly').readOnly, true);
});

test('cache mounts: read-write by default, id, sharing, mode/uid/gid', () => {
  assert.deepEqual(
    full('type=cache,target=/root/.cache,id=go,sharing=LOCKED,mode=0700,uid=1000,gid=1000'),
    mount({ type: 'cache', target: '/root/.cache', readOnly: false, id: 'go', sharing: 'locked', mode: 0o700, uid: 1000, gid: 1000 }),
  );
  assert.equal(full('type=cache,target=/c,sharing=private').sharing, 'private');
  assert.equal(full('type=cache,target=/c,sharing=shared').sharing, 'shared');
  assert.equal(full('type=cache,target=/c,ro').readOnly, true);
});

test('tmpfs mounts: size in RAM units', () => {
  assert.deepEqual(full('type=tmpfs,target=/t,size=64m'), mount({ type: 'tmpfs', target: '/t', readOnly: false, sizeLimit: 64 * 1024 * 1024 }));
  assert.equal(full('type=tmpfs,target=/t,size=1.5GiB').sizeLimit, 1.5 * 1024 ** 3);
  assert.equal(full('type=tmpfs,target=/t,size=100').sizeLimit, 100);
  assert.equal(full('type=tmpfs,target=/t,size=2kb').sizeLimit, 2048);
});

test('secret and ssh mounts: required, env, ids', () => {
  assert.deepEqual(
    full('type=secret,id=tok,env=TOKEN,required'),
    mount({ type: 'secret', id: 'tok', env: 'TOKEN', required: true }),
  );
  assert.deepEqual(full('type=secret,source=s,target=/run/s,mode=0400'), mount({ type: 'secret', source: 's', target: '/run/s', mode: 0o400 }));
  assert.deepEqual(full('type=ssh,id=default,required=false'), mount({ type: 'ssh', id: 'default' }));
  assert.equal(full('type=ssh,required=true').required, true);
});

test('values are expanded before they are interpreted; keys and bare flags are not', () => {
  const env: Record<string, string> = { T: 'cache', DIR: '/go', SZ: '1k' };
  const expand = (w: string) => w.replace(/\$(\w+)/g, (_, n: string) => env[n] ?? '');
  assert.deepEqual(parseMount('type=$T,target=$DIR,id=$DIR', expand), mount({ type: 'cache', target: '/go', id: '/go', readOnly: false }));
  assert.equal(parseMount('type=tmpfs,target=/t,size=$SZ', expand).sizeLimit, 1024);
});

test('quoted CSV fields may contain commas', () => {
  assert.equal(full('type=bind,"target=/a,b",ro').target, '/a,b');
  assert.equal(full('type=bind,"target=/a""b"').target, '/a"b');
});

test('validation errors, with BuildKit wording', () => {
  const cases: [string, string][] = [
    ['type=volume,target=/x', 'unsupported mount type "volume"'],
    ['type=cach,target=/x', 'unsupported mount type "cach" (did you mean cache?)'],
    ['type=cache,target=/x,sharing=none', 'unsupported sharing value "none"'],
    ['type=cache,target=/x,sharing=lock', 'unsupported sharing value "lock" (did you mean locked?)'],
    ['type=cache,target=/x,sharing=privat', 'unsupported sharing value "privat" (did you mean private?)'],
    ['type=bind,target=/x,required', "unexpected key 'required' for mount type 'bind'"],
    ['required,type=secret,id=x', "unexpected key 'required' for mount type 'bind'"],
    ['type=cache,target=/x,required=true', "unexpected key 'required' for mount type 'cache'"],
    ['type=cache,target=/x,size=1m', "unexpected key 'size' for mount type 'cache'"],
    ['type=tmpfs,target=/x,size=lots', 'invalid value for size: lots'],
    ['type=tmpfs,target=/x,size=-1', 'invalid value for size: -1'],
    ['type=bind,target=/x,ro=maybe', 'invalid value for ro: maybe'],
    ['type=bind,target=/x,readwrite=2', 'invalid value for readwrite: 2'],
    ['type=secret,id=x,required=yes', 'invalid value for required: yes'],
    ['type=cache,target=/x,mode=0800', 'invalid value 0800 for mode'],
    ['type=cache,target=/x,uid=-1', 'invalid value -1 for uid'],
    ['type=cache,target=/x,gid=4294967296', 'invalid value 4294967296 for gid'],
    ['type=bind,target=/x,foo', "invalid field 'foo' must be a key=value pair"],
    ['type=bind,target=/x,tagret=/y', "unexpected key 'tagret' in 'tagret=/y' (did you mean target?)"],
    ['type=bind,target=/x,Color=red', "unexpected key 'color' in 'Color=red'"],
    ['type=bind,target=/x,mode=0755', 'mode not allowed for "bind" type mounts'],
    ['type=tmpfs,target=/x,uid=1', 'uid not allowed for "tmpfs" type mounts'],
    ['type=bind,target=/x,gid=1', 'gid not allowed for "bind" type mounts'],
    ['type=secret,id=x,from=build', 'secret mount should not have a from'],
    ['type=secret,id=x,sharing=locked', 'secret mount should not define sharing'],
    ['type=secret', 'invalid secret mount. one of source, target required'],
    ['type=secret,source=a,id=b', "both source and id can't be set"],
    ['type=bind,target=/x,sharing=shared', 'invalid cache sharing set for bind mount'],
    ['type=bind,"target=/x', 'failed to parse csv mounts: parse error on line 1, column 12: extraneous or missing " in quoted-field'],
    ['type=bind,"target=/x"y', 'failed to parse csv mounts: parse error on line 1, column 21: extraneous or missing " in quoted-field'],
  ];
  for (const [spec, message] of cases) {
    const err = errorOf(() => full(spec));
    assert.equal(err.message, message, spec);
    assert.equal(err.code, 'DOCKERFILE_INSTRUCTION');
  }
});
