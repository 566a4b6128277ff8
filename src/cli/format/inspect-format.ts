/**
 * docker/cli's inspect output (cli/command/inspect/inspector.go), shared by `image inspect`,
 * `inspect` and the other inspect commands.
 *
 * - No format: the elements as a JSON array indented with four spaces (`[]` when there are none).
 * - `json`: the same array on one line.
 * - A template: executed on each element, each output followed by a newline. When execution on
 *   the typed element fails (a field its Go type lacks), Docker retries on the element's JSON
 *   decoded into maps with `missingkey=error`, so a missing key is an error there rather than
 *   `<no value>`. Elements that fail are reported after the others have been printed, and an
 *   empty output still prints one newline.
 *
 * Elements are typed values (go-value.ts: `goStruct` fields in the daemon's field order); their
 * JSON is what the daemon would send, `<`, `>` and `&` escaped as Go's json.Marshal does.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { goJson } from './go-json.js';
import { type Template, compileTemplate } from './template.js';

export interface InspectResult {
  /** Everything to print on stdout. */
  output: string;
  /** One error per element that could not be formatted (Docker exits 1 after printing the rest). */
  errors: LadeError[];
}

function prefixed(err: LadeError): LadeError {
  return new LadeError(ErrorCode.Usage, `template parsing error: ${err.message}`, { cause: err });
}

/**
 * Parses an inspect `--format`. Throws a USAGE LadeError for a template that does not parse
 * (Docker exits with status 64 for it).
 */
export function compileInspectFormat(format: string): Template | 'indented' | 'json' {
  if (format === '') return 'indented';
  if (format === 'json') return 'json';
  try {
    return compileTemplate(format);
  } catch (e) {
    throw e instanceof LadeError ? prefixed(e) : e;
  }
}

export function renderInspect(format: string, elements: readonly unknown[]): InspectResult {
  const compiled = compileInspectFormat(format);
  if (compiled === 'indented' || compiled === 'json') {
    const text = goJson([...elements], compiled === 'indented' ? { indent: '    ' } : {});
    return { output: text + '\n', errors: [] };
  }
  let output = '';
  const errors: LadeError[] = [];
  for (const element of elements) {
    const typed = compiled.tryExecute(element);
    if (typed.error === undefined) {
      output += typed.output + '\n';
      continue;
    }
    const raw: unknown = JSON.parse(goJson(element));
    const fallback = compiled.tryExecute(raw, { missingKey: 'error' });
    if (fallback.error === undefined) output += fallback.output + '\n';
    else errors.push(prefixed(fallback.error));
  }
  return { output: output === '' ? '\n' : output, errors };
}
