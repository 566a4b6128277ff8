/**
 * Build progress as BuildKit shows it. `plain` (CI): every step numbered `#N`, its full output
 * line by line with the seconds since it started, `DONE 0.3s`, `CACHED` or `ERROR`. `tty`: a live
 * view redrawn in place — a header with the elapsed time and steps done, one line per step with
 * its timer or CACHED, and the last lines of a running step's output. `rawjson`: one JSON object
 * per event. Also keeps each step's output tail for the failure report.
 */
import type { SolveEvent } from '../../../solver/index.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'rawjson' | 'quiet';

export interface ProgressSink {
  write(text: string): void;
  readonly columns?: number;
}

interface Step {
  number: number;
  id: string;
  name: string;
  state: 'waiting' | 'started' | 'cached' | 'done' | 'error' | 'canceled';
  started?: number;
  ended?: number;
  /** Complete output lines, last ones only (for the tty view and the error report). */
  tail: string[];
  partial: string;
  error?: string;
}

const TAIL_LINES = 40;
const TTY_TAIL = 6;

export interface Progress {
  onEvent(event: SolveEvent): void;
  /** A step that is not a solver vertex (loading the definition, exporting); `log` adds a line of its output. */
  internal(name: string, fn: (log: (line: string) => void) => Promise<void>): Promise<void>;
  /** The last output lines of a step. */
  tailOf(id: string): string[];
  stop(): void;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export function createProgress(mode: ProgressMode, sink: ProgressSink): Progress {
  const steps = new Map<string, Step>();
  const order: Step[] = [];
  const begin = Date.now();
  let internals = 0;
  let timer: NodeJS.Timeout | undefined;
  let drawnLines = 0;

  const stepFor = (id: string, name: string): Step => {
    let s = steps.get(id);
    if (s === undefined) {
      s = { number: order.length + 1, id, name, state: 'waiting', tail: [], partial: '' };
      steps.set(id, s);
      order.push(s);
    }
    return s;
  };

  const addOutput = (s: Step, data: Buffer): string[] => {
    const text = s.partial + data.toString('utf8');
    const lines = text.split(/\r?\n/);
    s.partial = lines.pop() ?? '';
    s.tail.push(...lines);
    if (s.tail.length > TAIL_LINES) s.tail.splice(0, s.tail.length - TAIL_LINES);
    return lines;
  };

  const flushPartial = (s: Step): string | undefined => {
    if (s.partial === '') return undefined;
    const line = s.partial;
    s.tail.push(line);
    s.partial = '';
    return line;
  };

  const plainLine = (s: Step, line: string, at: number): void => {
    sink.write(`#${s.number} ${seconds(at - (s.started ?? at)).padStart(5)} ${line}\n`);
  };

  const onPlain = (event: SolveEvent): void => {
    if (event.type === 'log') {
      const s = steps.get(event.id);
      if (s === undefined) return;
      for (const line of addOutput(s, event.data)) plainLine(s, line, event.time);
      return;
    }
    const s = stepFor(event.id, event.name);
    switch (event.state) {
      case 'started':
        s.state = 'started';
        s.started = event.time;
        sink.write(`#${s.number} ${s.name}\n`);
        break;
      case 'cached':
        s.state = 'cached';
        sink.write(`#${s.number} ${s.name}\n#${s.number} CACHED\n\n`);
        break;
      case 'done': {
        s.state = 'done';
        s.ended = event.time;
        const last = flushPartial(s);
        if (last !== undefined) plainLine(s, last, event.time);
        sink.write(`#${s.number} DONE ${seconds(event.time - (s.started ?? event.time))}s\n\n`);
        break;
      }
      case 'error':
      case 'canceled': {
        s.state = event.state;
        s.ended = event.time;
        const last = flushPartial(s);
        if (last !== undefined) plainLine(s, last, event.time);
        if (event.state === 'error') s.error = event.error;
        sink.write(event.state === 'error' ? `#${s.number} ERROR: ${event.error ?? ''}\n\n` : `#${s.number} CANCELED\n\n`);
        break;
      }
    }
  };

  const columns = (): number => Math.max(40, sink.columns ?? 80);
  const fit = (text: string): string => (text.length > columns() ? `${text.slice(0, columns() - 1)}…` : text);

  const draw = (final: boolean): void => {
    const now = Date.now();
    const finished = order.filter((s) => s.state === 'done' || s.state === 'cached').length;
    const lines: string[] = [`[+] Building ${seconds(now - begin)}s (${finished}/${order.length})${final ? ' FINISHED' : ''}`];
    for (const s of order) {
      if (s.state === 'waiting') continue;
      const time = s.state === 'cached' ? 'CACHED' : s.started === undefined ? '' : `${seconds((s.ended ?? now) - s.started)}s`;
      const prefix = s.state === 'error' ? ' => ERROR ' : ' => ';
      const name = fit(`${prefix}${s.name}`);
      const pad = Math.max(1, columns() - name.length - time.length);
      lines.push(`${name}${' '.repeat(pad)}${time}`.slice(0, columns()));
      if (s.state === 'started' && !final) {
        const tail = [...s.tail, ...(s.partial === '' ? [] : [s.partial])].slice(-TTY_TAIL);
        for (const l of tail) lines.push(fit(` => => # ${l}`));
      }
    }
    let out = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
    out += lines.map((l) => `\x1b[2K${l}\n`).join('');
    // Clear what a longer previous frame left below.
    if (drawnLines > lines.length) out += `\x1b[J`;
    drawnLines = lines.length;
    sink.write(out);
  };

  const onTty = (event: SolveEvent): void => {
    if (event.type === 'log') {
      const s = steps.get(event.id);
      if (s !== undefined) addOutput(s, event.data);
      return;
    }
    const s = stepFor(event.id, event.name);
    if (event.state === 'started') s.started = event.time;
    else s.ended = event.time;
    s.state = event.state;
    if (event.state === 'error') s.error = event.error;
    if (event.state !== 'started') flushPartial(s);
    timer ??= setInterval(() => draw(false), 100);
  };

  const onRaw = (event: SolveEvent): void => {
    if (event.type === 'log') {
      const s = steps.get(event.id);
      if (s !== undefined) addOutput(s, event.data);
      sink.write(`${JSON.stringify({ type: 'log', vertex: event.id, stream: event.stream, data: event.data.toString('base64'), time: new Date(event.time).toISOString() })}\n`);
      return;
    }
    const s = stepFor(event.id, event.name);
    s.state = event.state;
    sink.write(`${JSON.stringify({ type: 'vertex', vertex: event.id, name: event.name, state: event.state, time: new Date(event.time).toISOString(), ...(event.error === undefined ? {} : { error: event.error }) })}\n`);
  };

  const onQuiet = (event: SolveEvent): void => {
    if (event.type === 'log') {
      const s = steps.get(event.id);
      if (s !== undefined) addOutput(s, event.data);
    } else {
      stepFor(event.id, event.name).state = event.state;
    }
  };

  const chosen = mode === 'plain' ? onPlain : mode === 'tty' ? onTty : mode === 'rawjson' ? onRaw : onQuiet;
  // Vertices without a name (the empty tree under FROM scratch) are not steps anyone wrote.
  const handler = (event: SolveEvent): void => {
    if (event.type === 'vertex' && event.name === '') return;
    chosen(event);
  };

  return {
    onEvent: handler,
    async internal(name, fn) {
      const id = `internal-${++internals}`;
      handler({ type: 'vertex', id, name, state: 'started', time: Date.now() });
      const log = (line: string): void => handler({ type: 'log', id, stream: 1, data: Buffer.from(`${line}\n`), time: Date.now() });
      try {
        await fn(log);
      } catch (err) {
        handler({ type: 'vertex', id, name, state: 'error', time: Date.now(), error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      handler({ type: 'vertex', id, name, state: 'done', time: Date.now() });
    },
    tailOf(id) {
      const s = steps.get(id);
      if (s === undefined) return [];
      return [...s.tail, ...(s.partial === '' ? [] : [s.partial])];
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (mode === 'tty') draw(true);
    },
  };
}
