/**
 * Go's time formatting for the instants Docker prints: `time.Time.String()`
 * (`2006-01-02 15:04:05.999999999 -0700 MST`, Docker's `CreatedAt` for images and containers)
 * and RFC 3339 (`2006-01-02T15:04:05Z07:00`, `docker history --human=false`), in Go's local zone
 * unless another is given. Instants are epoch milliseconds.
 */
import { type Zone, localZone } from './go-zone.js';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

interface Local {
  date: string;
  time: string;
  /** Fractional seconds as `.123`, trailing zeros trimmed; empty for whole seconds. */
  fraction: string;
  offset: number;
  abbrev: string;
}

function toLocal(ms: number, zone: Zone): Local {
  const sec = Math.floor(ms / 1000);
  const { offset, abbrev } = zone.lookup(sec);
  const d = new Date(sec * 1000 + offset * 1000);
  const year = d.getUTCFullYear();
  const frac = ms - sec * 1000;
  return {
    date: `${year < 0 ? '-' + pad(-year, 4) : pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`,
    time: `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`,
    fraction: frac === 0 ? '' : ('.' + pad(Math.round(frac), 3)).replace(/0+$/, ''),
    offset,
    abbrev,
  };
}

function numericOffset(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  return sign + hh + (colon ? ':' : '') + mm;
}

/** time.Time.String() without the monotonic clock reading. */
export function goTimeString(ms: number, zone: Zone = localZone()): string {
  const t = toLocal(ms, zone);
  // A zone without an abbreviation prints its offset in the MST position, as Go's -0700 form.
  const abbrev = t.abbrev !== '' ? t.abbrev : numericOffset(t.offset, false);
  return `${t.date} ${t.time}${t.fraction} ${numericOffset(t.offset, false)} ${abbrev}`;
}

/** time.RFC3339: `Z` for a zero offset; fractional seconds are dropped, as the layout has none. */
export function goRfc3339(ms: number, zone: Zone = localZone()): string {
  const t = toLocal(ms, zone);
  return `${t.date}T${t.time}${t.offset === 0 ? 'Z' : numericOffset(t.offset, true)}`;
}
