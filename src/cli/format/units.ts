/**
 * github.com/docker/go-units (v0.5.0, the version docker/cli vendors): the human-readable sizes
 * and durations Docker prints in `SIZE` and `CREATED` columns.
 *
 * Sizes go through Go's `%.*g`, with its quirks kept: a value that rounds up to 1000 of a unit
 * prints in exponent form (`1e+03kB` for 999,999 bytes), since the unit is chosen before
 * rounding; exact ties round to even.
 */
import { formatFloat } from './go-float.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, units: readonly string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/**
 * units.HumanSizeWithPrecision: decimal units, `precision` significant digits. units.HumanSize,
 * which `docker system df` and the shared/unique image sizes use, is precision 4.
 */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1000, DECIMAL_UNITS);
  return formatFloat(size, 'g', precision) + unit;
}

/**
 * The size Docker prints for images and history entries (`199MB`, `1.23GB`, `999B`):
 * units.HumanSizeWithPrecision(size, 3).
 */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** units.BytesSize: binary units with four significant digits (`44KiB`, `17MiB`). */
export function bytesSize(bytes: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1024, BINARY_UNITS);
  return formatFloat(size, 'g', 4) + unit;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * units.HumanDuration of a duration in milliseconds: `Less than a second`, `About a minute`,
 * `3 weeks`, … Seconds and minutes are truncated, hours rounded to nearest, and days, weeks,
 * months (30 days) and years (365 days) derived from the rounded hours.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / HOUR) / 24 / 365)} years`;
}

/**
 * Docker's `CreatedSince` column: the age of `created` (both in epoch milliseconds) and ` ago`.
 * Docker computes it from whole seconds (`time.Unix(created, 0)`), so `created` is truncated to
 * the second first.
 */
export function createdSince(createdMs: number, nowMs: number = Date.now()): string {
  const created = Math.floor(createdMs / SECOND) * SECOND;
  return `${humanDuration(nowMs - created)} ago`;
}
