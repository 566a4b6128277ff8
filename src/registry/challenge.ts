/**
 * WWW-Authenticate challenges (RFC 7235), as Docker's client reads them: the scheme and the
 * parameter names lower-cased, values as tokens or quoted strings with backslash escapes.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    const match = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(value);
    if (match === null) continue;
    const params: Record<string, string> = {};
    const rest = match[2]!;
    const param = /\s*([A-Za-z0-9._~+/-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy;
    for (let m = param.exec(rest); m !== null && m[0] !== ''; m = param.exec(rest)) {
      params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    }
    out.push({ scheme: match[1]!.toLowerCase(), params });
  }
  return out;
}
