// The container's command and working directory: docker/cli's --entrypoint handling, moby's
// merge() of Entrypoint/Cmd with the image (daemon/commit.go), the `[""]` reset and "no command
// specified" check (daemon/create.go), and translateWorkingDir (daemon/container.go).
import { ErrorCode, LadeError } from '../../errors/index.js';
import { cleanPath } from './paths.js';

export interface CommandInput {
  readonly imageEntrypoint: readonly string[] | undefined;
  readonly imageCmd: readonly string[] | undefined;
  /** `--entrypoint`: undefined when not given; '' resets the image's entrypoint. */
  readonly entrypoint: string | undefined;
  /** The arguments after the image name. */
  readonly args: readonly string[];
}

export interface ResolvedCommand {
  /** The container's Entrypoint as Docker stores it (empty when none). */
  readonly entrypoint: string[];
  readonly cmd: string[];
}

/**
 * Docker's rules: `--entrypoint X` is one word (never split) that replaces the image's
 * entrypoint and drops the image's Cmd, so only the arguments given follow it; `--entrypoint ""`
 * clears the entrypoint and, likewise, the image's Cmd; without --entrypoint the arguments
 * replace the image's Cmd and the image's entrypoint stays.
 */
export function resolveCommand(input: CommandInput): ResolvedCommand {
  const userEntrypoint = input.entrypoint === undefined ? undefined : [input.entrypoint];
  let cmd = [...input.args];
  let entrypoint: string[];
  if (userEntrypoint === undefined) {
    if (cmd.length === 0) cmd = [...(input.imageCmd ?? [])];
    entrypoint = [...(input.imageEntrypoint ?? [])];
  } else {
    entrypoint = userEntrypoint;
  }
  if (entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  if (entrypoint.length === 0 && cmd.length === 0) {
    throw new LadeError(ErrorCode.ContainerConfig, 'no command specified', {
      hint: 'the image has no ENTRYPOINT or CMD: give a command after the image name, or --entrypoint',
    });
  }
  return { entrypoint, cmd };
}

/** The process's argv: entrypoint then cmd (moby getEntrypointAndArgs). */
export function commandArgs(cmd: ResolvedCommand): string[] {
  return [...cmd.entrypoint, ...cmd.cmd];
}

/**
 * `-w` or the image's WorkingDir, cleaned; it must be absolute. Empty means "/" at run time
 * (Docker keeps WorkingDir empty in the config and runs in "/").
 */
export function resolveWorkingDir(flag: string, imageWorkingDir: string | undefined): string {
  const wd = flag !== '' ? flag : (imageWorkingDir ?? '');
  if (wd === '') return '';
  if (!wd.startsWith('/')) {
    throw new LadeError(ErrorCode.ContainerConfig, `the working directory '${wd}' is invalid, it needs to be an absolute path`, {
      hint: 'give -w an absolute path inside the container, e.g. -w /app',
    });
  }
  return cleanPath(wd);
}
