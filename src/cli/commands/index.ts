import type { CommandSpec } from '../command-spec.js';
import { debugCommand } from './debug.js';
import { imageCommand, imageTopLevel } from './image/index.js';
import { infoCommand } from './info.js';

/** Every command, in the order `lade --help` lists them. */
export const commands: readonly CommandSpec[] = [debugCommand, imageCommand, ...imageTopLevel, infoCommand].sort((a, b) => a.name.localeCompare(b.name));
