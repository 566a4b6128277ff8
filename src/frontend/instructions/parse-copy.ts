/**
 * COPY and ADD: flags, then sources and destination. A source written as a heredoc marker
 * (`COPY <<EOF /dst`) becomes an inline file with that heredoc's body; a heredoc destination is
 * an error.
 */
import { chompHeredocContent, parseHeredocWord, type Heredoc } from '../parser/index.js';
import { errBadHeredoc, errNoDestinationArgument } from './errors.js';
import type { ParseRequest } from './request.js';
import type { AddInstruction, CopyInstruction, SourceContent } from './types.js';

/** BuildKit's MustParseHeredoc: a heredoc marker, or undefined (also when its quoting is broken). */
function heredocMarker(word: string): ReturnType<typeof parseHeredocWord> {
  try {
    return parseHeredocWord(word);
  } catch {
    return undefined;
  }
}

interface SourcesAndDest {
  sources: string[];
  contents: SourceContent[];
  dest: string;
}

function parseSourcesAndDest(req: ParseRequest, command: string): SourcesAndDest {
  const dest = req.args[req.args.length - 1]!;
  if (heredocMarker(dest) !== undefined) throw errBadHeredoc(command, 'a destination');

  // A later heredoc with the same name wins, as in BuildKit's lookup map.
  const byName = new Map<string, Heredoc>();
  for (const doc of req.heredocs) byName.set(doc.name, doc);

  const sources: string[] = [];
  const contents: SourceContent[] = [];
  for (const src of req.args.slice(0, -1)) {
    const marker = heredocMarker(src);
    if (marker === undefined) {
      sources.push(src);
      continue;
    }
    let data = byName.get(marker.name)?.content ?? '';
    if (marker.chomp) data = chompHeredocContent(data);
    contents.push({ path: marker.name, data, expand: marker.expand });
  }
  return { sources, contents, dest };
}

export function parseAdd(req: ParseRequest): AddInstruction {
  if (req.args.length < 2) throw errNoDestinationArgument('ADD');
  const chown = req.flags.string('chown');
  const chmod = req.flags.string('chmod');
  const link = req.flags.bool('link');
  const keepGitDir = req.flags.bool('keep-git-dir');
  const checksum = req.flags.string('checksum');
  const unpack = req.flags.bool('unpack');
  const excludes = req.flags.strings('exclude');
  req.flags.parse();

  const add: AddInstruction = {
    kind: 'add',
    ...req.base,
    ...parseSourcesAndDest(req, 'ADD'),
    chown: chown.value,
    chmod: chmod.value,
    link: link.value,
    checksum: checksum.value,
    excludes: [...excludes.values],
  };
  if (keepGitDir.used) add.keepGitDir = keepGitDir.value;
  if (unpack.used) add.unpack = unpack.value;
  return add;
}

export function parseCopy(req: ParseRequest): CopyInstruction {
  if (req.args.length < 2) throw errNoDestinationArgument('COPY');
  const chown = req.flags.string('chown');
  const from = req.flags.string('from');
  const chmod = req.flags.string('chmod');
  const link = req.flags.bool('link');
  const excludes = req.flags.strings('exclude');
  const parents = req.flags.bool('parents');
  req.flags.parse();

  return {
    kind: 'copy',
    ...req.base,
    ...parseSourcesAndDest(req, 'COPY'),
    from: from.value,
    chown: chown.value,
    chmod: chmod.value,
    link: link.value,
    parents: parents.value,
    excludes: [...excludes.values],
  };
}
