// Platform specifiers (containerd) and image references (distribution), as BuildKit reads them.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  formatPlatform,
  normalizePlatform,
  parseImageReference,
  parsePlatform,
  type Platform,
} from '../../../src/frontend/stages/index.js';

const HOST: Platform = { os: 'linux', architecture: 'amd64' };

test('platform specifiers parse and normalise like containerd', () => {
  const cases: [string, Platform][] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['Linux/X86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/amd64/v1', { os: 'linux', architecture: 'amd64' }],
    ['linux/amd64/v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm', { os: 'linux', architecture: 'arm' }],
    ['linux/arm/7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/armhf', { os: 'linux', architecture: 'arm' }],
    ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/i386', { os: 'linux', architecture: '386' }],
    ['macos/arm64', { os: 'darwin', architecture: 'arm64' }],
    ['linux', { os: 'linux', architecture: 'amd64' }],
    ['arm64', { os: 'linux', architecture: 'arm64' }],
    ['windows(10.0.17763)/amd64', { os: 'windows', architecture: 'amd64' }],
  ];
  for (const [spec, expected] of cases) assert.deepEqual(parsePlatform(spec, HOST), expected, spec);
  assert.deepEqual(parsePlatform('linux', { os: 'linux', architecture: 'arm64', variant: 'v8' }), {
    os: 'linux',
    architecture: 'arm64',
    variant: 'v8',
  });
});

test('platform specifier errors, with containerd wording', () => {
  const cases: [string, string][] = [
    ['linux/*', '"linux/*": wildcards not yet supported: invalid argument'],
    ['foo', '"foo": unknown operating system or architecture: invalid argument'],
    ['linux/amd64/v2/x', '"linux/amd64/v2/x": cannot parse platform specifier: invalid argument'],
    ['linux/am d64', '"am d64" is an invalid component of "linux/am d64": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument'],
    ['lin ux/amd64', '"lin ux" is an invalid OS component of "lin ux/amd64": OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$": invalid argument'],
  ];
  for (const [spec, message] of cases) assert.throws(() => parsePlatform(spec, HOST), { message }, spec);
});

test('platform formatting and normalisation', () => {
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
  assert.equal(formatPlatform({ os: '', architecture: 'amd64' }), 'unknown');
  assert.deepEqual(normalizePlatform({ os: 'Linux', architecture: 'aarch64' }, HOST), { os: 'linux', architecture: 'arm64' });
});

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
