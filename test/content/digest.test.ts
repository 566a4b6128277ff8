import assert from 'node:assert/strict';
import test from 'node:test';
import {
  digestAlgorithm,
  digestHex,
  digestOf,
  isDigest,
  parseDigest,
  sha256Digest,
} from '../../src/content/index.js';
import { isLadeError } from '../../src/errors/index.js';

const HEX64 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HEX128 = 'a'.repeat(128);

function assertInvalid(s: string, pattern: RegExp): void {
  assert.throws(
    () => parseDigest(s),
    (err: unknown) => isLadeError(err) && err.code === 'INVALID_DIGEST' && pattern.test(err.message),
    `parseDigest(${JSON.stringify(s)}) should fail`,
  );
  assert.equal(isDigest(s), false);
}

test('parseDigest accepts the registered algorithms with their exact encodings', () => {
  for (const s of [`sha256:${HEX64}`, `sha512:${HEX128}`, `blake3:${HEX64}`]) {
    assert.equal(parseDigest(s), s);
    assert.equal(isDigest(s), true);
  }
  assert.equal(digestAlgorithm(parseDigest(`sha512:${HEX128}`)), 'sha512');
  assert.equal(digestHex(parseDigest(`sha256:${HEX64}`)), HEX64);
});

test('parseDigest rejects what the descriptor grammar rejects', () => {
  assertInvalid('', /expected algorithm:hex/);
  assertInvalid(HEX64, /expected algorithm:hex/);
  assertInvalid('sha256:', /expected algorithm:hex/);
  assertInvalid(':abc', /expected algorithm:hex/);
  assertInvalid(`SHA256:${HEX64}`, /expected algorithm:hex/);
  assertInvalid(`sha256:${HEX64.slice(0, 63)}!`, /expected algorithm:hex/);
  assertInvalid(`sha256 :${HEX64}`, /expected algorithm:hex/);
  assertInvalid(`sha256:${HEX64}\n`, /expected algorithm:hex/);
  assertInvalid('x'.repeat(300), /too long/);
});

test('registered algorithms need lowercase hex of their exact length', () => {
  assertInvalid(`sha256:${HEX64.toUpperCase()}`, /64 lowercase hex/);
  assertInvalid(`sha256:${HEX64}0`, /64 lowercase hex/);
  assertInvalid(`sha256:${HEX64.slice(1)}`, /64 lowercase hex/);
  assertInvalid(`sha512:${HEX64}`, /128 lowercase hex/);
  assertInvalid(`sha256:${'g'.repeat(64)}`, /64 lowercase hex/);
});

test('grammatical digests of unregistered algorithms are refused, naming the algorithm', () => {
  // Valid per the grammar (component separators, base64-ish encoding) but not registered.
  assertInvalid('md5:d41d8cd98f00b204e9800998ecf8427e', /unsupported algorithm "md5"/);
  assertInvalid('multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', /unsupported algorithm/);
  assertInvalid('sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564', /unsupported algorithm/);
});

test('isDigest never throws on odd input', () => {
  for (const v of [undefined, null, 42, {}, ['sha256:' + HEX64]]) assert.equal(isDigest(v), false);
});

test('sha256Digest validates the hex it is given', () => {
  assert.equal(sha256Digest(HEX64), `sha256:${HEX64}`);
  assert.throws(() => sha256Digest('abc'), { code: 'INVALID_DIGEST' });
  assert.throws(() => sha256Digest(HEX64.toUpperCase()), { code: 'INVALID_DIGEST' });
});

test('digestOf hashes exact bytes; strings as UTF-8', () => {
  assert.equal(digestOf(new Uint8Array(0)), `sha256:${HEX64}`);
  // The image spec's empty descriptor: content `{}`.
  assert.equal(digestOf('{}'), 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  assert.equal(digestOf('é'), digestOf(Buffer.from([0xc3, 0xa9])));
  assert.notEqual(digestOf('{}'), digestOf('{ }'));
});
