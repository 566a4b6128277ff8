/** Small tar archives built in the test itself, for image and layer tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  data?: string | Buffer;
  linkname?: string;
  mode?: number;
}

export async function makeTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header: Partial<tar.Header> & { name: string } = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: new Date(1700000000000) };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    await new Promise<void>((resolve, reject) =>
      type === 'file'
        ? pack.entry(header, e.data ?? '', (err) => (err ? reject(err) : resolve()))
        : pack.entry(header, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A small root filesystem: directories, files, a symlink and a hard link. */
export function sampleRootfs(marker = 'v1'): Promise<Buffer> {
  return makeTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/tool', data: `#!/bin/sh\necho ${marker}\n`, mode: 0o755 },
    { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/config', data: 'key=value\n' },
    { name: 'etc/config-hard', type: 'link', linkname: 'etc/config' },
  ]);
}

/** A temporary directory removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
