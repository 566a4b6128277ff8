// Builds the tree described by fixtures/pack-tree.json. Used by the round-trip test and by
// fixtures/record.sh, which has Go (containerd's way) pack the same tree into go-walk.tar.
import { chmodSync, constants, lchownSync, linkSync, lutimesSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lsetxattr, mknod } from '../../src/sys/index.js';
import { repoRoot } from '../helpers/paths.js';

interface TreeNode {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  target?: string;
  major?: number;
  minor?: number;
  mtimeNs?: string;
  xattrs?: Record<string, string>;
}

export const packTreeSpec = join(repoRoot, 'test', 'layer', 'fixtures', 'pack-tree.json');

const NODE_TYPES = { char: constants.S_IFCHR, block: constants.S_IFBLK, fifo: constants.S_IFIFO, socket: constants.S_IFSOCK } as const;

/** Byte i is i mod 251, as in the writer fixture. */
function content(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = i % 251;
  return body;
}

export function createTree(root: string, specPath = packTreeSpec): void {
  const listed = JSON.parse(readFileSync(specPath, 'utf8')) as TreeNode[];
  // Parents the spec does not list get fixed attributes too, so the tree is the same every time.
  const paths = new Set(listed.map((node) => node.path));
  const implied: TreeNode[] = [];
  for (const node of listed) {
    for (let dir = dirname(node.path); dir !== '.' && !paths.has(dir); dir = dirname(dir)) {
      paths.add(dir);
      implied.push({ path: dir, type: 'dir', mtimeNs: '1400000000000000000' });
    }
  }
  const nodes = [...implied, ...listed];
  for (const node of nodes) {
    const abs = join(root, node.path);
    mkdirSync(dirname(abs), { recursive: true });
    switch (node.type) {
      case 'dir':
        mkdirSync(abs, { recursive: true });
        break;
      case 'file':
        writeFileSync(abs, content(node.size ?? 0));
        break;
      case 'symlink':
        symlinkSync(node.target!, abs);
        break;
      case 'hardlink':
        linkSync(join(root, node.target!), abs);
        break;
      default:
        mknod(abs, NODE_TYPES[node.type] | 0o600, node.major ?? 0, node.minor ?? 0);
    }
  }
  for (const node of nodes) {
    if (node.type === 'hardlink') continue;
    const abs = join(root, node.path);
    lchownSync(abs, node.uid ?? 0, node.gid ?? 0);
    for (const [name, hex] of Object.entries(node.xattrs ?? {})) lsetxattr(abs, name, Buffer.from(hex, 'hex'));
    if (node.type !== 'symlink') chmodSync(abs, node.mode ?? (node.type === 'dir' ? 0o755 : 0o644));
  }
  // Times last, deepest directories first: creating and chmod-ing change them.
  const byDepth = nodes.map((node, index) => ({ node, index })).sort((a, b) => b.node.path.split('/').length - a.node.path.split('/').length);
  for (const { node, index } of byDepth) {
    if (node.type === 'hardlink') continue;
    const ns = BigInt(node.mtimeNs ?? `${1_500_000_000 + index}250000000`);
    const seconds = Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
    lutimesSync(join(root, node.path), seconds, seconds);
  }
}
