/**
 * `--chown` and WORKDIR's owner resolved as BuildKit's file backend resolves them, in the
 * destination's own /etc/passwd and /etc/group: a user name takes its primary group from
 * passwd; a bare number is used for both uid and gid; a group may be a name or a number.
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { parseGroup, parsePasswd } from '../../executor/index.js';
import type { ChownSpec } from '../../graph/index.js';

export interface Owner {
  uid: number;
  gid: number;
}

const NUMBER = /^[0-9]+$/;

export function resolveOwner(spec: ChownSpec, passwd: string | undefined, group: string | undefined): Owner {
  let uid: number;
  let gid: number;
  if (NUMBER.test(spec.user)) {
    uid = Number(spec.user);
    gid = uid;
  } else {
    const entry = passwd === undefined ? undefined : parsePasswd(passwd).find((u) => u.name === spec.user);
    if (entry === undefined) {
      throw new LadeError(ErrorCode.BuildUserNotFound, `unable to convert uid/gid chown string to host mapping: can't find uid for user ${spec.user}: no such user: ${spec.user}`, {
        hint: `The image has no user ${spec.user} in /etc/passwd; use a numeric uid or add the user first.`,
      });
    }
    uid = entry.uid;
    gid = entry.gid;
  }
  if (spec.group !== undefined && spec.group !== '') {
    if (NUMBER.test(spec.group)) {
      gid = Number(spec.group);
    } else {
      const entry = group === undefined ? undefined : parseGroup(group).find((g) => g.name === spec.group);
      if (entry === undefined) {
        throw new LadeError(ErrorCode.BuildUserNotFound, `unable to convert uid/gid chown string to host mapping: can't find gid for group ${spec.group}: no such group: ${spec.group}`, {
          hint: `The image has no group ${spec.group} in /etc/group; use a numeric gid or add the group first.`,
        });
      }
      gid = entry.gid;
    }
  }
  return { uid, gid };
}
