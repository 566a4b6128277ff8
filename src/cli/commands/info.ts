/** `lade info`: what this lade is and where it keeps its state (like `docker info`). */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { LeafCommand } from '../command-spec.js';
import { versionInfo } from '../version.js';

function operatingSystem(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const infoCommand: LeafCommand = {
  kind: 'leaf',
  name: 'info',
  usage: '[OPTIONS]',
  summary: 'Display system-wide information',
  args: { min: 0, max: 0 },
  options: [],
  run(ctx) {
    const v = versionInfo();
    const lines = [
      `Version: ${v.version}`,
      `Build: ${v.build}`,
      `Root Dir: ${ctx.global.root}`,
      `Debug Mode: ${ctx.global.debug}`,
      `Node.js: ${process.version}`,
      `Kernel Version: ${release()}`,
      `Operating System: ${operatingSystem()}`,
    ];
    ctx.out.stdout(`${lines.map((l) => ` ${l}`).join('\n')}\n`);
    return 0;
  },
};
