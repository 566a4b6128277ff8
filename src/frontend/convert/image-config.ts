/**
 * The image config a build produces, as JSON (image-spec config.md plus Docker's fields). The
 * frontend edits only what Dockerfile instructions set; everything else of a base image's
 * config is carried over untouched, as BuildKit clones the base image's config.
 */

/** The `config` member: Docker's container config. Absent members are left out of the JSON. */
export interface RunConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: HealthcheckConfig;
  OnBuild?: string[] | null;
  Shell?: string[];
  ArgsEscaped?: boolean;
  [other: string]: unknown;
}

/** Durations in nanoseconds, Docker's JSON. */
export interface HealthcheckConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface HistoryItem {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface BuildImage {
  architecture: string;
  os: string;
  author?: string;
  config: RunConfig;
  history: HistoryItem[];
  [other: string]: unknown;
}

/** A base image as the frontend needs it: its config document (parsed JSON). */
export interface BaseImage {
  /** The config document, unchanged; `rootfs` and `history` included. */
  config: Record<string, unknown>;
}

export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** BuildKit's emptyImage: what `FROM scratch` starts from. */
export function emptyImage(platform: { os: string; architecture: string; variant?: string }, defaultPath: string): BuildImage {
  const image: BuildImage = {
    architecture: platform.architecture,
    os: platform.os,
    // BuildKit (docker 20.10) starts scratch with WorkingDir "/".
    config: { Env: [`PATH=${defaultPath}`], WorkingDir: '/' },
    history: [],
  };
  if (platform.variant !== undefined && platform.variant !== '') image['variant'] = platform.variant;
  return image;
}

/** A base image's config, cloned as the stage's starting image; rootfs and created are the exporter's. */
export function imageFromBase(base: BaseImage): BuildImage {
  const doc = clone(base.config);
  delete doc['rootfs'];
  const config = (doc['config'] ?? {}) as RunConfig;
  const history = Array.isArray(doc['history']) ? (doc['history'] as HistoryItem[]) : [];
  return {
    ...doc,
    architecture: typeof doc['architecture'] === 'string' ? doc['architecture'] : 'amd64',
    os: typeof doc['os'] === 'string' ? doc['os'] : 'linux',
    config: clone(config),
    history,
  };
}

export function cloneImage(image: BuildImage): BuildImage {
  return clone(image);
}

/** The image's Env with PATH added when missing (BuildKit gives every Linux stage a PATH). */
export function ensurePath(image: BuildImage, defaultPath: string): void {
  const env = image.config.Env ?? [];
  if (!env.some((e) => e.startsWith('PATH='))) image.config.Env = [...env, `PATH=${defaultPath}`];
}
