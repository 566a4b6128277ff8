import type { CommandSpec } from '../command-spec.js';
import { containerCommand, containerTopLevel, inspectAnyCommand } from './container/index.js';
import { debugCommand } from './debug.js';
import { imageCommand, imageTopLevel } from './image/index.js';
import { infoCommand } from './info.js';

/** Every command, in the order `lade --help` lists them. */
export const commands: readonly CommandSpec[] = [containerCommand, ...containerTopLevel, debugCommand, imageCommand, ...imageTopLevel, infoCommand, inspectAnyCommand].sort((a, b) => a.name.localeCompare(b.name));
