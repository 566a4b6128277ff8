/**
 * Test base images made from Debian's static busybox (package busybox-static): there is no
 * registry to pull from here, so tests assemble their own root filesystems.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

export function haveBusybox(): boolean {
  if (!existsSync(BUSYBOX)) return false;
  try {
    return execFileSync('file', ['-b', BUSYBOX], { encoding: 'utf8' }).includes('statically linked');
  } catch {
    // `file` may be missing; busybox-static's binary is static by construction.
    return true;
  }
}

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'alice:x:1000:1000:Alice:/home/alice:/bin/sh',
  'bob:x:1001:100:Bob:/home/bob:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');

export const GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  'users:x:100:alice',
  'alice:x:1000:',
  'staff:x:50:alice,bob',
  'nogroup:x:65534:',
  '',
].join('\n');

/**
 * Writes a busybox root filesystem into `dir`: /bin/busybox with a link per applet in /bin,
 * /etc/passwd and /etc/group with users root, alice (1000) and bob (1001), /tmp, /root,
 * /home/alice. Returns `dir`.
 */
export function writeBusyboxRootfs(dir: string): string {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home/alice', 'proc', 'sys', 'dev', 'usr/bin', 'var']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a !== '' && a !== 'busybox');
  for (const applet of applets) {
    const link = join(dir, 'bin', applet);
    if (!existsSync(link)) symlinkSync('busybox', link);
  }
  writeFileSync(join(dir, 'etc', 'passwd'), PASSWD);
  writeFileSync(join(dir, 'etc', 'group'), GROUP);
  return dir;
}

/** The same root filesystem as an uncompressed tar (for `lade import`), written to `tarPath`. */
export function writeBusyboxTar(dir: string, tarPath: string): string {
  writeBusyboxRootfs(dir);
  execFileSync('tar', ['--numeric-owner', '-C', dir, '-cf', tarPath, '.']);
  return tarPath;
}
