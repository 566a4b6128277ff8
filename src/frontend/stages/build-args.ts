/**
 * Build arguments: the predefined ARGs BuildKit provides, the global ARG scope (predefined
 * platform ARGs plus the ARGs before the first FROM, `--build-arg` overriding defaults), and the
 * proxy variables every RUN receives without a declaration.
 */
import { LadeError } from '../../errors/index.js';
import type { ArgInstruction } from '../instructions/index.js';
import type { ShellLexer } from '../shell/index.js';
import { EnvList } from './env-list.js';
import { formatPlatform, type Platform } from './platform.js';

/** Passed to every RUN when given as build args, without being declared or recorded in history. */
export const PROXY_ARGS: readonly string[] = [
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy',
  'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
];

/** In the global scope automatically; inside a stage only after `ARG NAME`. */
export const PLATFORM_ARGS: readonly string[] = [
  'BUILDPLATFORM', 'BUILDOS', 'BUILDOSVERSION', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETOSVERSION', 'TARGETARCH', 'TARGETVARIANT', 'TARGETSTAGE',
];

/** Build args that configure the build itself (BuildKit's built-in build args). */
export const BUILTIN_ARGS: readonly string[] = [
  'BUILDKIT_BUILD_NAME', 'BUILDKIT_CACHE_MOUNT_NS', 'BUILDKIT_CONTEXT_KEEP_GIT_DIR', 'BUILDKIT_DOCKERFILE_CHECK',
  'BUILDKIT_INLINE_CACHE', 'BUILDKIT_MULTI_PLATFORM', 'BUILDKIT_SANDBOX_HOSTNAME', 'BUILDKIT_SBOM_SCAN_CONTEXT',
  'BUILDKIT_SBOM_SCAN_STAGE', 'BUILDKIT_SYNTAX', 'SOURCE_DATE_EPOCH',
];

/** ARGs that never enter the build environment, even when declared. */
export const NON_ENV_ARGS: ReadonlySet<string> = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/**
 * Whether a build arg is used by the builder itself, so it is never reported as unused. Proxy
 * names match in any case, as BuildKit reads them (`Http_Proxy` works too).
 */
export function isPredefinedArg(name: string): boolean {
  return (
    PROXY_ARGS.includes(name.toLowerCase()) || PLATFORM_ARGS.includes(name) || BUILTIN_ARGS.includes(name)
  );
}

export type BuildArgs = ReadonlyMap<string, string>;

/** A build-arg record (own properties only) or map, as a map. */
export function toBuildArgs(input: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined): BuildArgs {
  if (input === undefined) return new Map();
  if (input instanceof Map) return new Map(input);
  return new Map(Object.entries(input as Readonly<Record<string, string>>));
}

/** The predefined global ARGs (BuildKit's defaultArgs); a build arg of the same name wins. */
export function defaultArgs(
  buildPlatform: Platform,
  targetPlatform: Platform,
  targetStage: string,
  buildArgs: BuildArgs,
): EnvList {
  const values: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(buildPlatform)],
    ['BUILDOS', buildPlatform.os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', buildPlatform.architecture],
    ['BUILDVARIANT', buildPlatform.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(targetPlatform)],
    ['TARGETOS', targetPlatform.os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', targetPlatform.architecture],
    ['TARGETVARIANT', targetPlatform.variant ?? ''],
    ['TARGETSTAGE', targetStage === '' ? 'default' : targetStage],
  ];
  let env = EnvList.empty();
  for (const [key, value] of values) env = env.with(key, buildArgs.get(key) ?? value);
  return env;
}

export interface ResolvedArg {
  key: string;
  /** Undefined for `ARG NAME` with no default and no build arg. */
  value: string | undefined;
  /** Where the value came from. */
  source: 'build-arg' | 'default' | 'none';
}

/**
 * Adds the global ARGs to the predefined ones, in order: a build arg replaces the default, a
 * default is expanded with the global scope so far, and an ARG with neither stays unset.
 */
export function buildMetaArgs(
  predefined: EnvList,
  lexer: ShellLexer,
  metaArgs: readonly ArgInstruction[],
  buildArgs: BuildArgs,
): { env: EnvList; args: ResolvedArg[] } {
  let env = predefined;
  const args: ResolvedArg[] = [];
  for (const cmd of metaArgs) {
    for (const decl of cmd.args) {
      let value: string | undefined;
      let source: ResolvedArg['source'] = 'none';
      const given = buildArgs.get(decl.key);
      if (given !== undefined) {
        value = given;
        source = 'build-arg';
      } else if (decl.value !== undefined) {
        try {
          value = lexer.processWord(decl.value, env);
        } catch (err) {
          if (err instanceof LadeError) throw err.withLocation({ ...cmd.location });
          throw err;
        }
        source = 'default';
      }
      if (value !== undefined) env = env.with(decl.key, value);
      args.push({ key: decl.key, value, source });
    }
  }
  return { env, args };
}

export interface ProxyEnv {
  httpProxy?: string;
  httpsProxy?: string;
  ftpProxy?: string;
  noProxy?: string;
  allProxy?: string;
}

const PROXY_FIELDS: Record<string, keyof ProxyEnv> = {
  http_proxy: 'httpProxy',
  https_proxy: 'httpsProxy',
  ftp_proxy: 'ftpProxy',
  no_proxy: 'noProxy',
  all_proxy: 'allProxy',
};

/**
 * The proxy settings from the build args, names compared case-insensitively; with several
 * spellings of one name, the last in byte order wins (BuildKit sorts the keys). Undefined when
 * none is given.
 */
export function proxyFromBuildArgs(buildArgs: BuildArgs): ProxyEnv | undefined {
  const proxy: ProxyEnv = {};
  let any = false;
  for (const key of [...buildArgs.keys()].sort()) {
    const field = PROXY_FIELDS[key.toLowerCase()];
    if (field === undefined || !Object.hasOwn(PROXY_FIELDS, key.toLowerCase())) continue;
    proxy[field] = buildArgs.get(key)!;
    any = true;
  }
  return any ? proxy : undefined;
}

/** The variables a RUN gets for the proxy settings, appended after its environment. */
export function proxyEnvList(proxy: ProxyEnv | undefined): string[] {
  if (proxy === undefined) return [];
  const out: string[] = [];
  const add = (upper: string, value: string | undefined) => {
    if (value !== undefined && value !== '') out.push(`${upper}=${value}`, `${upper.toLowerCase()}=${value}`);
  };
  add('HTTP_PROXY', proxy.httpProxy);
  add('HTTPS_PROXY', proxy.httpsProxy);
  add('FTP_PROXY', proxy.ftpProxy);
  add('NO_PROXY', proxy.noProxy);
  add('ALL_PROXY', proxy.allProxy);
  return out;
}
