/** Where commands write. Injected so tests can capture output without spawning a process. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (progress rendering, colours). */
  readonly isTTY: boolean;
}

export function processOutput(): Output {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
  };
}

export function bufferOutput(): Output & { out: string; err: string } {
  const buf = {
    out: '',
    err: '',
    isTTY: false,
    stdout(text: string) {
      buf.out += text;
    },
    stderr(text: string) {
      buf.err += text;
    },
  };
  return buf;
}
