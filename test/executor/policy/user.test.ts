// User resolution with runc's GetExecUser semantics (moby/sys/user user.go) and Docker's
// getUser (moby daemon/oci_linux.go: additionalGids = primary gid, /etc/group's, --group-add's).
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../../src/errors/index.js';
import { homeForUid, parseGroup, parsePasswd, resolveAdditionalGroups, resolveExecUser, resolveProcessUser } from '../../../src/executor/index.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/sh
  bob:x:1001:100::/home/bob:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
alias:x:1000:1000::/home/alias:/bin/sh
short:x:2000
`;
const GROUP = `root:x:0:
# a comment
wheel:x:10:root,alice
users:x:100:
alice:x:1000:
audio:x:29:alice,bob
staff:x:50:bob
nogroup:x:65534:
`;

test('passwd and group parsing', () => {
  const users = parsePasswd(PASSWD);
  assert.equal(users.length, 7);
  assert.deepEqual(users[3], { name: 'bob', uid: 1001, gid: 100, home: '/home/bob', shell: '/bin/sh' });
  assert.deepEqual(users[6], { name: 'short', uid: 2000, gid: 0, home: '', shell: '' });
  const groups = parseGroup(GROUP);
  assert.equal(groups.length, 7, 'the comment is skipped');
  assert.deepEqual(groups[1], { name: 'wheel', gid: 10, members: ['root', 'alice'] });
  assert.deepEqual(groups[0]!.members, []);
});

// Expected values checked by running moby/sys/user GetExecUser on the same files.
test('every user spec form', () => {
  const table: [string, { uid: number; gid: number; sgids: number[]; home: string }][] = [
    ['', { uid: 0, gid: 0, sgids: [10], home: '/root' }],
    ['root', { uid: 0, gid: 0, sgids: [10], home: '/root' }],
    ['alice', { uid: 1000, gid: 1000, sgids: [10, 29], home: '/home/alice' }],
    ['1000', { uid: 1000, gid: 1000, sgids: [10, 29], home: '/home/alice' }],
    ['bob', { uid: 1001, gid: 100, sgids: [29, 50], home: '/home/bob' }],
    ['4242', { uid: 4242, gid: 0, sgids: [], home: '' }],
    // An explicit group replaces the gid and takes no supplementary groups.
    ['alice:staff', { uid: 1000, gid: 50, sgids: [], home: '/home/alice' }],
    ['alice:50', { uid: 1000, gid: 50, sgids: [], home: '/home/alice' }],
    ['alice:777', { uid: 1000, gid: 777, sgids: [], home: '/home/alice' }],
    ['1001:users', { uid: 1001, gid: 100, sgids: [], home: '/home/bob' }],
    ['4242:4343', { uid: 4242, gid: 4343, sgids: [], home: '' }],
    ['4242:audio', { uid: 4242, gid: 29, sgids: [], home: '' }],
    ['alice:staff:ignored', { uid: 1000, gid: 50, sgids: [], home: '/home/alice' }],
    ['+5', { uid: 5, gid: 0, sgids: [], home: '' }],
  ];
  for (const [spec, want] of table) assert.deepEqual(resolveExecUser(spec, PASSWD, GROUP), want, spec);
});

test('numeric ids work without the files; names need them', () => {
  assert.deepEqual(resolveExecUser('', undefined, undefined), { uid: 0, gid: 0, sgids: [], home: '' });
  assert.deepEqual(resolveExecUser('1000:1000', undefined, undefined), { uid: 1000, gid: 1000, sgids: [], home: '' });
  assert.deepEqual(resolveExecUser('alice', PASSWD, undefined), { uid: 1000, gid: 1000, sgids: [], home: '/home/alice' });
  const e = (spec: string, passwd: string | undefined, group: string | undefined, msg: string): void => {
    assert.throws(() => resolveExecUser(spec, passwd, group), (err: unknown) => err instanceof LadeError && err.code === 'CONTAINER_CONFIG' && err.message === msg, spec);
  };
  e('carol', PASSWD, GROUP, 'unable to find user carol: no matching entries in passwd file');
  e('alice', undefined, GROUP, 'unable to find user alice: no matching entries in passwd file');
  e('alice:video', PASSWD, GROUP, 'unable to find group video: no matching entries in group file');
  e('1000:video', PASSWD, undefined, 'unable to find group video: no matching entries in group file');
  e('0x10', PASSWD, GROUP, 'unable to find user 0x10: no matching entries in passwd file');
  e('-1', PASSWD, GROUP, 'uids and gids must be in range 0-2147483647');
  e('1000:2147483648', PASSWD, GROUP, 'uids and gids must be in range 0-2147483647');
});

test('--group-add: names looked up, numbers as given, duplicates once', () => {
  assert.deepEqual(resolveAdditionalGroups(['audio', '4000', 'staff', '29'], GROUP), [29, 4000, 50]);
  assert.deepEqual(resolveAdditionalGroups(['123'], undefined), [123]);
  assert.throws(() => resolveAdditionalGroups(['video'], GROUP), /unable to find group video: no matching entries in group file/);
});

test("the process user: Docker's additionalGids are the primary gid, /etc/group's, then --group-add's", () => {
  assert.deepEqual(resolveProcessUser('alice', ['staff', '7'], PASSWD, GROUP), { uid: 1000, gid: 1000, additionalGids: [1000, 10, 29, 50, 7] });
  assert.deepEqual(resolveProcessUser('', [], undefined, undefined), { uid: 0, gid: 0, additionalGids: [0] });
});

test('HOME comes from the first passwd entry with the uid, else /', () => {
  assert.equal(homeForUid(1000, PASSWD), '/home/alice');
  assert.equal(homeForUid(0, PASSWD), '/root');
  assert.equal(homeForUid(4242, PASSWD), '/');
  assert.equal(homeForUid(0, undefined), '/');
});
