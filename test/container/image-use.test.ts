// Images that containers use are protected from rmi and prune, as Docker protects them.
import assert from 'node:assert/strict';
import test from 'node:test';
import { busyboxImage } from '../helpers/busybox-image.js';

test('rmi refuses an image a container uses; -f only when it is not running; prune -a keeps it', () => {
  const img = busyboxImage('busybox:used');
  assert.equal(img.lade(['tag', img.name, 'other:1']).status, 0);
  assert.equal(img.lade(['create', '--name', 'user1', img.name, 'true']).status, 0);
  // Removing one of two names only untags, container or not.
  assert.equal(img.lade(['rmi', 'other:1']).status, 0);
  const refused = img.lade(['rmi', img.name]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /conflict: unable to remove repository reference "busybox:used" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}/);
  const pruned = img.lade(['image', 'prune', '-a', '-f']);
  assert.equal(pruned.status, 0);
  assert.match(img.lade(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout, /^busybox:used$/m);
  assert.equal(img.lade(['run', '-d', '--name', 'user2', img.name, 'sleep', '1000']).status, 0);
  const running = img.lade(['rmi', '-f', img.name]);
  assert.equal(running.status, 1);
  assert.match(running.stderr, /\(cannot be forced\) - image is being used by running container/);
  assert.equal(img.lade(['rm', '-f', 'user2']).status, 0);
  assert.equal(img.lade(['rmi', '-f', img.name]).status, 0, 'forced while only a stopped container uses it');
  assert.equal(img.lade(['rm', 'user1']).status, 0);
});

test('an image VOLUME becomes an anonymous volume filled from the image, kept across restarts', () => {
  const img = busyboxImage('busybox:vol', ['VOLUME /etc', 'CMD ["sh"]']);
  const first = img.lade(['run', '--name', 'v1', img.name, 'sh', '-c', 'mount | grep -c " /etc "; grep -c alice /etc/passwd; test -e /etc/marker && echo again; echo x > /etc/marker']);
  // A volume at /etc, holding the image's files (copied up), and not yet the marker.
  assert.equal(first.stdout, '1\n1\n', first.stderr);
  const second = img.lade(['start', '-a', 'v1']);
  assert.equal(second.stdout, '1\n1\nagain\n', 'the volume outlives the process');
  assert.equal(img.lade(['commit', 'v1', 'vol:1']).status, 0);
  const fresh = img.lade(['run', '--rm', 'vol:1', 'sh', '-c', 'test -e /etc/marker && echo committed || echo not-committed']);
  assert.equal(fresh.stdout, 'not-committed\n', 'volume contents are not committed, as with Docker');
  assert.equal(img.lade(['rm', 'v1']).status, 0);
});
