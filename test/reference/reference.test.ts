// Image references, normalised as distribution/reference does (BuildKit and the Docker CLI).
import assert from 'node:assert/strict';
import test from 'node:test';
import { isLadeError } from '../../src/errors/index.js';
import { familiarString, parseImageReference } from '../../src/reference/index.js';

test('image references normalise like distribution/reference', () => {
  const cases: [string, string][] = [
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19'],
    ['library/alpine', 'docker.io/library/alpine:latest'],
    ['user/app:v1', 'docker.io/user/app:v1'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/user/app', 'docker.io/user/app:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b:c', 'localhost:5000/a/b:c'],
    ['ghcr.io/o/r@sha256:' + 'a'.repeat(64), 'ghcr.io/o/r@sha256:' + 'a'.repeat(64)],
    ['r:t@sha256:' + 'b'.repeat(64), 'docker.io/library/r:t@sha256:' + 'b'.repeat(64)],
    ['[::1]:5000/x', '[::1]:5000/x:latest'],
    ['Registry/app', 'Registry/app:latest'],
    // Looks like a registry (has a dot) but is not a valid host name: the whole is a path, without a domain.
    ['a__b.c-d/e', 'a__b.c-d/e:latest'],
  ];
  for (const [input, normalized] of cases) assert.equal(parseImageReference(input).normalized, normalized, input);
  const ref = parseImageReference('example.com:443/team/app:1.0');
  assert.deepEqual(ref, { domain: 'example.com:443', path: 'team/app', tag: '1.0', normalized: 'example.com:443/team/app:1.0' });
});

test('invalid image references, with distribution wording', () => {
  const cases: [string, string][] = [
    ['Alpine', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
    ['user/App', 'invalid reference format: repository name (user/App) must be lowercase'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    ['bad!name', 'invalid reference format'],
    ['', 'invalid reference format'],
    ['a:', 'invalid reference format'],
    ['a@sha256:abc', 'invalid reference format'],
    ['a@sha256:' + 'a'.repeat(63), 'invalid checksum digest length'],
    ['a@md5:' + 'a'.repeat(32), 'unsupported digest algorithm'],
    ['a@sha256:' + 'A'.repeat(64), 'invalid checksum digest format'],
    ['x/' + 'a'.repeat(256), 'repository name must not be more than 255 characters'],
    ['a:' + 't'.repeat(129), 'invalid reference format'],
  ];
  for (const [input, message] of cases) assert.throws(() => parseImageReference(input), { message }, input);
});

test('familiar forms are the ones docker images shows', () => {
  const cases: [string, string][] = [
    ['busybox', 'busybox:latest'],
    ['docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['index.docker.io/team/app', 'team/app:latest'],
    ['docker.io/library/a/b:1', 'library/a/b:1'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app:latest'],
    ['localhost/app:dev', 'localhost/app:dev'],
    [`alpine@sha256:${'a'.repeat(64)}`, `alpine@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, familiar] of cases) {
    const ref = parseImageReference(input);
    if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
    assert.equal(familiarString(ref), familiar, input);
  }
});

test('a bad reference is a typed error', () => {
  assert.throws(() => parseImageReference('Bad/Name'), (err: unknown) => isLadeError(err) && err.code === 'INVALID_REFERENCE');
});
