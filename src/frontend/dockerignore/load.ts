/**
 * Which ignore file applies to a build, as BuildKit's Dockerfile frontend (dockerui)
 * decides: `<Dockerfile>.dockerignore` next to the Dockerfile if that file can be read, else
 * `<context>/.dockerignore`. The first one found is used alone; the two are never merged, and an
 * EMPTY Dockerfile-specific file still wins, leaving nothing ignored (the built-in frontend reads
 * it as an empty, non-nil file; recorded in test/fixtures/dockerignore/dockerfile-specific-empty).
 *
 * Neither file is subject to the ignore rules themselves: BuildKit fetches each one through its
 * own transfer that names just that file. Excluding `.dockerignore` or the Dockerfile in the
 * rules only keeps them out of what COPY/ADD can see; the build still reads both.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { parseDockerignore, type IgnoreRule } from './rules.js';

/**
 * `dockerfilePath` is the Dockerfile as the build names it: `-f`'s value, or
 * `<context>/Dockerfile` by default — even when Docker falls back to a lowercase `dockerfile`,
 * the specific ignore file is still `Dockerfile.dockerignore`.
 */
export async function loadDockerignore(
  contextDir: string,
  dockerfilePath: string,
): Promise<{ file: string; rules: IgnoreRule[] } | undefined> {
  const candidates = [
    join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`),
    join(contextDir, '.dockerignore'),
  ];
  for (const file of candidates) {
    const text = await readIfPresent(file);
    if (text !== undefined) return { file, rules: parseDockerignore(text, file) };
  }
  return undefined;
}

/** The file's text, or undefined where BuildKit would find nothing to read (absent, a directory). */
async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    // Decoded without stripping a BOM: the parser handles it the way Docker does.
    return (await readFile(file)).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw new LadeError(ErrorCode.FileRead, `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}
