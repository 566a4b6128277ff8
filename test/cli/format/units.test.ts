// go-units' own expectations (size_test.go, duration_test.go), restated, plus the precision-3
// sizes Docker's image and history tables print.
import assert from 'node:assert/strict';
import test from 'node:test';
import { bytesSize, createdSince, humanDuration, humanSize, humanSizeWithPrecision } from '../../../src/cli/format/units.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PiB = 1024 * TiB;
const KB = 1000;
const MB = 1000 * KB;
const GB = 1000 * MB;
const TB = 1000 * GB;
const PB = 1000 * TB;

test('BytesSize: binary units, four significant digits', () => {
  const cases: Array<[number, string]> = [
    [1024, '1KiB'],
    [1048576, '1MiB'],
    [2 * MiB, '2MiB'],
    [3.42 * GiB, '3.42GiB'],
    [5.372 * TiB, '5.372TiB'],
    [2.22 * PiB, '2.22PiB'],
    // Past the largest unit the number grows, in %g's exponent form.
    [KiB * KiB * KiB * KiB * KiB * PiB, '1.049e+06YiB'],
  ];
  for (const [n, want] of cases) assert.equal(bytesSize(n), want, String(n));
});

test('HumanSize: decimal units, four significant digits', () => {
  const cases: Array<[number, string]> = [
    [1000, '1kB'],
    [1024, '1.024kB'],
    [1000000, '1MB'],
    [1048576, '1.049MB'],
    [2 * MB, '2MB'],
    [3.42 * GB, '3.42GB'],
    [5.372 * TB, '5.372TB'],
    [2.22 * PB, '2.22PB'],
    [10000000000000 * PB, '1e+04YB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSizeWithPrecision(n, 4), want, String(n));
});

test("Docker's SIZE column: three significant digits", () => {
  const cases: Array<[number, string]> = [
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [7_802_412, '7.8MB'],
    [199_000_000, '199MB'],
    [1_234_567_890, '1.23GB'],
    // Go chooses the unit before rounding: 999.999kB rounds to 1000 and %g writes that in
    // exponent form. Docker prints this too.
    [999_999, '1e+03kB'],
    // 1.125 is an exact tie: %g rounds it to even.
    [1_125_000, '1.12MB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

test('HumanDuration', () => {
  const second = 1000;
  const minute = 60 * second;
  const hour = 60 * minute;
  const day = 24 * hour;
  const week = 7 * day;
  const month = 30 * day;
  const year = 365 * day;
  const cases: Array<[number, string]> = [
    [450, 'Less than a second'],
    [second, '1 second'],
    [45 * second, '45 seconds'],
    [59 * second, '59 seconds'],
    [60 * second, 'About a minute'],
    [3 * minute, '3 minutes'],
    [35 * minute + 40 * second, '35 minutes'],
    [59 * minute, '59 minutes'],
    [hour, 'About an hour'],
    [hour + 29 * minute, 'About an hour'],
    // Hours are rounded to nearest, minutes were truncated.
    [hour + 31 * minute, '2 hours'],
    [3 * hour + 59 * minute, '4 hours'],
    [24 * hour, '24 hours'],
    [day + 12 * hour, '36 hours'],
    [2 * day, '2 days'],
    [13 * day + 5 * hour, '13 days'],
    [2 * week, '2 weeks'],
    [4 * week + 3 * day, '4 weeks'],
    [month, '4 weeks'],
    [month + 2 * week, '6 weeks'],
    [2 * month, '2 months'],
    [5 * month + 2 * week, '5 months'],
    [23 * month, '23 months'],
    [24 * month, '24 months'],
    [24 * month + 2 * week, '2 years'],
    [3 * year + 2 * month, '3 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('CreatedSince counts from the whole second Docker stores', () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);
  assert.equal(createdSince(now - 2 * 60_000, now), '2 minutes ago');
  assert.equal(createdSince(now - 3 * 7 * 86_400_000, now), '3 weeks ago');
  // Created at 11:59:59.400 is stored as 11:59:59, one second old.
  assert.equal(createdSince(now - 600, now), '1 second ago');
  assert.equal(createdSince(now + 5000, now), 'Less than a second ago');
});
