/**
 * docker/cli's formatting context (cli/command/formatter/formatter.go) for list commands
 * (`images`, `history`, `ps`, …): the `--format` conventions and the table layout.
 *
 * - `''` and `table` select the command's default table format; other names a command knows
 *   (`raw`) select its formats; `json` means `{{json .}}`, one object per row.
 * - A format starting with `table` is a table: the prefix is cut, the header row is the same
 *   template executed on the command's header names (`.ID` → `IMAGE ID`), and the rows go through
 *   Docker's tabwriter (minwidth 10, tabwidth 1, padding 3, spaces).
 * - Spaces (not other white space) around the format are trimmed, then the two-character
 *   sequences `\t` and `\n` become a tab and a newline, in every format.
 * - Rows are Docker's typed contexts: an unknown field is an execution error
 *   (`can't evaluate field Foo in type *formatter.imageContext`), and `{{json .}}` writes the
 *   row's fields with sorted keys and `<`, `>`, `&` escaped, as the contexts' MarshalJSON does.
 * - Each row's output ends with a newline; nothing is printed if any row fails; errors read
 *   `template parsing error: …` (Docker uses that prefix for execution errors too).
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { goJson } from './go-json.js';
import { goMap, goStruct, isGoMethod } from './go-value.js';
import { DOCKER_TABWRITER, tabwrite } from './tabwriter.js';
import { headerFuncs } from './template-funcs.js';
import { type Template, compileTemplate } from './template.js';

/** A row: field name → value (usually a string, as Docker's context methods return strings). */
export type FormatRow = Readonly<Record<string, unknown>>;

export interface FormatterOptions {
  /** The `--format` value; `''` when the flag was not given. */
  format: string;
  /** The command's default format for `''` and `table`, e.g. `table {{.Repository}}\t{{.Tag}}…`. */
  defaultTable: string;
  /** Header names by field, Docker's SubHeaderContext: `{ ID: 'IMAGE ID', CreatedSince: 'CREATED' }`. */
  headers: Readonly<Record<string, string>>;
  /** Other format names the command accepts, e.g. `{ raw: 'repository: {{ .Repository }}…' }`. */
  named?: Readonly<Record<string, string>>;
  /** The Go type of a row in messages, e.g. `*formatter.imageContext`. */
  rowType?: string;
}

export interface Formatter {
  /** Whether output is a table with a header row. */
  readonly isTable: boolean;
  /** The format after name resolution, e.g. the default table format for `''`. */
  readonly format: string;
  /** The whole output for these rows; throws a USAGE LadeError if a row fails. */
  render(rows: readonly FormatRow[]): string;
}

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';

/** Format.templateString: the template text Docker parses for a format. */
export function templateText(format: string): string {
  if (format === TABLE_FORMAT_KEY) return '';
  if (format === JSON_FORMAT_KEY) return '{{json .}}';
  let out = format.startsWith(TABLE_FORMAT_KEY) ? format.slice(TABLE_FORMAT_KEY.length) : format;
  out = out.replace(/^ +| +$/g, '');
  return out.replace(/\\[tn]/g, (m) => (m === '\\t' ? '\t' : '\n'));
}

function templateError(err: LadeError): LadeError {
  return new LadeError(ErrorCode.Usage, `template parsing error: ${err.message}`, { cause: err });
}

/** The JSON a row context's MarshalJSON produces: its fields as a map, HTML-escaped. */
function rowJson(row: FormatRow): string {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!isGoMethod(v)) fields[k] = v;
  return goJson(fields, { escapeHTML: true });
}

export function createFormatter(options: FormatterOptions): Formatter {
  let format = options.format;
  if (format === '' || format === TABLE_FORMAT_KEY) format = options.defaultTable;
  else if (options.named !== undefined && Object.hasOwn(options.named, format)) format = options.named[format]!;
  const isTable = format.startsWith(TABLE_FORMAT_KEY);
  let tmpl: Template;
  try {
    tmpl = compileTemplate(templateText(format));
  } catch (e) {
    throw e instanceof LadeError ? templateError(e) : e;
  }
  const rowType = options.rowType ?? '*formatter.context';
  const header = goMap({ ...options.headers }, 'string');

  return {
    isTable,
    format,
    render(rows) {
      let body = '';
      for (const row of rows) {
        const data = goStruct({ ...row }, { type: rowType, pointer: true, marshalJSON: () => rowJson(row) });
        const { output, error } = tmpl.tryExecute(data);
        if (error !== undefined) throw templateError(error);
        body += output + '\n';
      }
      if (!isTable) return body;
      // Docker ignores a failing header: whatever the template wrote before failing stays.
      const head = tmpl.tryExecute(header, { funcs: headerFuncs }).output;
      return tabwrite(head + '\n' + body, DOCKER_TABWRITER);
    },
  };
}

/** One call for a command: its format flag, default table, header names and rows → the output. */
export function renderList(options: FormatterOptions, rows: readonly FormatRow[]): string {
  return createFormatter(options).render(rows);
}
