/**
 * Go's `filepath.Clean` (Unix flavour), which Docker runs over every .dockerignore line.
 * `path.posix.normalize` differs from it in small ways that change which files are ignored
 * (it keeps a trailing slash and `./` prefixes), so lade follows Go's rules exactly.
 */

/**
 * Go's `filepath.Clean` on Unix: collapse repeated slashes, drop `.` elements, resolve `..`
 * against the element before it (a rooted path cannot climb above `/`, a relative one keeps
 * leading `..`), drop the trailing slash, and return `.` for an empty result. A backslash is an
 * ordinary character here, so `a\/b` cleans like any other two-element path.
 */
export function goCleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue;
    if (element === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(element);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}
