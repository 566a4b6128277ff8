import { isLadeError } from '../../src/errors/index.js';
import { rng } from './rng.js';
import {
  dumpDockerfile,
  expandReachableStages,
  parseDockerfile,
  parseInstructions,
  resolveBuild,
} from '../../src/frontend/index.js';

/**
 * Generates random and mutated Dockerfiles for the "any bytes give a result or a typed error"
 * property. Deterministic for a seed, so a failure is reproducible from the printed seed.
 */

export { rng };

export class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const KEYWORDS = [
  'FROM', 'RUN', 'CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'VOLUME', 'USER', 'WORKDIR', 'COPY', 'ADD',
  'ARG', 'SHELL', 'STOPSIGNAL', 'HEALTHCHECK', 'ONBUILD', 'MAINTAINER',
];
const ODD_KEYWORDS = ['RUNN', 'FORM', 'run', 'Copy', 'onbuild', 'İNCLUDE', '', 'ＦＲＯＭ', 'EOF', '#RUN'];
const FLAGS = [
  '--from=build', '--from=0', '--chown=1000:1000', '--chown=user:$GID', '--chmod=755', '--chmod=u=rwX', '--link',
  '--link=false', '--parents', '--exclude=*.md', '--platform=linux/amd64', '--platform=$BUILDPLATFORM',
  '--mount=type=cache,target=/root/.cache', '--mount=type=bind,from=build,source=/a,target=/b,rw',
  '--mount=type=secret,id=tok,env=TOKEN', '--mount=type=tmpfs,target=/t,size=10m', '--mount=type=ssh',
  '--mount=type=bogus', '--network=none', '--network=host', '--security=insecure', '--interval=5s',
  '--timeout=1ms', '--retries=3', '--retries=-1', '--start-period=1h', '--checksum=sha256:abc', '--keep-git-dir',
  '--unpack=true', '--bogus', '--', '--x="a b"', '--=', '--mount', '--device=/dev/fuse',
];
const WORDS = [
  'alpine', 'busybox:1.36', 'scratch', 'AS', 'as', 'build', 'base', '/app', '.', './src', 'a b', '"quoted word"',
  "'single'", '$HOME', '${VAR}', '${VAR:-def}', '${VAR:+alt}', '${VAR:?err}', '${VAR#*/}', '${VAR%%.*}', '${VAR/a/b}',
  '${', '${}', '$1', 'key=value', 'k="v w"', 'k=', '=v', 'PATH', '8080/tcp', '80', 'echo', 'hi', '&&', '|', ';',
  'NONE', 'CMD', 'SIGTERM', '9', 'root', '1000:1000', '<<EOF', '<<-EOF', "<<'EOF'", '3<<X', '["a", "b"]', '[]',
  '["a", 1]', "['a']", '[ "unterminated', '{}', '\\', '`', '\\\\', '"', "'", '*', '**/*.go', '?', '[a-z]', 'é',
  '☃', '\u00a0', '\u2028', '\t', '\r',
];

function line(g: Gen): string {
  const keyword = g.chance(0.9) ? g.pick(KEYWORDS) : g.pick(ODD_KEYWORDS);
  const parts: string[] = [g.chance(0.1) ? keyword.toLowerCase() : keyword];
  const flagCount = g.chance(0.3) ? 1 + g.int(3) : 0;
  for (let i = 0; i < flagCount; i++) parts.push(g.pick(FLAGS));
  if (keyword === 'ONBUILD' && g.chance(0.7)) parts.push(g.pick(KEYWORDS));
  const n = g.int(5);
  for (let i = 0; i < n; i++) parts.push(g.pick(WORDS));
  let text = parts.join(g.chance(0.9) ? ' ' : g.pick(['  ', '\t', ' \\\n  ', '`\n']));
  if (g.chance(0.08)) text = `  ${text}`;
  if (g.chance(0.1)) text += ' \\';
  return text;
}

/** Lines that are valid more often than not, so both outcomes of the property are exercised. */
const TEMPLATES: readonly ((g: Gen) => string)[] = [
  (g) => `RUN ${g.pick(['echo $HOME', 'apt-get update && apt-get install -y curl', '["sh", "-c", "echo hi"]', 'set -e; \\\n  make'])}`,
  (g) => `RUN ${g.pick(FLAGS.filter((f) => f.startsWith('--mount') || f.startsWith('--network')))} true`,
  (g) => `${g.pick(['COPY', 'ADD'])} ${g.pick(['', '--chown=1000:1000 ', '--from=0 ', '--chmod=644 ', '--link '])}${g.pick(['.', 'src', '["a b", "c"]'])} ${g.pick(['/app/', 'dest', '$DIR'])}`,
  (g) => `ENV ${g.pick(['A=1', 'B="two words" C=3', 'LEGACY some value', 'PATH=/x:$PATH'])}`,
  (g) => `LABEL ${g.pick(['a=b', 'org.opencontainers.image.title="lade"', 'k=v k2=v2'])}`,
  (g) => `ARG ${g.pick(['X', 'Y=2', 'TARGETARCH', 'BASE', 'HTTP_PROXY'])}`,
  (g) => `${g.pick(['CMD', 'ENTRYPOINT'])} ${g.pick(['["app"]', 'app --serve', '[]'])}`,
  (g) => `WORKDIR ${g.pick(['/app', '$HOME/src', 'rel'])}`,
  (g) => `USER ${g.pick(['root', '1000:1000', '$USERNAME'])}`,
  (g) => `EXPOSE ${g.pick(['80', '8080/tcp 53/udp', '$PORT'])}`,
  (g) => `VOLUME ${g.pick(['/data', '["/a", "/b"]'])}`,
  (g) => `HEALTHCHECK ${g.pick(['NONE', '--interval=30s CMD curl -f http://localhost/', 'CMD ["true"]'])}`,
  (g) => `SHELL ${g.pick(['["/bin/bash", "-c"]', '["sh", "-c"]'])}`,
  (g) => `STOPSIGNAL ${g.pick(['SIGTERM', '9'])}`,
  (g) => `ONBUILD ${g.pick(['RUN make', 'COPY . /src', 'ENV A=b'])}`,
  (g) => `FROM ${g.pick(['alpine AS next', 'next', '$BASE', 'scratch'])}`,
];

function heredocBody(g: Gen, name: string): string {
  const lines = [];
  const n = g.int(4);
  for (let i = 0; i < n; i++) lines.push(g.pick(['echo $X', '\techo tab', '#!/bin/sh', 'EOFX', '', '${Y:-z}']));
  if (g.chance(0.9)) lines.push(g.chance(0.2) ? `\t${name}` : name);
  return lines.join('\n');
}

/** A random Dockerfile from the grammar's pieces, with directives, comments and heredocs. */
export function randomDockerfile(g: Gen): string {
  const out: string[] = [];
  if (g.chance(0.2)) out.push(g.pick(['# escape=`', '# escape=\\', '# syntax=docker/dockerfile:1', '# check=error=true', '# escape=`']));
  if (g.chance(0.02)) out.push('#escape=x');
  if (g.chance(0.1)) out.push(g.pick(['ARG BASE=alpine', 'ARG TAG', 'ARG A=1 B=2']));
  if (g.chance(0.01)) out.push('FROM x AS 1bad');
  if (g.chance(0.95)) out.push(`FROM ${g.pick(['alpine', '${BASE}', 'scratch', 'base AS build', '$BASE:$TAG as b', 'alpine', 'busybox AS b'])}`);
  const n = g.int(12);
  for (let i = 0; i < n; i++) {
    const r = g.next();
    if (r < 0.08) out.push(g.pick(['# comment', '', '   ', '#', '# escape=`']));
    else if (r < 0.16) {
      const name = g.pick(['EOF', 'END', 'X']);
      const second = g.chance(0.2);
      out.push(`${g.pick(['RUN', 'COPY', 'ADD', 'ONBUILD RUN'])} ${g.pick(['', '3', ''])}<<${g.pick([name, `"${name}"`, `-${name}`, `'${name}'`])} ${second ? `<<${name}2 ` : ''}${g.pick(['', '/dst', 'python3'])}`);
      out.push(heredocBody(g, name));
      if (second) out.push(heredocBody(g, `${name}2`));
    } else if (r < 0.65) out.push(g.pick(TEMPLATES)(g));
    else out.push(line(g));
  }
  return out.join(g.pick(['\n', '\n', '\n', '\r\n'])) + (g.chance(0.8) ? '\n' : '');
}

/** Byte-level mutations of a seed: flips, inserts of interesting bytes, deletions, splices. */
export function mutate(g: Gen, seed: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  let bytes = Array.from(seed);
  const rounds = 1 + g.int(6);
  const interesting = [0x00, 0x0a, 0x0d, 0x5c, 0x60, 0x22, 0x27, 0x24, 0x7b, 0x7d, 0x5b, 0x5d, 0x3c, 0x23, 0x3d, 0x2d, 0x20, 0x09, 0xff, 0xc3, 0xa0, 0x85, 0xe2, 0xef, 0xbb, 0xbf];
  for (let r = 0; r < rounds; r++) {
    const at = g.int(bytes.length + 1);
    switch (g.int(6)) {
      case 0:
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)]! ^= 1 << g.int(8);
        break;
      case 1:
        bytes.splice(at, 0, g.pick(interesting));
        break;
      case 2:
        bytes.splice(at, 1 + g.int(8));
        break;
      case 3: {
        const len = g.int(32);
        bytes.splice(at, 0, ...bytes.slice(at, at + len));
        break;
      }
      case 4: {
        const other = g.pick(others);
        const start = g.int(other.length + 1);
        bytes.splice(at, 0, ...Array.from(other.subarray(start, start + g.int(80))));
        break;
      }
      default:
        bytes.splice(at, 0, ...Array.from(Buffer.from(g.pick(['\\\n', '<<EOF\n', '["', '${', '--', ' AS ', '\nONBUILD ', '\r\n']))));
    }
  }
  if (bytes.length > 20000) bytes = bytes.slice(0, 20000);
  return Uint8Array.from(bytes);
}

export type Outcome = 'parsed' | 'rejected';

/**
 * The property: the whole frontend (parse, typed instructions, stage resolution, expansion,
 * dump) either succeeds or throws a LadeError that names the file and a line. Anything else
 * is thrown back to the caller as a failure.
 */
export function checkDockerfile(input: Uint8Array | string): Outcome {
  try {
    const parsed = parseDockerfile(input, { file: 'Dockerfile' });
    dumpDockerfile(parsed);
    const doc = parseInstructions(parsed);
    const build = resolveBuild(doc, { buildArgs: { BASE: 'alpine', HTTP_PROXY: 'http://proxy:3128' } });
    expandReachableStages(build, () => ['PATH=/usr/bin:/bin']);
    JSON.stringify(doc);
    return 'parsed';
  } catch (err) {
    if (!isLadeError(err) || err.code === 'INTERNAL') throw err;
    const loc = err.location;
    if (loc === undefined || loc.file !== 'Dockerfile' || !(loc.line >= 1)) {
      throw new Error(`LadeError without a Dockerfile location: ${err.code}: ${err.message}`, { cause: err });
    }
    return 'rejected';
  }
}
