/**
 * `RUN --mount=<csv>` specs, parsed like BuildKit's parseMount. BuildKit parses every spec twice:
 * once when the instruction is parsed, with no expander, which only checks the CSV syntax and
 * that `from` holds no variable; and once when the stage is dispatched, with each value expanded
 * first, which parses and validates everything. parseMount does either, depending on `expand`.
 */
import { goQuote } from '../gostrings/index.js';
import { csvFields, CsvError } from './csv.js';
import { instructionError } from './errors.js';
import { parseGoBool, parseGoUint, ramInBytes } from './go-numbers.js';
import { withSuggestion } from './suggest.js';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

export interface RunMount {
  type: MountType;
  /** A stage name or image reference; "" for the build context (bind) or an empty cache. */
  from: string;
  source: string;
  target: string;
  readOnly: boolean;
  /** tmpfs size in bytes; 0 when not given. */
  sizeLimit: number;
  /** `id=`: the cache id, or the secret/ssh id. */
  id: string;
  /** "" when not given (BuildKit then shares cache mounts). */
  sharing: CacheSharing | '';
  required: boolean;
  /** secret: the environment variable to expose the secret in; absent when not given. */
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const ALL_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid',
  'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

function cutEquals(field: string): [string, string, boolean] {
  const eq = field.indexOf('=');
  return eq < 0 ? [field, '', false] : [field.slice(0, eq), field.slice(eq + 1), true];
}

function badValue(key: string, value: string): Error {
  return instructionError(`invalid value for ${key}: ${value}`);
}

/**
 * Parses one mount spec. Without `expand` (instruction parse time) only the CSV syntax and
 * `from` are looked at, and `from` is kept as written. With `expand` every value goes through
 * it before being interpreted; it throws for a bad expansion.
 */
export function parseMount(spec: string, expand?: (word: string) => string): RunMount {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch (err) {
    if (err instanceof CsvError) throw instructionError(`failed to parse csv mounts: ${err.message}`);
    throw err;
  }
  const m: RunMount = {
    type: 'bind',
    from: '',
    source: '',
    target: '',
    readOnly: false,
    sizeLimit: 0,
    id: '',
    sharing: '',
    required: false,
  };
  let roAuto = true;

  for (const field of fields) {
    const [rawKey, rawValue, hasValue] = cutEquals(field);
    const key = rawKey.toLowerCase();
    if (!hasValue) {
      if (expand === undefined) continue;
      switch (key) {
        case 'readonly':
        case 'ro':
          m.readOnly = true;
          roAuto = false;
          continue;
        case 'readwrite':
        case 'rw':
          m.readOnly = false;
          roAuto = false;
          continue;
        case 'required':
          if (m.type === 'secret' || m.type === 'ssh') {
            m.required = true;
            continue;
          }
          throw instructionError(`unexpected key '${key}' for mount type '${m.type}'`);
        default:
          throw instructionError(`invalid field '${field}' must be a key=value pair`);
      }
    }

    let value = rawValue;
    if (expand !== undefined) {
      value = expand(rawValue);
    } else if (key === 'from') {
      const dollar = value.indexOf('$');
      if (dollar !== -1 && dollar !== value.length - 1) {
        throw instructionError(
          `'${key}' doesn't support variable expansion, define alias stage instead`,
          'Declare a stage with `FROM ${VAR} AS alias` (a global ARG may be used there) and mount from=alias.',
        );
      }
    } else {
      continue;
    }

    switch (key) {
      case 'type': {
        const type = value.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(type)) {
          throw instructionError(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
        }
        m.type = type as MountType;
        break;
      }
      case 'from':
        m.from = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'readonly':
      case 'ro': {
        const b = parseGoBool(value);
        if (b === undefined) throw badValue(key, value);
        m.readOnly = b;
        roAuto = false;
        break;
      }
      case 'readwrite':
      case 'rw': {
        const b = parseGoBool(value);
        if (b === undefined) throw badValue(key, value);
        m.readOnly = !b;
        roAuto = false;
        break;
      }
      case 'required': {
        if (m.type !== 'secret' && m.type !== 'ssh') {
          throw instructionError(`unexpected key '${key}' for mount type '${m.type}'`);
        }
        const b = parseGoBool(value);
        if (b === undefined) throw badValue(key, value);
        m.required = b;
        break;
      }
      case 'size': {
        if (m.type !== 'tmpfs') throw instructionError(`unexpected key '${key}' for mount type '${m.type}'`);
        const size = ramInBytes(value);
        if (size === undefined) throw badValue(key, value);
        m.sizeLimit = size;
        break;
      }
      case 'id':
        m.id = value;
        break;
      case 'sharing': {
        const sharing = value.toLowerCase();
        if (!(SHARING_MODES as readonly string[]).includes(sharing)) {
          throw instructionError(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARING_MODES, true));
        }
        m.sharing = sharing as CacheSharing;
        break;
      }
      case 'mode': {
        const mode = parseGoUint(value, 8, 32);
        if (mode === undefined) throw instructionError(`invalid value ${value} for mode`);
        m.mode = mode;
        break;
      }
      case 'uid': {
        const uid = parseGoUint(value, 10, 32);
        if (uid === undefined) throw instructionError(`invalid value ${value} for uid`);
        m.uid = uid;
        break;
      }
      case 'gid': {
        const gid = parseGoUint(value, 10, 32);
        if (gid === undefined) throw instructionError(`invalid value ${value} for gid`);
        m.gid = gid;
        break;
      }
      case 'env':
        m.env = value;
        break;
      default:
        throw instructionError(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_KEYS, true));
    }
  }

  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    if (m.mode !== undefined) throw instructionError(`mode not allowed for "${m.type}" type mounts`);
    if (m.uid !== undefined) throw instructionError(`uid not allowed for "${m.type}" type mounts`);
    if (m.gid !== undefined) throw instructionError(`gid not allowed for "${m.type}" type mounts`);
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');

  if (m.type === 'secret') {
    if (m.from !== '') throw instructionError('secret mount should not have a from');
    if (m.sharing !== '') throw instructionError('secret mount should not define sharing');
    if (m.source === '' && m.target === '' && m.id === '') {
      throw instructionError('invalid secret mount. one of source, target required');
    }
    if (m.source !== '' && m.id !== '') throw instructionError("both source and id can't be set");
  }
  if (m.sharing !== '' && m.type !== 'cache') {
    throw instructionError(`invalid cache sharing set for ${m.type} mount`);
  }
  return m;
}
