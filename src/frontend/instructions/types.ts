/**
 * Typed Dockerfile instructions: BuildKit's `instructions` package as a discriminated union of
 * plain, JSON-serialisable records. Values are as written (after the parser's argument forming);
 * word expansion happens later, per stage (see ../stages), exactly where BuildKit's dispatch does it.
 *
 * Where BuildKit uses the empty string for "not given" (`--chown`, `--from`, `--checksum` …), so
 * does lade: an expansion that yields "" then means "not given" too, as it does in BuildKit.
 */

/** Where an instruction is: 1-based physical lines, continuation lines and heredoc bodies included. */
export interface InstructionLocation {
  file: string;
  line: number;
  endLine: number;
}

interface InstructionBase {
  /** The keyword as written (`run`, `RUN`, `Run`). */
  keyword: string;
  /** The logical line with surrounding space trimmed: BuildKit's `String()` of a command. */
  original: string;
  location: InstructionLocation;
  /** The comment lines directly above the instruction. */
  comments: string[];
}

export interface KeyValuePair {
  key: string;
  value: string;
  /** The legacy `ENV key value` form (no `=`), which BuildKit lints. */
  noDelim: boolean;
}

export interface ArgDeclaration {
  key: string;
  /** The default as written, quotes kept; absent for `ARG name`. */
  value?: string;
}

/** A heredoc used as a COPY/ADD source: an anonymous file. */
export interface SourceContent {
  /** The heredoc delimiter, used as the file name. */
  path: string;
  /** The body, with leading tabs already removed for `<<-`. */
  data: string;
  /** False when the delimiter was quoted: the body is then copied without expansion. */
  expand: boolean;
}

/** A heredoc attached to RUN. */
export interface ShellInlineFile {
  name: string;
  /** The body exactly as written; `chomp` says whether tabs are still to be stripped. */
  data: string;
  chomp: boolean;
}

export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'sandbox' | 'insecure';

export interface RunDevice {
  name: string;
  required: boolean;
}

export interface FromInstruction extends InstructionBase {
  kind: 'from';
  /** The image or stage reference as written (expanded later with the global ARGs). */
  baseName: string;
  /** `AS name`, lower-cased; absent for an unnamed stage. */
  stageName?: string;
  /** `--platform` as written; "" when not given. */
  platform: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'run';
  /** Exec form: the argv. Shell form: one string, to be run by the shell (`prependShell`). */
  cmdLine: string[];
  prependShell: boolean;
  files: ShellInlineFile[];
  /**
   * The `--mount` values as written. BuildKit only checks their CSV syntax and the `from` key
   * when parsing; the full mount spec is parsed after expansion (see parseMount).
   */
  mounts: string[];
  network: NetworkMode;
  security: SecurityMode;
  devices: RunDevice[];
  /** The names of the flags given, sorted. */
  flagsUsed: string[];
}

export interface CmdInstruction extends InstructionBase {
  kind: 'cmd';
  cmdLine: string[];
  prependShell: boolean;
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'entrypoint';
  /** Empty for `ENTRYPOINT []` (which resets the entrypoint) and for an empty shell form. */
  cmdLine: string[];
  prependShell: boolean;
}

export interface EnvInstruction extends InstructionBase {
  kind: 'env';
  pairs: KeyValuePair[];
}

export interface LabelInstruction extends InstructionBase {
  kind: 'label';
  pairs: KeyValuePair[];
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'expose';
  /** As written, sorted by byte value (BuildKit sorts them when parsing). */
  ports: string[];
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'volume';
  /** Each trimmed of surrounding white space; never empty. */
  volumes: string[];
}

export interface UserInstruction extends InstructionBase {
  kind: 'user';
  user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'workdir';
  path: string;
}

interface CopyLike extends InstructionBase {
  /** File sources (paths, URLs, git refs) as written. */
  sources: string[];
  /** Heredoc sources. */
  contents: SourceContent[];
  dest: string;
  chown: string;
  chmod: string;
  link: boolean;
  /** `--exclude` patterns, in order; never expanded. */
  excludes: string[];
}

export interface CopyInstruction extends CopyLike {
  kind: 'copy';
  /** `--from`: a stage name, stage index or image reference; "" for the build context. */
  from: string;
  parents: boolean;
}

export interface AddInstruction extends CopyLike {
  kind: 'add';
  checksum: string;
  /** Absent when the flag was not given (BuildKit's nil). */
  keepGitDir?: boolean;
  unpack?: boolean;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'arg';
  args: ArgDeclaration[];
}

export interface ShellInstruction extends InstructionBase {
  kind: 'shell';
  shell: string[];
}

export interface StopsignalInstruction extends InstructionBase {
  kind: 'stopsignal';
  signal: string;
}

/** The image config's Healthcheck; durations in nanoseconds, 0 meaning "inherit the default". */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", argv…]` or `["CMD-SHELL", command]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'healthcheck';
  health: HealthConfig;
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'onbuild';
  /** The trigger as stored in the image config: the text after `ONBUILD`, heredoc bodies appended. */
  expression: string;
  /** The trigger's keyword, upper-cased (`RUN`). The trigger itself is parsed only when used. */
  trigger: string;
}

export interface MaintainerInstruction extends InstructionBase {
  kind: 'maintainer';
  maintainer: string;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | EnvInstruction
  | LabelInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | CopyInstruction
  | AddInstruction
  | ArgInstruction
  | ShellInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

export type InstructionKind = Instruction['kind'];

/** Every instruction except FROM: what a stage contains. */
export type Command = Exclude<Instruction, FromInstruction>;
