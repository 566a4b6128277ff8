// Platform specifiers, as BuildKit (containerd's platforms package) reads them.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  formatPlatform,
  normalizePlatform,
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
