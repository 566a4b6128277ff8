import type { CommandSpec } from '../command-spec.js';
import { buildCommand, builderCommand } from './build/index.js';
import { containerCommand, containerTopLevel, inspectAnyCommand } from './container/index.js';
import { debugCommand } from './debug.js';
import { imageCommand, imageTopLevel } from './image/index.js';
import { infoCommand } from './info.js';
import { loginCommand, logoutCommand, pullCommand, pushCommand } from './registry/index.js';

/**
 * Command names are ASCII, so code-unit order is Docker's order; localeCompare would load ICU's
 * collator, several milliseconds of every lade start-up.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every command, in the order `lade --help` lists them. */
export const commands: readonly CommandSpec[] = [buildCommand, builderCommand, containerCommand, ...containerTopLevel, debugCommand, imageCommand, ...imageTopLevel, infoCommand, inspectAnyCommand, loginCommand, logoutCommand, pullCommand, pushCommand].sort((a, b) => byCodeUnits(a.name, b.name));
