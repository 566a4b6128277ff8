// Go's time.Time.String() and RFC 3339 formatting in Go's zones. The zone files are the system's
// (Debian's tzdata package, which every Debian system has: it is "required"); the expected strings
// are what Go prints for the same instants and files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { goRfc3339, goTimeString } from '../../../src/cli/format/go-time.js';
import { UTC, fixedZone, loadZone, localZone, tzset, zoneFromTzif } from '../../../src/cli/format/go-zone.js';

const zoneinfo = '/usr/share/zoneinfo';
const env = { ZONEINFO: zoneinfo };
const at = (sec: number): number => sec * 1000;

test('UTC and fixed zones', () => {
  assert.equal(goTimeString(at(1700000000), UTC), '2023-11-14 22:13:20 +0000 UTC');
  assert.equal(goRfc3339(at(1700000000), UTC), '2023-11-14T22:13:20Z');
  assert.equal(goTimeString(at(0), fixedZone('IST', 19800)), '1970-01-01 05:30:00 +0530 IST');
  assert.equal(goRfc3339(at(0), fixedZone('', -12600)), '1969-12-31T20:30:00-03:30');
  // A zone without an abbreviation prints its offset where the abbreviation goes.
  assert.equal(goTimeString(at(0), fixedZone('', -12600)), '1969-12-31 20:30:00 -0330 -0330');
  // Fractional seconds print only when present, trailing zeros trimmed.
  assert.equal(goTimeString(1700000000120, UTC), '2023-11-14 22:13:20.12 +0000 UTC');
});

test('Europe/Berlin from its TZif file, across DST changes', () => {
  const berlin = loadZone('Europe/Berlin', env);
  const cases: Array<[number, string, string]> = [
    [0, '1970-01-01 01:00:00 +0100 CET', '1970-01-01T01:00:00+01:00'],
    [1711846799, '2024-03-31 01:59:59 +0100 CET', '2024-03-31T01:59:59+01:00'],
    [1711846800, '2024-03-31 03:00:00 +0200 CEST', '2024-03-31T03:00:00+02:00'],
    [1729990799, '2024-10-27 02:59:59 +0200 CEST', '2024-10-27T02:59:59+02:00'],
    [1729990800, '2024-10-27 02:00:00 +0100 CET', '2024-10-27T02:00:00+01:00'],
    [-100000000, '1966-10-31 15:13:20 +0100 CET', '1966-10-31T15:13:20+01:00'],
    // After the file's last transition (2037) Go follows the POSIX rule in its footer.
    [Date.UTC(2049, 6, 1, 12) / 1000, '2049-07-01 14:00:00 +0200 CEST', '2049-07-01T14:00:00+02:00'],
    [Date.UTC(2049, 9, 31, 0, 59, 59) / 1000, '2049-10-31 02:59:59 +0200 CEST', '2049-10-31T02:59:59+02:00'],
    [Date.UTC(2049, 9, 31, 1) / 1000, '2049-10-31 02:00:00 +0100 CET', '2049-10-31T02:00:00+01:00'],
  ];
  for (const [sec, str, rfc] of cases) {
    assert.equal(goTimeString(at(sec), berlin), str, String(sec));
    assert.equal(goRfc3339(at(sec), berlin), rfc, String(sec));
  }
});

test('Australia/Sydney: a southern-hemisphere rule, where the year starts in DST', () => {
  const sydney = loadZone('Australia/Sydney', env);
  assert.equal(goTimeString(at(1700000000), sydney), '2023-11-15 09:13:20 +1100 AEDT');
  assert.equal(goTimeString(at(Date.UTC(2049, 6, 1, 12) / 1000), sydney), '2049-07-01 22:00:00 +1000 AEST');
  assert.equal(goTimeString(at(Date.UTC(2090, 0, 15) / 1000), sydney), '2090-01-15 11:00:00 +1100 AEDT');
});

test('POSIX TZ rules', () => {
  assert.deepEqual(tzset('CET-1CEST,M3.5.0,M10.5.0/3', Date.UTC(2050, 6, 1) / 1000), { offset: 7200, abbrev: 'CEST' });
  assert.deepEqual(tzset('<+03>-3', 0), { offset: 10800, abbrev: '+03' });
  // Without rules, the US ones apply (tzcode's default).
  assert.deepEqual(tzset('EST5EDT', Date.UTC(2050, 6, 1) / 1000), { offset: -14400, abbrev: 'EDT' });
  assert.equal(tzset('XY', 0), undefined);
});

test('the local zone follows TZ as Go reads it', () => {
  assert.equal(localZone({ TZ: '' }), UTC);
  assert.equal(localZone({ TZ: 'UTC' }), UTC);
  assert.equal(localZone({ TZ: ':UTC' }), UTC);
  // An unknown zone is UTC, not an error.
  assert.equal(localZone({ TZ: 'Nowhere/Special' }).lookup(0).abbrev, 'UTC');
  const byPath = localZone({ TZ: join(zoneinfo, 'Europe', 'Berlin') });
  assert.equal(goTimeString(at(1700000000), byPath), '2023-11-14 23:13:20 +0100 CET');
});

test('a file that is not TZif is refused', () => {
  assert.throws(() => zoneFromTzif('bad', new TextEncoder().encode('not a zone file at all, really not, no')), /not a TZif file/);
  const data = readFileSync(join(zoneinfo, 'Europe', 'Berlin'));
  assert.equal(zoneFromTzif('Berlin', data).lookup(1700000000).abbrev, 'CET');
});
