/**
 * Raised inside the expander with BuildKit's own wording; the lexer turns it into a LadeError
 * once, at the top, where BuildKit wraps it as `failed to process "<word>": <reason>`. Keeping
 * it internal lets the `${V:-…}` code tell a nested failure from a bug by its class.
 */
export class ShellFailure extends Error {
  override readonly name = 'ShellFailure';
}

export function fail(reason: string): never {
  throw new ShellFailure(reason);
}
