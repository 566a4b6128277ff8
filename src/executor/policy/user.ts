// `-u`/USER resolution against the image's /etc/passwd and /etc/group, with the semantics of
// runc's (now moby/sys/user's) GetExecUser and GetAdditionalGroups, which Docker calls for every
// container and exec, and the HOME rule of runc's prepareEnv.
import { ErrorCode, LadeError } from '../../errors/index.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

export interface ExecUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups from /etc/group (implicit group form only). */
  readonly sgids: readonly number[];
  /** The passwd entry's home, or '' when no entry matched. */
  readonly home: string;
}

const MAX_ID = 2 ** 31 - 1;

/** Go's strconv.Atoi on a 64-bit platform, with parse errors as 0 (how passwd fields are read). */
function lenientInt(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) return 0;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

function lines(content: string): string[] {
  return content.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** passwd(5) lines `name:pass:uid:gid:gecos:home:shell`; short lines leave fields empty. */
export function parsePasswd(content: string): PasswdEntry[] {
  return lines(content).map((line) => {
    const f = line.split(':');
    return { name: f[0] ?? '', uid: lenientInt(f[2] ?? ''), gid: lenientInt(f[3] ?? ''), home: f[5] ?? '', shell: f[6] ?? '' };
  });
}

/** group(5) lines `name:pass:gid:member,member`; `#` comment lines skipped as glibc does. */
export function parseGroup(content: string): GroupEntry[] {
  return lines(content)
    .filter((l) => !l.startsWith('#'))
    .map((line) => {
      const f = line.split(':');
      const list = f[3] ?? '';
      return { name: f[0] ?? '', gid: lenientInt(f[2] ?? ''), members: list === '' ? [] : list.split(',') };
    });
}

/** moby/sys/user parseNumeric: [isNumeric, value]; a numeric id outside 0..2^31-1 is an error. */
function parseNumeric(text: string): [boolean, number] {
  if (text === '' || !/^[+-]?\d+$/.test(text)) return [false, 0];
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ID) {
    throw new LadeError(ErrorCode.ContainerConfig, `uids and gids must be in range 0-${MAX_ID}`, { hint: `'${text}' is not a valid user or group ID` });
  }
  return [true, n];
}

function notFound(kind: 'user' | 'group', name: string, file: 'passwd' | 'group'): LadeError {
  return new LadeError(ErrorCode.ContainerConfig, `unable to find ${kind} ${name}: no matching entries in ${file} file`, {
    hint: `the image's /etc/${file} has no ${kind} named ${name}; use a numeric ID or add the ${kind} to the image`,
  });
}

/**
 * Resolves a user spec (`""`, `name`, `uid`, `name:group`, `uid:gid`, `name:gid`, `uid:group`).
 * `passwd`/`group` are the files' contents, undefined when the image lacks them. Numeric ids
 * need no entry; a name must match. With an explicit group, no supplementary groups are taken
 * from /etc/group; without one, every group listing the matched user's name is.
 */
export function resolveExecUser(spec: string, passwd: string | undefined, group: string | undefined): ExecUser {
  const parts = spec.split(':');
  const userArg = parts[0] ?? '';
  const groupArg = parts[1] ?? '';
  const [isUid, uidArg] = parseNumeric(userArg);
  const [isGid, gidArg] = parseNumeric(groupArg);

  let uid = 0;
  let gid = 0;
  let home = '';
  let sgids: number[] = [];
  const users = passwd === undefined ? [] : parsePasswd(passwd);
  const match = users.find((u) => (userArg === '' ? u.uid === 0 : isUid ? u.uid === uidArg : u.name === userArg));
  let matchedName = '';
  if (match !== undefined) {
    matchedName = match.name;
    uid = match.uid;
    gid = match.gid;
    home = match.home;
  } else if (userArg !== '') {
    if (!isUid) throw notFound('user', userArg, 'passwd');
    uid = uidArg;
  }

  if (groupArg !== '' || matchedName !== '') {
    const groups = group === undefined ? [] : parseGroup(group);
    if (groupArg !== '') {
      const g = groups.find((e) => (isGid ? e.gid === gidArg : e.name === groupArg));
      if (g !== undefined) gid = g.gid;
      else if (!isGid) throw notFound('group', groupArg, 'group');
      else gid = gidArg;
    } else {
      sgids = groups.filter((e) => e.members.includes(matchedName)).map((e) => e.gid);
    }
  }
  return { uid, gid, sgids, home };
}

/**
 * `--group-add` values: names looked up in /etc/group (must exist), numbers used as they are.
 * Docker returns them deduplicated (in map order); lade keeps the order of first appearance.
 */
export function resolveAdditionalGroups(names: readonly string[], group: string | undefined): number[] {
  const groups = group === undefined ? [] : parseGroup(group);
  const out: number[] = [];
  for (const name of names) {
    const [isNum, num] = parseNumeric(name);
    const g = groups.find((e) => (isNum ? e.gid === num : e.name === name));
    let gid: number;
    if (g !== undefined) {
      if (g.gid < 0 || g.gid > MAX_ID) throw new LadeError(ErrorCode.ContainerConfig, `uids and gids must be in range 0-${MAX_ID}`);
      gid = g.gid;
    } else if (isNum) {
      gid = num;
    } else {
      throw notFound('group', name, 'group');
    }
    if (!out.includes(gid)) out.push(gid);
  }
  return out;
}

/**
 * HOME for a process without one (runc prepareEnv → getUserHome): the home of the first passwd
 * entry with this uid, or "/" when there is none.
 */
export function homeForUid(uid: number, passwd: string | undefined): string {
  if (passwd === undefined) return '/';
  const entry = parsePasswd(passwd).find((u) => u.uid === uid);
  return entry === undefined ? '/' : entry.home;
}

export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
  /** What Docker puts in the OCI spec's additionalGids: the primary gid, then /etc/group's, then --group-add's. */
  readonly additionalGids: readonly number[];
}

/** moby daemon/oci_linux.go getUser: the user spec and --group-add as the process will run. */
export function resolveProcessUser(spec: string, groupAdd: readonly string[], passwd: string | undefined, group: string | undefined): ProcessUser {
  const u = resolveExecUser(spec, passwd, group);
  const extra = groupAdd.length > 0 ? resolveAdditionalGroups(groupAdd, group) : [];
  return { uid: u.uid, gid: u.gid, additionalGids: [u.gid, ...u.sgids, ...extra] };
}
