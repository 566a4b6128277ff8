/** The CLI entry: the only code that prints errors and chooses the exit status. */
import type { GlobalOptions } from './command-spec.js';
import { commands } from './commands/index.js';
import { processOutput, type Output } from './output.js';
import { runProgram } from './program.js';
import { renderError } from './render-error.js';
import { versionInfo } from './version.js';

export async function main(argv: string[], out: Output = processOutput(), env = process.env): Promise<number> {
  let global: GlobalOptions | undefined;
  // Before the parser has seen the flags, a bare `--debug`/`-D` still turns on debug rendering.
  const debugRequested = () => global?.debug ?? argv.some((a) => a === '--debug' || a === '-D');
  try {
    return await runProgram(argv, commands, {
      out,
      env,
      versionText: () => {
        const v = versionInfo();
        return `lade version ${v.version}, build ${v.build}\n`;
      },
      onGlobals: (g) => {
        global = g;
      },
    });
  } catch (err) {
    const rendered = renderError(err, debugRequested());
    out.stderr(rendered.text);
    return rendered.exitCode;
  }
}
