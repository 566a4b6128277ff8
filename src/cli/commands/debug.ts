/** `lade debug …`: views of lade's internals, for people and for tests. */
import { dumpDockerfile, parseDockerfile, parseInstructions } from '../../frontend/index.js';
import type { GroupCommand, LeafCommand } from '../command-spec.js';
import { readInputFile } from '../read-input.js';

const parse: LeafCommand = {
  kind: 'leaf',
  name: 'parse',
  usage: '[OPTIONS] FILE',
  summary: 'Print a parsed Dockerfile ("-" reads standard input)',
  args: { min: 1, max: 1 },
  options: [
    {
      long: 'format',
      type: 'string',
      description: 'Output format: "buildkit" (BuildKit\'s AST dump) or "json" (typed instructions with their lines)',
      defaultValue: 'buildkit',
      choices: ['buildkit', 'json'],
    },
  ],
  async run(ctx, args, options) {
    const { name, bytes } = await readInputFile(args[0]!);
    const parsed = parseDockerfile(bytes, { file: name });
    for (const w of parsed.warnings) ctx.out.stderr(`${name}:${w.line}: warning: ${w.message}\n`);
    if (options['format'] === 'json') {
      const doc = parseInstructions(parsed);
      const view = { ...doc, directives: parsed.directives, warnings: parsed.warnings };
      ctx.out.stdout(`${JSON.stringify(view, null, 2)}\n`);
    } else {
      ctx.out.stdout(`${dumpDockerfile(parsed)}\n`);
    }
    return 0;
  },
};

export const debugCommand: GroupCommand = {
  kind: 'group',
  name: 'debug',
  summary: 'Inspect lade\'s internals',
  commands: [parse],
};
