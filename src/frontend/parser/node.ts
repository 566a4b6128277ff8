/** The parse tree: one node per instruction, the shape of BuildKit's `parser.Node` made explicit. */

export interface Heredoc {
  /** The delimiter word with quotes removed (`EOF` for `<<'EOF'`). */
  name: string;
  /** The fd number written before `<<` (`3<<EOF`), 0 when absent; saturates at 2^64-1 as in Go. */
  fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is then taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from body lines (and the terminator may be tab-indented). */
  chomp: boolean;
  /** The body exactly as written, line endings included, tabs not yet stripped. */
  content: string;
}

export interface DockerfileNode {
  /** The instruction keyword as written (`run`, `RUN`, `Run`). */
  keyword: string;
  /** The logical line the node came from: continuations joined, keyword and flags included. */
  original: string;
  /** Leading `--flag` words with their quotes and escapes processed. */
  flags: string[];
  /** The instruction's arguments, formed per instruction as BuildKit does (see line-parsers.ts). */
  args: string[];
  /** ONBUILD only: the wrapped instruction. */
  child?: DockerfileNode;
  /** True when the arguments came from a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** 1-based physical lines; the range includes continuation lines and heredoc bodies. */
  startLine: number;
  endLine: number;
  /** The comment lines directly above the instruction, `#` and surrounding space removed. */
  comments: string[];
}

export interface ParseWarning {
  message: string;
  detail: string;
  url: string;
  line: number;
}

export interface ParsedDockerfile {
  /** The name used in messages (usually the path as the user gave it). */
  file: string;
  instructions: DockerfileNode[];
  escapeToken: '\\' | '`';
  /** Directive values by name, as written (`syntax`, `escape`, `check`). */
  directives: { name: string; value: string; line: number }[];
  warnings: ParseWarning[];
  /** First line of the first instruction and last line of the last (BuildKit's root range). */
  startLine: number;
  endLine: number;
}
