/**
 * Go text/template as Docker's `--format` uses it: compile once, execute on many values.
 *
 * Data is JavaScript values read as Go values (see go-value.ts: plain objects are
 * `map[string]interface {}`, so a missing key prints `<no value>`; `goStruct` makes a missing
 * field an error, as on Docker's typed contexts). The function map is text/template's builtins
 * plus docker/cli's (`json`, `join`, `split`, `lower`, `upper`, `title`, `truncate`, `pad`).
 *
 * Errors are LadeError USAGE with Go's message: `template: :1: unexpected "}" in operand` when
 * parsing, `template: :1:2: executing "" at <.Foo>: …` when executing.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { type FuncMap, builtinFuncs, dockerFuncs } from './template-funcs.js';
import { Executor, type MissingKey, TemplateExecError } from './template-exec.js';
import type { ListNode } from './template-node.js';
import { TemplateParseError, parseTemplate } from './template-parse.js';

export type { MissingKey } from './template-exec.js';
export type { FuncMap } from './template-funcs.js';

export interface CompileOptions {
  /** The template's name in messages; Docker's templates are anonymous (`template: :1: …`). */
  name?: string;
  /** Functions beyond the builtins and Docker's; they win over both. */
  funcs?: FuncMap;
}

export interface ExecuteOptions {
  /** Functions replacing those the template was compiled with, by name (Docker's header functions). */
  funcs?: FuncMap;
  /** Go's `missingkey` option; Docker's inspect fallback uses `error`. */
  missingKey?: MissingKey;
}

export interface ExecuteResult {
  /** What was written before the error, if any: Go's Execute writes as it goes. */
  output: string;
  error?: LadeError;
}

export interface Template {
  readonly name: string;
  readonly text: string;
  /** Runs the template on `data`; throws a USAGE LadeError when execution fails. */
  execute(data: unknown, options?: ExecuteOptions): string;
  /** Runs the template and returns the partial output with the error instead of throwing. */
  tryExecute(data: unknown, options?: ExecuteOptions): ExecuteResult;
}

/** Docker's templates.Parse: a nameless template with the basic functions. */
export function compileTemplate(text: string, options: CompileOptions = {}): Template {
  const name = options.name ?? '';
  const funcs: FuncMap = { ...builtinFuncs, ...dockerFuncs, ...options.funcs };
  let root: ListNode;
  try {
    root = parseTemplate(name, text, (fn) => Object.hasOwn(funcs, fn));
  } catch (e) {
    if (e instanceof TemplateParseError) throw new LadeError(ErrorCode.Usage, e.message);
    throw e;
  }
  const tryExecute = (input: unknown, opts: ExecuteOptions = {}): ExecuteResult => {
    // Execute(nil) in Go starts from an invalid value, not from a nil interface.
    const data = input === null ? undefined : input;
    const exec = new Executor({ name, text, funcs: { ...funcs, ...opts.funcs }, missingKey: opts.missingKey ?? 'invalid' }, data);
    try {
      exec.walk(data, root);
      return { output: exec.out };
    } catch (e) {
      if (e instanceof TemplateExecError) return { output: exec.out, error: new LadeError(ErrorCode.Usage, e.message) };
      throw e;
    }
  };
  return {
    name,
    text,
    tryExecute,
    execute(data, opts) {
      const { output, error } = tryExecute(data, opts);
      if (error !== undefined) throw error;
      return output;
    },
  };
}
