/**
 * The container commands: `lade container …` (Docker's management command) and the top-level
 * forms Docker also has (`run`, `ps`, `exec`, `stop`, …).
 */
import { topLevelForm, type GroupCommand, type LeafCommand } from '../../command-spec.js';
import { commitCommand } from './commit.js';
import { cpCommand } from './cp.js';
import { execCommand } from './exec.js';
import { containerInspectCommand } from './inspect.js';
import { killCommand, reapCommand, restartCommand, rmCommand, startCommand, stopCommand, waitCommand } from './lifecycle.js';
import { logsCommand } from './logs.js';
import { pruneCommand } from './prune.js';
import { psCommand } from './ps.js';
import { createCommand, runCommand } from './run.js';

export { inspectAnyCommand } from './inspect.js';

export const containerCommand: GroupCommand = {
  kind: 'group',
  name: 'container',
  summary: 'Manage containers',
  commands: [
    commitCommand,
    cpCommand,
    createCommand,
    execCommand,
    containerInspectCommand,
    killCommand,
    logsCommand,
    psCommand,
    pruneCommand,
    reapCommand,
    restartCommand,
    rmCommand,
    runCommand,
    startCommand,
    stopCommand,
    waitCommand,
  ],
};

const topLevel = topLevelForm;

/** The top-level container commands. */
export const containerTopLevel: LeafCommand[] = [
  topLevel(commitCommand, 'commit'),
  topLevel(cpCommand, 'cp'),
  topLevel(createCommand, 'create'),
  topLevel(execCommand, 'exec'),
  topLevel(killCommand, 'kill'),
  topLevel(logsCommand, 'logs'),
  topLevel(psCommand, 'ps'),
  topLevel(restartCommand, 'restart'),
  topLevel(rmCommand, 'rm'),
  topLevel(runCommand, 'run'),
  topLevel(startCommand, 'start'),
  topLevel(stopCommand, 'stop'),
  topLevel(waitCommand, 'wait'),
];
