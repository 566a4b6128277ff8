/**
 * Per-layer progress of a pull or push, as the Docker CLI shows it: on a terminal one line per
 * layer, redrawn in place (`a1b2c3d4e5f6: Downloading [=====>     ]  12.3MB/45.6MB`); otherwise
 * a line per change of state, never a bar.
 */
const BAR = 50;
const REDRAW_MS = 100;

/** go-units' HumanSize, as Docker prints sizes: decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** Docker's JSONProgress: a 50-step bar with its arrow, then `%8v/%v` of the sizes. */
function bar(done: number, total: number): string {
  const steps = total > 0 ? Math.min(BAR, Math.floor(Math.floor((done / total) * 100) / 2)) : 0;
  return `[${'='.repeat(steps)}>${' '.repeat(BAR - steps)}] ${humanSize(done).padStart(8)}/${humanSize(total)}`;
}

export interface TransferProgress {
  /** A layer's new state; `bytes` of `total` for the moving states. */
  update(id: string, status: string, bytes?: number, total?: number): void;
  /** Draws the final state (a terminal view) and stops redrawing. */
  end(): void;
}

export function transferProgress(write: (text: string) => void, terminal: boolean): TransferProgress {
  const lines = new Map<string, string>();
  const lastStatus = new Map<string, string>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    let out = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const [id, text] of lines) out += `\x1b[2K${id}: ${text}\n`;
    drawn = lines.size;
    write(out);
  };
  return {
    update(id, status, bytes, total) {
      const short = id.replace(/^sha256:/, '').slice(0, 12);
      if (!terminal) {
        // Docker's output without a terminal: states only, no byte counts.
        if (bytes !== undefined) return;
        if (lastStatus.get(short) !== status) write(`${short}: ${status}\n`);
        lastStatus.set(short, status);
        return;
      }
      lines.set(short, bytes === undefined || total === undefined ? status : `${status} ${bar(bytes, total)}`);
      timer ??= setTimeout(draw, REDRAW_MS);
    },
    end() {
      if (timer !== undefined) clearTimeout(timer);
      if (terminal && lines.size > 0) draw();
    },
  };
}
