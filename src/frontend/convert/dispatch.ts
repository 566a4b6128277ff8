/**
 * One stage's expanded instructions → graph vertices and image config edits, as BuildKit's
 * dispatch does them. Only RUN, COPY, ADD and WORKDIR change the filesystem; the others edit
 * the config and add an empty-layer history entry.
 */
import { posix } from 'node:path';
import { goQuote } from '../gostrings/index.js';
import { locatedError, type Command } from '../instructions/index.js';
import { proxyEnvList, withImageEnv, type ExpandedCommand } from '../stages/index.js';
import { dispatchCopy } from './copy.js';
import { parseExposedPorts } from './expose.js';
import { commitToHistory, goList, goQuoteList, runCommandString } from './history.js';
import type { HealthcheckConfig } from './image-config.js';
import { stepName, type ConvertContext, type StageState } from './stage-state.js';

const DEFAULT_SHELL = ['/bin/sh', '-c'];

function shellOf(state: StageState): string[] {
  const shell = state.image.config.Shell;
  return shell !== undefined && shell.length > 0 ? [...shell] : [...DEFAULT_SHELL];
}

/** Shell form: the shell plus the command line as one argument (BuildKit's withShell). */
function commandArgs(state: StageState, cmdLine: readonly string[], prependShell: boolean): string[] {
  return prependShell ? [...shellOf(state), cmdLine.join(' ')] : [...cmdLine];
}

function upperKeyword(c: Command): string {
  return `${c.keyword.toUpperCase()}${c.original.slice(c.keyword.length)}`;
}

function dispatchRun(ctx: ConvertContext, state: StageState, command: ExpandedCommand, c: Extract<Command, { kind: 'run' }>): void {
  if (c.files.length > 0) throw locatedError('RUN with a heredoc is not supported yet', c.location);
  if (c.mounts.length > 0) throw locatedError('RUN --mount is not supported yet', c.location);
  if (c.security === 'insecure') throw locatedError('RUN --security=insecure is not supported', c.location);
  if (c.devices.length > 0) throw locatedError('RUN --device is not supported', c.location);
  const args = commandArgs(state, c.cmdLine, c.prependShell);
  const env = [...command.env, ...proxyEnvList(ctx.proxy)];
  const base = state.vertex ?? ctx.scratchVertex();
  state.vertex = ctx.graph.add(
    {
      kind: 'exec',
      args,
      env,
      cwd: state.image.config.WorkingDir || '/',
      user: state.image.config.User ?? '',
      network: c.network,
    },
    [base],
    {
      name: stepName(state, upperKeyword(c)),
      location: { ...c.location },
      stage: state.displayName,
      ...(state.ignoreCache ? { ignoreCache: true } : {}),
    },
  );
  const envMap = new Map<string, string>();
  for (const entry of command.env) {
    const eq = entry.indexOf('=');
    envMap.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? '' : entry.slice(eq + 1));
  }
  commitToHistory(state.image, `RUN ${runCommandString(args, command.args, envMap)}`, true, true);
}

function dispatchWorkdir(ctx: ConvertContext, state: StageState, c: Extract<Command, { kind: 'workdir' }>): void {
  let wd = c.path;
  if (!posix.isAbsolute(wd)) wd = posix.join('/', state.image.config.WorkingDir ?? '', wd);
  else wd = posix.normalize(wd);
  if (wd.length > 1 && wd.endsWith('/')) wd = wd.slice(0, -1);
  state.image.config.WorkingDir = wd;
  let withLayer = false;
  if (wd !== '/') {
    const user = state.image.config.User ?? '';
    const chown = user === '' ? undefined : user.includes(':') ? { user: user.slice(0, user.indexOf(':')), group: user.slice(user.indexOf(':') + 1) } : { user };
    const base = state.vertex ?? ctx.scratchVertex();
    state.vertex = ctx.graph.add(
      { kind: 'file', actions: [{ action: 'mkdir', path: wd, mode: 0o755, makeParents: true, ...(chown === undefined ? {} : { chown }) }] },
      [base],
      {
        name: stepName(state, upperKeyword(c)),
        location: { ...c.location },
        stage: state.displayName,
        ...(state.ignoreCache ? { ignoreCache: true } : {}),
      },
    );
    withLayer = true;
  }
  commitToHistory(state.image, `WORKDIR ${wd}`, withLayer);
}

export function dispatchCommand(ctx: ConvertContext, state: StageState, command: ExpandedCommand): void {
  const c = command.instruction;
  const config = state.image.config;
  switch (c.kind) {
    case 'run':
      dispatchRun(ctx, state, command, c);
      return;
    case 'copy':
    case 'add':
      dispatchCopy(ctx, state, command, c);
      return;
    case 'workdir':
      dispatchWorkdir(ctx, state, c);
      return;
    case 'env': {
      let env = config.Env ?? [];
      for (const p of c.pairs) env = withImageEnv(env, p.key, p.value);
      config.Env = env;
      commitToHistory(state.image, ['ENV', ...c.pairs.map((p) => `${p.key}=${p.value}`)].join(' '), false);
      return;
    }
    case 'label': {
      const labels = { ...(config.Labels ?? {}) };
      for (const p of c.pairs) labels[p.key] = p.value;
      config.Labels = labels;
      commitToHistory(state.image, ['LABEL', ...c.pairs.map((p) => `${p.key}=${p.value}`)].join(' '), false);
      return;
    }
    case 'arg': {
      const written = command.written.kind === 'arg' ? command.written.args : c.args;
      const parts = written.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`));
      commitToHistory(state.image, `ARG ${parts.join(' ')}`, false);
      return;
    }
    case 'expose': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      const these = parseExposedPorts(c.ports, c.location);
      for (const p of these) ports[p] = {};
      config.ExposedPorts = ports;
      // Go's %v of the instruction's port set: a map, printed with its keys sorted.
      const keys = [...new Set(these)].sort();
      commitToHistory(state.image, `EXPOSE map[${keys.map((k) => `${k}:{}`).join(' ')}]`, false);
      return;
    }
    case 'volume': {
      const volumes = { ...(config.Volumes ?? {}) };
      for (const v of c.volumes) {
        if (v === '') throw locatedError('VOLUME specified can not be an empty string', c.location);
        volumes[v] = {};
      }
      config.Volumes = volumes;
      commitToHistory(state.image, `VOLUME ${goList(c.volumes)}`, false);
      return;
    }
    case 'user':
      config.User = c.user;
      commitToHistory(state.image, `USER ${c.user}`, false);
      return;
    case 'cmd': {
      const args = commandArgs(state, c.cmdLine, c.prependShell);
      config.Cmd = args;
      config.ArgsEscaped = true;
      state.cmdSet = true;
      commitToHistory(state.image, `CMD ${goQuoteList(args)}`, false);
      return;
    }
    case 'entrypoint': {
      const args = commandArgs(state, c.cmdLine, c.prependShell);
      // Go's omitempty: an empty entrypoint (`ENTRYPOINT []`) leaves the key out.
      if (args.length > 0) config.Entrypoint = args;
      else delete config.Entrypoint;
      if (!state.cmdSet) delete config.Cmd;
      commitToHistory(state.image, `ENTRYPOINT ${goQuoteList(args)}`, false);
      return;
    }
    case 'shell':
      config.Shell = [...c.shell];
      commitToHistory(state.image, `SHELL ${goList(c.shell)}`, false);
      return;
    case 'stopsignal':
      config.StopSignal = c.signal;
      commitToHistory(state.image, `STOPSIGNAL ${c.signal}`, false);
      return;
    case 'healthcheck': {
      const h = c.health;
      const health: HealthcheckConfig = { Test: [...h.test] };
      if (h.interval !== 0) health.Interval = h.interval;
      if (h.timeout !== 0) health.Timeout = h.timeout;
      if (h.startPeriod !== 0) health.StartPeriod = h.startPeriod;
      if (h.startInterval !== 0) health.StartInterval = h.startInterval;
      if (h.retries !== 0) health.Retries = h.retries;
      config.Healthcheck = health;
      commitToHistory(state.image, `HEALTHCHECK ${healthcheckHistory(health)}`, false);
      return;
    }
    case 'onbuild':
      // BuildKit records a trigger in the config only: no history entry.
      config.OnBuild = [...(config.OnBuild ?? []), c.expression];
      return;
    case 'maintainer':
      state.image.author = c.maintainer;
      commitToHistory(state.image, `MAINTAINER ${c.maintainer}`, false);
      return;
  }
}

/**
 * Go's `%q` of Docker 20.10's *container.HealthConfig (Test, Interval, Timeout, StartPeriod,
 * Retries; StartInterval came later): `&{["CMD" "x"] "5s" "0s" "0s" '\x03'}`.
 */
function healthcheckHistory(h: HealthcheckConfig): string {
  return `&{${goQuoteList(h.Test)} ${goQuote(goDuration(h.Interval ?? 0))} ${goQuote(goDuration(h.Timeout ?? 0))} ${goQuote(goDuration(h.StartPeriod ?? 0))} ${goRuneQuote(h.Retries ?? 0)}}`;
}

/** Go's time.Duration.String for the durations a HEALTHCHECK can hold. */
function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  if (nanos < 1_000_000_000) {
    if (nanos < 1_000) return `${nanos}ns`;
    if (nanos < 1_000_000) return `${nanos / 1_000}µs`;
    return `${nanos / 1_000_000}ms`;
  }
  let rest = nanos / 1_000_000_000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${out}${Number(rest.toFixed(9))}s`;
}

/** Go's %q of an int (strconv.QuoteRune): goQuote's escaping between single quotes. */
function goRuneQuote(n: number): string {
  const inner = goQuote(String.fromCodePoint(n)).slice(1, -1).replace('\\"', '"');
  return `'${inner === "'" ? "\\'" : inner}'`;
}

