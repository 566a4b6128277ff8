// `-v`, `--mount` and `--tmpfs`, parsed with Docker's rules and messages: docker/cli
// internal/volumespec (the client's first pass over -v), opts/mount.go (--mount, CSV fields),
// and moby daemon/volume/mounts/linux_parser.go (ParseMountRaw, ParseMountSpec validation).
// The result is plain data (`MountRequest`), stored with the container and planned at start.
import { posix } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { mergeTmpfsOptions, ramInBytes } from './mount-options.js';
import { cleanPath } from './paths.js';

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
const PROPAGATIONS: readonly string[] = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

export type MountRequest =
  | {
      readonly kind: 'bind';
      readonly source: string;
      readonly destination: string;
      readonly readOnly: boolean;
      readonly propagation: Propagation;
      /** rbind (Docker's default) or a plain bind (`bind-recursive=disabled`). */
      readonly recursive: boolean;
      /** Create a missing source directory (`-v` does; `--mount` only with bind-create-src). */
      readonly createSource: boolean;
    }
  | { readonly kind: 'tmpfs'; readonly destination: string; readonly options: readonly string[] }
  /** `-v /dst`, `--mount type=volume,dst=/dst` or an image VOLUME: a fresh directory per container. */
  | { readonly kind: 'anonymous'; readonly destination: string; readonly readOnly: boolean };

function usage(message: string, hint?: string): LadeError {
  return new LadeError(ErrorCode.Usage, message, { hint });
}

function namedVolumeUnsupported(name: string): LadeError {
  return new LadeError(ErrorCode.ContainerUnsupported, `named volumes are not supported yet: ${name}`, {
    hint: 'bind-mount a host directory instead (an absolute path: -v /host/dir:/container/dir), or use an anonymous volume (-v /container/dir)',
  });
}

/** Docker CLI: a source starting with "." is made absolute against the CLI's directory. */
function absolutizeDotSource(source: string, cwd: string | undefined): string {
  if (cwd !== undefined && !source.startsWith('/') && source.startsWith('.')) return posix.resolve(cwd, source);
  return source;
}

/** moby linuxValidateNotRoot + linuxValidateAbsolute, as "invalid mount config" reasons. */
function destinationProblem(target: string): string | undefined {
  if (target === '') return 'field Target must not be empty';
  if (cleanPath(target) === '/') return "invalid specification: destination can't be '/'";
  if (!target.startsWith('/')) return `invalid mount path: '${target}' mount path must be absolute`;
  return undefined;
}

const RW_MODES = ['rw', 'ro'];
const LABEL_MODES = ['z', 'Z'];
const CONSISTENCY_MODES = ['consistent', 'cached', 'delegated'];

/** moby linuxValidMountMode: known words only, at most one of each family. */
function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    if (RW_MODES.includes(o)) counts[0]!++;
    else if (LABEL_MODES.includes(o)) counts[1]!++;
    else if (PROPAGATIONS.includes(o)) counts[2]!++;
    else if (o === 'nocopy') counts[3]!++;
    else if (CONSISTENCY_MODES.includes(o)) counts[4]!++;
    else return false;
  }
  return counts.every((c) => c <= 1);
}

/** The docker CLI's volumespec pass: empty sections and too many colons fail before the daemon sees the spec. */
function clientSplit(spec: string): { source: string; target: string } {
  if (spec.length === 0) throw usage('invalid empty volume spec', 'use -v /host/path:/container/path[:ro] or -v /container/path');
  if (spec.length <= 2) return { source: '', target: spec };
  const fields = spec.split(':');
  if (fields.some((f) => f === '')) throw usage(`invalid spec: ${spec}: empty section between colons`);
  if (fields.length > 3) throw usage(`invalid spec: ${spec}: too many colons`);
  return fields.length === 1 ? { source: '', target: fields[0]! } : { source: fields[0]!, target: fields[1]! };
}

/**
 * One `-v` value. `SRC:DST[:MODE]` with an absolute SRC is a bind (a missing SRC directory is
 * created at start, as Docker does); `DST` alone is an anonymous volume; any other SRC names a
 * volume, which lade does not have yet. `cwd` absolutizes a SRC starting with "." as the CLI does.
 */
export function parseVolumeFlag(spec: string, cwd?: string): MountRequest {
  const client = clientSplit(spec);
  const invalidSpec = (raw: string, reason?: string): LadeError =>
    usage(`invalid volume specification: '${raw}'${reason === undefined ? '' : `: ${reason}`}`, 'use -v /host/path:/container/path[:ro] or -v /container/path');
  if (client.source === '') {
    const problem = destinationProblem(client.target);
    if (problem !== undefined) throw invalidSpec(spec, `invalid mount config for type "volume": ${problem}`);
    return { kind: 'anonymous', destination: cleanPath(client.target), readOnly: false };
  }
  const source = absolutizeDotSource(client.source, cwd);
  const raw = source === client.source ? spec : spec.replace(client.source, source);
  const arr = raw.split(':');
  let mode = '';
  if (arr.length === 2 && validMountMode(arr[1]!)) throw invalidSpec(raw);
  if (arr.length === 3) mode = arr[2]!;
  if (!validMountMode(mode)) throw usage(`invalid mode: ${mode}`, 'modes are ro or rw, a propagation (rprivate, rshared, rslave, …), z or Z');
  const [src, target] = [arr[0]!, arr[1]!];
  if (!src.startsWith('/')) throw namedVolumeUnsupported(src);
  const words = mode === '' ? [] : mode.split(',');
  if (words.includes('nocopy')) throw invalidSpec(raw, 'invalid mount config for type "bind": field VolumeOptions must not be specified');
  const problem = destinationProblem(target);
  if (problem !== undefined) throw invalidSpec(raw, `invalid mount config for type "bind": ${problem}`);
  const propagation = (words.find((w) => PROPAGATIONS.includes(w)) ?? 'rprivate') as Propagation;
  return {
    kind: 'bind',
    source: cleanPath(src),
    destination: cleanPath(target),
    readOnly: words.includes('ro'),
    propagation,
    recursive: true,
    createSource: true,
  };
}

/** Go encoding/csv, one record, default settings: quoted fields with "" escapes. */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw usage(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') throw usage(`parse error on line 1, column ${i}: extraneous or missing " in quoted-field`);
    } else {
      const end = text.indexOf(',', i);
      field = end < 0 ? text.slice(i) : text.slice(i, end);
      if (field.includes('"')) throw usage(`parse error on line 1, column ${i + field.indexOf('"') + 1}: bare " in non-quoted-field`);
      i = end < 0 ? text.length : end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

function parseBool(key: string, val: string, hasValue: boolean): boolean {
  if (!hasValue) return true;
  if (val === '1' || val === 'true') return true;
  if (val === '0' || val === 'false') return false;
  throw usage(`invalid value for '${key}': invalid boolean value ("${val}"): must be one of "true", "1", "false", or "0" (default "true")`);
}

/**
 * One `--mount` value: `type=bind|tmpfs|volume` (volume by default), `source`/`src`,
 * `target`/`dst`/`destination`, `readonly`/`ro`, `bind-propagation`, `bind-recursive`,
 * `bind-create-src`, `tmpfs-size`, `tmpfs-mode`, `consistency`, `volume-nocopy`. A bind source
 * must exist at start unless bind-create-src; named volumes and image mounts are not supported.
 */
export function parseMountFlag(value: string, cwd?: string): MountRequest {
  const trimmed = value.trim();
  if (trimmed === '') throw usage('value is empty');
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let propagation: string | undefined;
  let recursive = true;
  let createSource = false;
  let tmpfsSize: number | undefined;
  let tmpfsMode: number | undefined;
  const families = new Set<'bind' | 'volume' | 'tmpfs' | 'image'>();
  for (const field of csvFields(trimmed)) {
    const eq = field.indexOf('=');
    const hasValue = eq >= 0;
    const rawKey = hasValue ? field.slice(0, eq) : field;
    const val = hasValue ? field.slice(eq + 1) : '';
    if (rawKey.trim() !== rawKey) throw usage(`invalid option '${rawKey.trim()}' in '${field}': option should not have whitespace`);
    if (hasValue) {
      if (val.trim() === '') throw usage(`invalid value for '${rawKey}': value is empty`);
      if (val.trim() !== val) throw usage(`invalid value for '${rawKey}' in '${field}': value should not have whitespace`);
    }
    const key = rawKey.toLowerCase();
    if (!hasValue && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-src'].includes(key)) {
      throw usage(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = absolutizeDotSource(val, cwd);
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBool(key, val, hasValue);
        break;
      case 'consistency':
        break;
      case 'bind-propagation':
        families.add('bind');
        propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        throw usage('bind-nonrecursive is deprecated, use bind-recursive=disabled instead');
      case 'bind-recursive':
        families.add('bind');
        if (val === 'disabled') recursive = false;
        else if (val === 'writable' || val === 'readonly') {
          // lade's read-only binds are read-only at their top only (no mount_setattr yet).
          if (!readOnly) throw usage(`option 'bind-recursive=${val}' requires 'readonly' to be specified in conjunction`);
        } else if (val !== 'enabled') {
          throw usage(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
        }
        break;
      case 'bind-create-src':
        families.add('bind');
        createSource = parseBool(key, val, hasValue);
        break;
      case 'volume-nocopy':
        families.add('volume');
        parseBool(key, val, hasValue);
        break;
      case 'volume-subpath':
      case 'volume-label':
      case 'volume-driver':
      case 'volume-opt':
        families.add('volume');
        throw new LadeError(ErrorCode.ContainerUnsupported, `${key} is not supported yet: lade has no named volumes`, {
          hint: 'bind-mount a host directory instead',
        });
      case 'image-subpath':
        families.add('image');
        break;
      case 'tmpfs-size':
        families.add('tmpfs');
        try {
          tmpfsSize = ramInBytes(val);
        } catch {
          throw usage(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        families.add('tmpfs');
        if (!/^[0-7]+$/.test(val) || parseInt(val, 8) > 0xffffffff) throw usage(`invalid value for ${key}: ${val}`);
        tmpfsMode = parseInt(val, 8);
        break;
      default:
        throw usage(`unknown option '${key}' in '${field}'`);
    }
  }
  if (type === '') throw usage('type is required');
  for (const f of families) if (f !== type) throw usage(`cannot mix '${f}-*' options with mount type '${type}'`);

  const config = (reason: string): LadeError => new LadeError(ErrorCode.Usage, `invalid mount config for type "${type}": ${reason}`);
  switch (type) {
    case 'bind': {
      if (propagation !== undefined && !PROPAGATIONS.includes(propagation)) throw config(`invalid propagation mode: ${propagation}`);
      const problem = destinationProblem(target);
      if (problem !== undefined) throw config(problem);
      if (source === '') throw config('field Source must not be empty');
      if (!source.startsWith('/')) throw config(`invalid mount path: '${source}' mount path must be absolute`);
      return {
        kind: 'bind',
        source: cleanPath(source),
        destination: cleanPath(target),
        readOnly,
        propagation: (propagation ?? 'rprivate') as Propagation,
        recursive,
        createSource,
      };
    }
    case 'volume': {
      const problem = destinationProblem(target);
      if (problem !== undefined) throw config(problem);
      if (source !== '') throw namedVolumeUnsupported(source);
      return { kind: 'anonymous', destination: cleanPath(target), readOnly };
    }
    case 'tmpfs': {
      const problem = destinationProblem(target);
      if (problem !== undefined) throw config(problem);
      if (source !== '') throw config('field Source must not be specified');
      return { kind: 'tmpfs', destination: cleanPath(target), options: tmpfsOptionsOf(readOnly, tmpfsMode, tmpfsSize) };
    }
    case 'image':
      throw new LadeError(ErrorCode.ContainerUnsupported, 'image mounts are not supported yet', { hint: 'bind-mount a host directory instead' });
    default:
      throw config('mount type unknown');
  }
}

/** moby ConvertTmpfsOptions: `ro`, `mode=<octal>`, `size=<n>[g|m|k]` with the largest unit dividing evenly. */
function tmpfsOptionsOf(readOnly: boolean, mode: number | undefined, size: number | undefined): string[] {
  const out: string[] = [];
  if (readOnly) out.push('ro');
  if (mode !== undefined && mode !== 0) out.push(`mode=${mode.toString(8)}`);
  if (size !== undefined && size !== 0) {
    const unit = ([['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const).find(([, d]) => size % d === 0);
    out.push(unit === undefined ? `size=${size}` : `size=${size / unit[1]}${unit[0]}`);
  }
  return out;
}

/**
 * One `--tmpfs DST[:OPTIONS]` value. Docker's defaults (noexec, nosuid, nodev) are added when
 * the mount is planned; the options given are checked now so a typo fails before anything runs.
 */
export function parseTmpfsFlag(value: string): MountRequest {
  const colon = value.indexOf(':');
  const dest = colon < 0 ? value : value.slice(0, colon);
  const data = colon < 0 ? '' : value.slice(colon + 1);
  const problem = destinationProblem(dest);
  if (problem !== undefined) throw usage(problem === 'field Target must not be empty' ? 'invalid mount path: \'\' mount path must be absolute' : problem);
  const options = data === '' ? [] : data.split(',');
  mergeTmpfsOptions(options);
  return { kind: 'tmpfs', destination: cleanPath(dest), options };
}
