/**
 * `lade login` and `lade logout`: credentials checked against the registry, then kept where the
 * Docker CLI keeps them (see registry/credentials.ts). The password never reaches the terminal:
 * it is read from stdin (--password-stdin) or typed with echo off.
 */
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { closeConnections, endpointFor, eraseCredentials, RegistrySession, storeCredentials } from '../../../registry/index.js';
import type { LeafCommand, RunContext } from '../../command-spec.js';
import { insecureRegistries } from './options.js';

/** Docker's default registry when none is named. */
const DEFAULT_REGISTRY = 'docker.io';

function registryName(arg: string | undefined): string {
  if (arg === undefined) return DEFAULT_REGISTRY;
  const bare = arg.replace(/^https?:\/\//, '').split('/')[0]!;
  return bare === 'index.docker.io' || bare === 'registry-1.docker.io' ? DEFAULT_REGISTRY : bare;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function prompt(ctx: RunContext, question: string, hidden: boolean): Promise<string> {
  if (process.stdin.isTTY !== true) {
    throw new LadeError(ErrorCode.Usage, `cannot ask for the ${hidden ? 'password' : 'username'}: stdin is not a terminal`, { hint: 'Use -u USER and --password-stdin.' });
  }
  ctx.out.stderr(question);
  process.stdin.setRawMode(hidden);
  try {
    let answer = '';
    for await (const chunk of process.stdin) {
      const text = (chunk as Buffer).toString('utf8');
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return answer;
        if (ch === '\u0003') throw new LadeError(ErrorCode.Usage, 'login cancelled');
        if (ch === '\u007f') answer = answer.slice(0, -1);
        else answer += ch;
      }
    }
    return answer;
  } finally {
    process.stdin.setRawMode(false);
    if (hidden) ctx.out.stderr('\n');
  }
}

export const loginCommand: LeafCommand = {
  kind: 'leaf',
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  summary: 'Log in to a Docker registry',
  args: { min: 0, max: 1 },
  options: [
    { long: 'username', short: 'u', type: 'string', description: 'Username' },
    { long: 'password', short: 'p', type: 'string', description: 'Password' },
    { long: 'password-stdin', description: 'Take the password from stdin' },
    { long: 'insecure-registry', type: 'list', description: 'Reach this registry (HOST[:PORT]) over plain HTTP if it has no TLS' },
  ],
  async run(ctx, args, options) {
    const registry = registryName(args[0]);
    let username = typeof options['username'] === 'string' ? options['username'] : undefined;
    let password = typeof options['password'] === 'string' ? options['password'] : undefined;
    if (options['password-stdin'] === true) {
      if (password !== undefined) throw new LadeError(ErrorCode.Usage, '--password and --password-stdin are mutually exclusive');
      if (username === undefined) throw new LadeError(ErrorCode.Usage, 'Must provide --username with --password-stdin');
      password = await readStdin();
    } else if (password !== undefined) {
      ctx.out.stderr('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    username ??= await prompt(ctx, 'Username: ', false);
    password ??= await prompt(ctx, 'Password: ', true);
    if (username === '' || password === '') throw new LadeError(ErrorCode.Usage, 'Error: Cannot perform an interactive login from a non TTY device: username and password are required');
    const session = new RegistrySession(endpointFor(registry, { insecure: insecureRegistries(options) }), { username, password });
    await session.checkLogin().finally(closeConnections);
    storeCredentials(registry, username, password);
    ctx.out.stdout(`Login Succeeded\n`);
    return 0;
  },
};

export const logoutCommand: LeafCommand = {
  kind: 'leaf',
  name: 'logout',
  usage: '[SERVER]',
  summary: 'Log out from a Docker registry',
  args: { min: 0, max: 1 },
  options: [],
  async run(ctx, args) {
    const registry = registryName(args[0]);
    const shown = registry === DEFAULT_REGISTRY ? 'https://index.docker.io/v1/' : registry;
    if (!eraseCredentials(registry)) ctx.out.stdout(`Not logged in to ${shown}\n`);
    else ctx.out.stdout(`Removing login credentials for ${shown}\n`);
    return 0;
  },
};

