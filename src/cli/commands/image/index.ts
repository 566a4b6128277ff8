/**
 * The image commands: `lade image …` (Docker's management command) and the top-level forms
 * Docker also has (`images`, `rmi`, `tag`, `save`, `load`, `import`, `history`).
 */
import { topLevelForm, type GroupCommand, type LeafCommand } from '../../command-spec.js';
import { historyCommand } from './history.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { listCommand } from './list.js';
import { pruneCommand } from './prune.js';
import { loadCommand, saveCommand } from './save-load.js';
import { removeCommand, tagCommand } from './tag-rm.js';
import { pullCommand, pushCommand } from '../registry/index.js';

export const imageCommand: GroupCommand = {
  kind: 'group',
  name: 'image',
  summary: 'Manage images',
  commands: [historyCommand, importCommand, inspectCommand, loadCommand, listCommand, pruneCommand, pullCommand, pushCommand, removeCommand, saveCommand, tagCommand],
};

const topLevel = topLevelForm;

/** The top-level image commands, in the order `lade --help` lists them. */
export const imageTopLevel: LeafCommand[] = [
  topLevel(historyCommand, 'history'),
  topLevel(listCommand, 'images'),
  topLevel(importCommand, 'import'),
  topLevel(loadCommand, 'load'),
  topLevel(removeCommand, 'rmi'),
  topLevel(saveCommand, 'save'),
  topLevel(tagCommand, 'tag'),
];

// Shared with the container commands.
export { confirm, openStore, parseFilters, stringList } from './common.js';
export { applyChanges } from './import.js';
export { inspectImage } from './inspect.js';
