import type { GroupCommand } from '../../command-spec.js';
import { buildCommand } from './build.js';
import { builderPruneCommand } from './prune.js';

export { buildCommand };

/** `lade builder …`: Docker's management command for the build cache. */
export const builderCommand: GroupCommand = {
  kind: 'group',
  name: 'builder',
  summary: 'Manage builds',
  commands: [{ ...buildCommand }, builderPruneCommand],
};
