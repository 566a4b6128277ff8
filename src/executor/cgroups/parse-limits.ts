/**
 * The Docker CLI's parsers for resource flags: `--memory`/`--memory-swap` (go-units v0.5.0
 * RAMInBytes, as docker/cli vendors it) and `--cpus` (opts.ParseCPUs, via big.Rat). Messages
 * are Docker's own, without the `invalid argument "…" for "--cpus" flag: ` prefix the CLI adds.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { parseGoFloat } from './go-float.js';
import { parseGoRat } from './go-rat.js';

const TWO_63 = 2 ** 63;

/** Go's int64(f) on amd64: truncation, and the "integer indefinite" value for NaN and overflow. */
function goInt64(f: number): number {
  if (Number.isNaN(f) || f >= TWO_63 || f < -TWO_63) return -TWO_63;
  return Math.trunc(f) + 0;
}

const BINARY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

function sizeError(message: string): LadeError {
  return new LadeError(ErrorCode.CgroupInvalidLimit, message, {
    hint: 'Give a number of bytes with an optional unit: b, k, m, g, t or p (e.g. 512m, 1.5g).',
  });
}

/**
 * units.RAMInBytes: `512m`, `1g`, `100000`, `1.5g`, `32 KiB`; case-insensitive units, binary
 * multiples. The result is truncated to an integer as Go's int64() does.
 */
export function parseMemoryBytes(s: string): number {
  let sep = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(s[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) throw sizeError(`invalid size: '${s}'`);
  const num = s[sep] === ' ' ? s.slice(0, sep) : s.slice(0, sep + 1);
  let sfx = s.slice(sep + 1);
  const parsed = parseGoFloat(num);
  if ('error' in parsed) throw sizeError(parsed.error);
  let size = parsed.value;
  if (size < 0) throw sizeError(`invalid size: '${s}'`);
  if (sfx === '') return goInt64(size);
  const badSuffix = (): LadeError => sizeError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw badSuffix();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw badSuffix();
    return goInt64(size);
  }
  const mul = BINARY_UNITS[sfx[0]!];
  if (mul === undefined) throw badSuffix();
  size *= mul;
  if (sfx.length === 2 && sfx[1] !== 'b') throw badSuffix();
  if (sfx.length === 3 && sfx.slice(1) !== 'ib') throw badSuffix();
  return goInt64(size);
}

/** `--memory-swap`: `-1` for unlimited swap, otherwise a size as `--memory`. */
export function parseMemorySwapBytes(s: string): number {
  return s === '-1' ? -1 : parseMemoryBytes(s);
}

/**
 * opts.ParseCPUs: a rational number (`1.5`, `3/2`, `1e-2`) that must be a whole number of
 * nano-CPUs, kept as Go keeps it in an int64 (the low 64 bits, for absurd inputs). Range
 * checks against the host's CPUs are the daemon's, in validateLimits.
 */
export function parseNanoCpus(s: string): bigint {
  const rat = parseGoRat(s);
  if (rat === undefined) {
    throw new LadeError(ErrorCode.CgroupInvalidLimit, `failed to parse ${s} as a rational number`, {
      hint: 'Give a number of CPUs such as 1.5 or 0.25.',
    });
  }
  const scaled = rat.num * 1_000_000_000n;
  if (scaled % rat.den !== 0n) {
    throw new LadeError(ErrorCode.CgroupInvalidLimit, 'value is too precise', {
      hint: 'Docker counts CPUs in billionths: use at most 9 decimal places.',
    });
  }
  return BigInt.asIntN(64, scaled / rat.den);
}

/** `--cpus` as a number of CPUs (nano-CPUs / 1e9), for CgroupLimits.cpus. */
export function parseCpus(s: string): number {
  return Number(parseNanoCpus(s)) / 1e9;
}
