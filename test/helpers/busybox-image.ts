/** A busybox image imported into a fresh --root with the real CLI, for container tests. */
import { join } from 'node:path';
import { writeBusyboxTar } from './busybox.js';
import { lade } from './lade-cli.js';
import { tempDir } from './tar-fixtures.js';

export interface BusyboxImage {
  readonly root: string;
  readonly name: string;
  /** Runs lade with this --root. */
  lade(args: string[], options?: { input?: string | Buffer; env?: Record<string, string> }): ReturnType<typeof lade>;
}

/** Imports busybox as `name` with `changes` (Dockerfile instructions, as `lade import -c`). */
export function busyboxImage(name = 'busybox:test', changes: readonly string[] = ['CMD ["sh"]']): BusyboxImage {
  const dir = tempDir('lade-bbimg-');
  const root = join(dir, 'root');
  const tar = writeBusyboxTar(join(dir, 'rootfs'), join(dir, 'rootfs.tar'));
  const run = (args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}) => lade(['--root', root, ...args], options);
  const imported = run(['import', ...changes.flatMap((c) => ['-c', c]), tar, name]);
  if (imported.status !== 0) throw new Error(`lade import failed: ${imported.stderr}`);
  return { root, name, lade: run };
}
