// Just enough of Go's net/netip for resolv.conf and /etc/hosts: parse an address the way
// netip.ParseAddr does, print it the way Addr.String does (RFC 5952 for IPv6), and tell loopback.

export interface IpAddr {
  readonly is6: boolean;
  /** 4 bytes, or 16 for IPv6. */
  readonly bytes: readonly number[];
  readonly zone: string;
}

function parse4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // netip refuses leading zeros ("010" could be read as octal elsewhere).
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parse6(input: string): number[] | undefined {
  let head = input;
  const lastColon = input.lastIndexOf(':');
  if (input.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 tail stands for the last two groups.
    const v4 = parse4(input.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    head = input.slice(0, lastColon + 1) + (((v4[0]! << 8) | v4[1]!).toString(16)) + ':' + (((v4[2]! << 8) | v4[3]!).toString(16));
  }
  const groupsWanted = 8;
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = toGroups(halves[0]!);
  const right = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = groupsWanted - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else {
    if (left.length !== groupsWanted) return undefined;
    groups = left;
  }
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  return bytes;
}

/** netip.ParseAddr; undefined when the text is not an address. */
export function parseIp(text: string): IpAddr | undefined {
  if (text.includes(':')) {
    const pct = text.indexOf('%');
    const zone = pct < 0 ? '' : text.slice(pct + 1);
    if (pct >= 0 && zone === '') return undefined;
    const bytes = parse6(pct < 0 ? text : text.slice(0, pct));
    return bytes === undefined ? undefined : { is6: true, bytes, zone };
  }
  const bytes = parse4(text);
  return bytes === undefined ? undefined : { is6: false, bytes, zone: '' };
}

function isV4Mapped(b: readonly number[]): boolean {
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** netip Addr.String. */
export function formatIp(ip: IpAddr): string {
  const b = ip.bytes;
  if (!ip.is6) return b.join('.');
  const zone = ip.zone === '' ? '' : `%${ip.zone}`;
  if (isV4Mapped(b)) return `::ffff:${b.slice(12).join('.')}${zone}`;
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':') + zone;
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}${zone}`;
}

export function isLoopback(ip: IpAddr): boolean {
  const b = ip.bytes;
  if (!ip.is6) return b[0] === 127;
  // netip: an IPv4-mapped address is IPv6, and ::ffff:127.0.0.1 is not loopback.
  if (isV4Mapped(b)) return false;
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}
