/**
 * Go's text/tabwriter as docker/cli vendors it (cli/command/formatter/tabwriter: the standard
 * library's elastic tabstops, with cell widths from go-runewidth so wide characters count 2).
 *
 * The rules that shape `docker images` output follow from the algorithm, kept as is:
 * - cells are tab-*terminated*: the text after a line's last tab is not part of any column and
 *   is never padded, which is why the last column has no trailing spaces;
 * - a column's width is its widest cell plus `padding`, but at least `minwidth` (Docker: 10, so
 *   `TAG` becomes `TAG` and seven spaces);
 * - a column is a run of consecutive lines that have a cell there; a line with fewer cells ends
 *   the block, and a line with a single cell flushes everything before it, so alignment never
 *   crosses such a line;
 * - a cell that ends in a tab is padded even if nothing follows it on its line.
 *
 * Escapes (0xFF) and HTML filtering are not implemented: Docker uses neither, and 0xFF cannot
 * occur in the UTF-8 of a JavaScript string.
 */
import { stringWidth } from './runewidth.js';

export interface TabWriterOptions {
  /** Minimal cell width including padding. */
  minwidth: number;
  /** Width of a tab when padding with tabs. */
  tabwidth: number;
  /** Padding added to a cell before computing its width. */
  padding: number;
  /** Character used for padding; `\t` pads with tabs (and forces left alignment). */
  padchar: string;
  alignRight?: boolean;
  /** Drop columns made entirely of empty cells terminated by `\v`. */
  discardEmptyColumns?: boolean;
  /** Pad leading empty cells with tabs whatever padchar is. */
  tabIndent?: boolean;
  /** Print `|` between columns and `---` at `\f` breaks. */
  debug?: boolean;
}

/** The settings of docker/cli's formatter: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const DOCKER_TABWRITER: Readonly<TabWriterOptions> = { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' };

/** A tabwriter: text goes in through `write`, and `flush` returns the aligned output so far. */
export interface TabWriter {
  write(text: string): void;
  flush(): string;
}

export function createTabWriter(options: TabWriterOptions = DOCKER_TABWRITER): TabWriter {
  return new Writer(options);
}

interface Cell {
  /** Length of the cell's text in `buf` (UTF-16 units). */
  size: number;
  /** Display width of the text. */
  width: number;
  /** Terminated by a horizontal tab (as opposed to `\v`, `\n`, `\f` or end of input). */
  htab: boolean;
}

class Writer implements TabWriter {
  private buf = '';
  private pos = 0;
  private cell: Cell = { size: 0, width: 0, htab: false };
  private lines: Cell[][] = [[]];
  private widths: number[] = [];
  private output = '';
  private readonly opts: TabWriterOptions;

  constructor(options: TabWriterOptions) {
    if (options.minwidth < 0 || options.tabwidth < 0 || options.padding < 0) throw new RangeError('negative minwidth, tabwidth, or padding');
    this.opts = options.padchar === '\t' ? { ...options, alignRight: false } : options;
  }

  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.append(text.slice(n, i));
      this.updateWidth();
      n = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        // A line with one cell cannot affect later columns (the last cell of a line is in none),
        // so everything so far can be written out.
        if (ch === '\f' || ncells === 1) {
          this.flushBuffered();
          if (ch === '\f' && this.opts.debug === true) this.output += '---\n';
        }
      }
    }
    this.append(text.slice(n));
  }

  /** Formats what is buffered and returns all output produced so far. */
  flush(): string {
    this.flushBuffered();
    const out = this.output;
    this.output = '';
    return out;
  }

  private append(text: string): void {
    this.buf += text;
    this.cell.size += text.length;
  }

  private updateWidth(): void {
    this.cell.width += stringWidth(this.buf.slice(this.pos));
    this.pos = this.buf.length;
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1]!;
    line.push(this.cell);
    this.cell = { size: 0, width: 0, htab: false };
    return line.length;
  }

  private flushBuffered(): void {
    if (this.cell.size > 0) this.terminateCell(false);
    this.format(0, 0, this.lines.length);
    this.buf = '';
    this.pos = 0;
    this.cell = { size: 0, width: 0, htab: false };
    this.lines = [[]];
    this.widths = [];
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    const { padchar, tabwidth } = this.opts;
    if (padchar === '\t' || useTabs) {
      if (tabwidth === 0) return;
      cellw = Math.ceil(cellw / tabwidth) * tabwidth;
      const n = cellw - textw;
      this.output += '\t'.repeat(Math.ceil(n / tabwidth));
      return;
    }
    this.output += padchar.repeat(Math.max(cellw - textw, 0));
  }

  private writeLines(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = this.opts.tabIndent === true;
      line.forEach((c, j) => {
        if (j > 0 && this.opts.debug === true) this.output += '|';
        if (c.size === 0) {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, useTabs);
          return;
        }
        useTabs = false;
        const text = this.buf.slice(pos, pos + c.size);
        pos += c.size;
        if (this.opts.alignRight === true) {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
          this.output += text;
        } else {
          this.output += text;
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
        }
      });
      if (i + 1 === this.lines.length) {
        // The last buffered line has no newline yet: write the incomplete cell as is.
        this.output += this.buf.slice(pos, pos + this.cell.size);
        pos += this.cell.size;
      } else {
        this.output += '\n';
      }
    }
    return pos;
  }

  /** Formats lines [line0, line1) whose text starts at `pos0`, one column per recursion level. */
  private format(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    const column = this.widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= this.lines[cur]!.length - 1) continue;
      // This line has a cell in this column (its last cell is in none): a column block starts.
      pos = this.writeLines(pos, line0, cur);
      line0 = cur;
      let width = this.opts.minwidth;
      let discardable = true;
      for (; cur < line1; cur++) {
        const line = this.lines[cur]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        width = Math.max(width, c.width + this.opts.padding);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.opts.discardEmptyColumns === true) width = 0;
      this.widths.push(width);
      pos = this.format(pos, line0, cur);
      this.widths.pop();
      line0 = cur;
    }
    return this.writeLines(pos, line0, line1);
  }
}

/** Runs `text` through a tabwriter and flushes it. */
export function tabwrite(text: string, options: TabWriterOptions = DOCKER_TABWRITER): string {
  const w = new Writer(options);
  w.write(text);
  return w.flush();
}
