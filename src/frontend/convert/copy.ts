/**
 * COPY and ADD → one file op with a copy action per source (BuildKit's dispatchCopy). Every
 * source is copied with `CopyDirContentsOnly`, wildcards allowed, the destination's parents
 * created; ADD also unpacks local archives. Files from the build context arrive owned by 0:0,
 * as the Docker CLI resets owners when it sends the context; files from a stage or an image
 * keep theirs unless `--chown` says otherwise.
 */
import { posix } from 'node:path';
import type { ChownSpec, CopyAction, VertexId } from '../../graph/index.js';
import { locatedError, type AddInstruction, type CopyInstruction } from '../instructions/index.js';
import type { ExpandedCommand } from '../stages/index.js';
import { commitToHistory } from './history.js';
import { stepName, type ConvertContext, type StageState } from './stage-state.js';

const ROOT: ChownSpec = { user: '0', group: '0' };

function parseChown(chown: string): ChownSpec | undefined {
  if (chown === '') return undefined;
  const colon = chown.indexOf(':');
  return colon < 0 ? { user: chown } : { user: chown.slice(0, colon), group: chown.slice(colon + 1) };
}

function parseChmod(chmod: string, c: CopyInstruction | AddInstruction): number | undefined {
  if (chmod === '') return undefined;
  if (!/^[0-7]+$/.test(chmod) || Number.parseInt(chmod, 8) > 0o7777) {
    throw locatedError(`invalid chmod parameter: ${chmod}. it should be octal string and between 0 and 07777`, c.location);
  }
  return Number.parseInt(chmod, 8);
}

/** BuildKit: relative destinations are joined to WORKDIR; ".", "" and a trailing "/" mean a directory. */
function destination(state: StageState, dest: string): string {
  let out = posix.isAbsolute(dest) ? posix.normalize(dest) : posix.join('/', state.image.config.WorkingDir ?? '/', dest);
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  if (dest === '.' || dest === '' || dest.endsWith('/')) out = out === '/' ? '/' : `${out}/`;
  return out;
}

function isUrl(src: string): boolean {
  return src.startsWith('http://') || src.startsWith('https://');
}

export function dispatchCopy(ctx: ConvertContext, state: StageState, command: ExpandedCommand, c: CopyInstruction | AddInstruction): void {
  if (c.contents.length > 0) throw locatedError(`${c.kind.toUpperCase()} from a heredoc is not supported yet`, c.location);
  if (c.link) throw locatedError(`${c.kind.toUpperCase()} --link is not supported yet`, c.location);
  if (c.excludes.length > 0) throw locatedError(`${c.kind.toUpperCase()} --exclude is not supported yet`, c.location);
  if (c.kind === 'copy' && c.parents) throw locatedError('COPY --parents is not supported yet', c.location);
  if (c.kind === 'add' && c.checksum !== '') throw locatedError('ADD --checksum is not supported yet', c.location);
  for (const src of c.sources) {
    if (c.kind === 'add' && isUrl(src)) throw locatedError(`ADD from a URL (${src}) is not supported yet`, c.location);
  }

  const chown = parseChown(c.chown);
  const mode = parseChmod(c.chmod, c);
  const dest = destination(state, c.dest);

  let source: VertexId;
  let fromContext = false;
  const from = command.copyFrom;
  if (from === undefined) {
    const include = c.sources.map((s) => posix.join('/', s).slice(1));
    source = ctx.graph.add({ kind: 'context', name: 'context', include }, [], { name: '[internal] load build context' });
    fromContext = true;
  } else if (from.kind === 'stage') {
    const st = ctx.stages.get(from.index);
    if (st === undefined) throw locatedError(`stage ${from.index} is not built before it is used`, c.location);
    source = st.vertex ?? ctx.scratchVertex();
  } else if (from.kind === 'image') {
    source = ctx.imageVertex(from.normalized);
  } else {
    source = ctx.scratchVertex();
  }

  const base = state.vertex ?? ctx.scratchVertex();
  const actions: CopyAction[] = c.sources.map((src) => {
    const action: CopyAction = {
      action: 'copy',
      src: 1,
      srcPath: posix.join('/', src),
      dest,
      followSymlinks: true,
      dirCopyContents: true,
      attemptUnpack: c.kind === 'add',
      createDestPath: true,
      allowWildcard: true,
      allowEmptyWildcard: true,
    };
    const owner = chown ?? (fromContext ? ROOT : undefined);
    if (owner !== undefined) action.chown = owner;
    if (mode !== undefined) action.mode = mode;
    return action;
  });
  const text = `${c.kind.toUpperCase()}${c.original.slice(c.keyword.length)}`;
  state.vertex = ctx.graph.add({ kind: 'file', actions }, [base, source], {
    name: stepName(state, text),
    location: { ...c.location },
    stage: state.displayName,
    ...(state.ignoreCache ? { ignoreCache: true } : {}),
  });
  const message = [c.kind === 'add' ? 'ADD' : 'COPY', ...c.sources, c.dest].join(' ');
  commitToHistory(state.image, message, true, true);
}
