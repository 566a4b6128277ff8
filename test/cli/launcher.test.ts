// bin/lade as a program: a shell line that execs Node on the same file without
// NODE_EXTRA_CA_CERTS (which Node 20 would read at every start), handing it on as
// LADE_EXTRA_CA_CERTS; and the same file run by `node bin/lade` directly.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin', 'lade');

/** The environment of the child once it is Node running lade (it reads the tar of `load` from stdin). */
async function nodeEnvironment(child: ChildProcess): Promise<Map<string, string>> {
  for (let i = 0; i < 600; i++) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    } catch {
      // Not started yet.
    }
    const argv = cmdline.split('\0');
    if (argv[0]?.endsWith('node') === true && argv[1] === bin) {
      const raw = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0').filter((kv) => kv !== '');
      return new Map(raw.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    }
    await sleep(50);
  }
  throw new Error(`lade never became a Node process: ${readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')}`);
}

async function environmentOf(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const child = spawn(command, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    return await nodeEnvironment(child);
  } finally {
    child.kill('SIGKILL');
  }
}

test('run as a program, Node starts without NODE_EXTRA_CA_CERTS and lade keeps it as LADE_EXTRA_CA_CERTS', async (t) => {
  // `load` waits for its tar on stdin, which the test never ends.
  const root = mkdtempSync(join(tmpdir(), 'lade-launcher-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/some bundle.pem' };
  delete env['LADE_EXTRA_CA_CERTS'];
  const launched = await environmentOf(bin, ['--root', root, 'load'], env);
  assert.equal(launched.has('NODE_EXTRA_CA_CERTS'), false);
  assert.equal(launched.get('LADE_EXTRA_CA_CERTS'), '/etc/ssl/certs/some bundle.pem');

  // Without the variable, nothing is added.
  delete env['NODE_EXTRA_CA_CERTS'];
  const plain = await environmentOf(bin, ['--root', root, 'load'], env);
  assert.equal(plain.has('LADE_EXTRA_CA_CERTS'), false);

  // `node bin/lade` is plain JavaScript: the shell line is a string and a comment.
  const direct = await environmentOf(process.execPath, [bin, '--root', '/nonexistent-lade-root', 'load'], { ...env, NODE_EXTRA_CA_CERTS: '/x.pem' });
  assert.equal(direct.get('NODE_EXTRA_CA_CERTS'), '/x.pem');
});

test('arguments reach lade unchanged through the shell line, spaces and quotes included', () => {
  const odd = ['--root', '/nonexistent root/"q"', 'image', 'inspect', "it's $HOME `x`"];
  const viaShell = spawnSync(bin, odd, { encoding: 'utf8' });
  const direct = spawnSync(process.execPath, [bin, ...odd], { encoding: 'utf8' });
  assert.equal(viaShell.status, direct.status);
  assert.equal(viaShell.stderr, direct.stderr);
  assert.match(viaShell.stderr, /it's \$HOME `x`/);
});
