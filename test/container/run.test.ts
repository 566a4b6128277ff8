// `lade run` end to end, as root: the real CLI, the sandbox helper, overlay snapshots and the
// busybox image the test imports itself.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { before } from 'node:test';
import { busyboxImage, type BusyboxImage } from '../helpers/busybox-image.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/tar-fixtures.js';

let img: BusyboxImage;
before(() => {
  img = busyboxImage('busybox:test', ['ENV FOO=from-image', 'WORKDIR /home/alice', 'CMD ["sh"]']);
});

function run(args: string[], input?: string) {
  return img.lade(['run', '--rm', ...args], input === undefined ? {} : { input });
}

test('PID 1 is the command and host processes are invisible', () => {
  const r = run([img.name, 'sh', '-c', 'echo $$; ps -o pid | wc -l']);
  assert.equal(r.status, 0, r.stderr);
  const [pid, lines] = r.stdout.trim().split('\n');
  assert.equal(pid, '1');
  // The header, sh and ps (and wc): a handful of lines, not the host's process table.
  assert.ok(Number(lines) <= 5, `ps saw ${lines} lines`);
});

test('hostname: the short ID by default, --hostname when given', () => {
  const named = run(['--hostname', 'box', img.name, 'hostname']);
  assert.equal(named.stdout, 'box\n', named.stderr);
  // On the host network a container has the host's name, as with Docker; in its own UTS namespace, its short ID.
  const created = img.lade(['create', '--network', 'none', img.name, 'hostname']);
  assert.equal(created.status, 0, created.stderr);
  const id = created.stdout.trim();
  const started = img.lade(['start', '-a', id]);
  assert.equal(started.stdout, `${id.slice(0, 12)}\n`, started.stderr);
  assert.equal(img.lade(['rm', id]).status, 0);
});

test('capabilities are dropped (mount fails) and /proc/sys is read-only', () => {
  const mount = run([img.name, 'mount', '-t', 'tmpfs', 'none', '/tmp']);
  assert.notEqual(mount.status, 0);
  assert.match(mount.stderr, /permission denied|not permitted/i);
  const sys = run([img.name, 'sh', '-c', 'echo 1 > /proc/sys/kernel/domainname']);
  assert.notEqual(sys.status, 0);
  assert.match(sys.stderr, /Read-only file system/);
  // Docker's masked files that this kernel has read as /dev/null (kcore is absent on some kernels).
  const masked = ['/proc/kcore', '/proc/keys', '/proc/timer_list'].filter((p) => existsSync(p));
  assert.ok(masked.length > 0);
  const sizes = run([img.name, 'sh', '-c', masked.map((p) => `wc -c < ${p}`).join('; ')]);
  assert.deepEqual(sizes.stdout.trim().split('\n'), masked.map(() => '0'));
});

test('users by name and number, with groups from the image', () => {
  assert.equal(run([img.name, 'id']).stdout, 'uid=0(root) gid=0(root) groups=0(root)\n');
  assert.equal(run(['-u', 'alice', img.name, 'id']).stdout, 'uid=1000(alice) gid=1000(alice) groups=50(staff),100(users),1000(alice)\n');
  assert.equal(run(['-u', '1001:50', img.name, 'id']).stdout, 'uid=1001(bob) gid=50(staff) groups=50(staff)\n');
  assert.equal(run(['-u', '4242', img.name, 'id']).stdout, 'uid=4242 gid=0(root) groups=0(root)\n');
  const missing = run(['-u', 'mallory', img.name, 'id']);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /unable to find user mallory: no matching entries in passwd file/);
});

test('env and workdir come from the image; -e and -w override', () => {
  assert.equal(run([img.name, 'sh', '-c', 'echo $FOO; pwd; echo $HOME']).stdout, 'from-image\n/home/alice\n/root\n');
  assert.equal(run(['-e', 'FOO=flag', '-w', '/tmp', img.name, 'sh', '-c', 'echo $FOO; pwd']).stdout, 'flag\n/tmp\n');
  assert.equal(run(['-w', '/new/dir', img.name, 'pwd']).stdout, '/new/dir\n', 'a missing workdir is created');
});

test('exit codes: the command\'s, 128+N for a signal, 127 for a missing command', () => {
  assert.equal(run([img.name, 'sh', '-c', 'exit 3']).status, 3);
  assert.equal(run(['--init', img.name, 'sh', '-c', 'kill -KILL $$']).status, 137);
  const missing = run([img.name, 'no-such-command']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /no-such-command/);
});

test('stdin is piped with -i; stdout and stderr stay separate', () => {
  const r = run(['-i', img.name, 'sh', '-c', 'cat; echo to-stderr >&2'], 'hello from stdin\n');
  assert.equal(r.stdout, 'hello from stdin\n');
  assert.equal(r.stderr, 'to-stderr\n');
  assert.equal(run([img.name, 'cat'], 'ignored').stdout, '', 'without -i the container sees no stdin');
});

test('-t gives the process a terminal', () => {
  const lade = join(repoRoot, 'bin', 'lade');
  // script(1) gives lade a terminal; its size must reach the container's.
  const r = spawnSync('script', ['-qec', `stty rows 30 cols 100; ${process.execPath} ${lade} --root ${img.root} run --rm -t ${img.name} sh -c 'tty; stty size'`, '/dev/null'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  // Two terminals (the container's and script's) each turn \n into \r\n.
  assert.match(r.stdout, /\/dev\/pts\/0\r*\n/);
  assert.match(r.stdout, /30 100\r*\n/);
});

test('-t: a terminal resized while the container runs is resized inside it too', () => {
  const lade = join(repoRoot, 'bin', 'lade');
  const script = join(repoRoot, 'test', 'container', 'winch.py');
  const r = spawnSync('python3', [script, process.execPath, lade, '--root', img.root, 'run', '--rm', '-t', img.name, 'sh', '-c', 'stty size; echo ready; i=0; while [ "$(stty size)" = "30 100" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; stty size; echo done'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /30 100\r*\n/);
  assert.match(r.stdout, /40 120\r*\n/);
});

test('bind mounts: rw writes reach the host, :ro refuses writes', () => {
  const dir = tempDir('lade-vol-');
  writeFileSync(join(dir, 'in'), 'host data\n');
  assert.equal(run(['-v', `${dir}:/data`, img.name, 'sh', '-c', 'cat /data/in; echo out > /data/out']).status, 0);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'out\n');
  const ro = run(['-v', `${dir}:/data:ro`, img.name, 'touch', '/data/x']);
  assert.notEqual(ro.status, 0);
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal(existsSync(join(dir, 'x')), false);
});

test('--read-only rootfs, --tmpfs and --network none', () => {
  const r = run(['--read-only', '--tmpfs', '/scratch', img.name, 'sh', '-c', 'touch /x 2>&1; touch /scratch/y && echo tmpfs-ok']);
  assert.match(r.stdout, /Read-only file system/);
  assert.match(r.stdout, /tmpfs-ok/);
  const links = run(['--network', 'none', img.name, 'ip', '-o', 'link']);
  assert.equal(links.status, 0, links.stderr);
  assert.deepEqual(links.stdout.trim().split('\n').map((l) => l.split(':')[1]?.trim()), ['lo']);
  assert.match(links.stdout, /UP/);
});

test('--rm removes the container; without it the container stays, exited', () => {
  const before = img.lade(['ps', '-aq', '--no-trunc']).stdout;
  assert.equal(run([img.name, 'true']).status, 0);
  assert.equal(img.lade(['ps', '-aq', '--no-trunc']).stdout, before);
  const kept = img.lade(['run', '--name', 'kept', img.name, 'sh', '-c', 'exit 4']);
  assert.equal(kept.status, 4);
  const ps = img.lade(['ps', '-a', '--filter', 'name=kept', '--format', '{{.Names}} {{.Status}} {{.Command}}']);
  assert.match(ps.stdout, /^kept Exited \(4\) .* ago "sh -c 'exit 4'"\n$/);
  assert.equal(img.lade(['rm', 'kept']).status, 0);
});

test('a detached container keeps running and logging after lade returns', async () => {
  const started = img.lade(['run', '-d', '--name', 'bg', img.name, 'sh', '-c', 'echo out; echo err >&2; read line < /proc/self/fd/0; sleep 0.3; echo done']);
  assert.equal(started.status, 0, started.stderr);
  assert.match(started.stdout, /^[0-9a-f]{64}\n$/);
  assert.equal(img.lade(['wait', 'bg']).stdout, '0\n');
  const logs = img.lade(['logs', 'bg']);
  assert.equal(logs.stdout, 'out\ndone\n');
  assert.equal(logs.stderr, 'err\n');
  assert.match(img.lade(['ps', '-a', '--filter', 'name=bg', '--format', '{{.Status}}']).stdout, /^Exited \(0\)/);
  assert.equal(img.lade(['rm', 'bg']).status, 0);
});

test('-d --rm: the monitor removes the container when its process ends, with no lade running', () => {
  const started = img.lade(['run', '-d', '--rm', '--name', 'ephemeral', img.name, 'sh', '-c', 'sleep 0.2']);
  assert.equal(started.status, 0, started.stderr);
  const id = started.stdout.trim();
  const deadline = Date.now() + 30_000;
  // Polls the container directory itself: a lade command would finalize the container on its own.
  while (existsSync(join(img.root, 'containers', id)) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
  assert.equal(existsSync(join(img.root, 'containers', id)), false);
});

test('stop: TERM to a process that traps it; KILL after the timeout for one that ignores it', () => {
  const trapping = img.lade(['run', '-d', '--name', 'trap', img.name, 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done']);
  assert.equal(trapping.status, 0, trapping.stderr);
  waitForLog('trap', 'ready');
  assert.equal(img.lade(['stop', 'trap']).status, 0);
  assert.match(img.lade(['ps', '-a', '--filter', 'name=trap', '--format', '{{.Status}}']).stdout, /^Exited \(7\)/);
  assert.match(img.lade(['logs', 'trap']).stdout, /got TERM/);
  // sh as PID 1 without a handler: the kernel drops TERM, so stop must fall back to KILL.
  assert.equal(img.lade(['run', '-d', '--name', 'deaf', img.name, 'sleep', '1000']).status, 0);
  assert.equal(img.lade(['stop', '-t', '1', 'deaf']).status, 0);
  assert.match(img.lade(['inspect', '--format', '{{.State.ExitCode}} {{.State.Status}}', 'deaf']).stdout, /^137 exited\n$/);
  assert.equal(img.lade(['rm', 'trap', 'deaf']).status, 0);
});

function waitForLog(name: string, text: string): void {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (img.lade(['logs', name]).stdout.includes(text)) return;
  }
  assert.fail(`container ${name} never logged ${text}`);
}

test('a container whose process dies while no lade is watching shows as exited with its status', () => {
  assert.equal(img.lade(['run', '-d', '--name', 'victim', img.name, 'sleep', '1000']).status, 0);
  const pid = Number(img.lade(['inspect', '--format', '{{.State.Pid}}', 'victim']).stdout);
  assert.ok(pid > 1);
  process.kill(pid, 'SIGKILL');
  assert.equal(img.lade(['wait', 'victim']).stdout, '137\n');
  assert.match(img.lade(['ps', '-a', '--filter', 'name=victim', '--format', '{{.Status}}']).stdout, /^Exited \(137\)/);
  assert.equal(img.lade(['rm', 'victim']).status, 0);
});

test('kill -s, exec into a running container, rm -f', () => {
  assert.equal(img.lade(['run', '-d', '--name', 'svc', '--hostname', 'svc-host', img.name, 'sleep', '1000']).status, 0);
  const exec = img.lade(['exec', 'svc', 'sh', '-c', 'hostname; echo $$; cat /proc/1/cmdline | tr "\\0" " "']);
  assert.equal(exec.status, 0, exec.stderr);
  const [host, pid, cmdline] = exec.stdout.split('\n');
  assert.equal(host, 'svc-host');
  assert.notEqual(pid, '1');
  assert.equal(cmdline, 'sleep 1000 ');
  assert.equal(img.lade(['exec', '-u', 'alice', 'svc', 'id', '-u']).stdout, '1000\n');
  assert.equal(img.lade(['exec', 'svc', 'sh', '-c', 'exit 5']).status, 5);
  assert.equal(img.lade(['exec', '-i', 'svc', 'cat'], { input: 'piped\n' }).stdout, 'piped\n');
  const rm = img.lade(['rm', 'svc']);
  assert.notEqual(rm.status, 0);
  assert.match(rm.stderr, /You cannot remove a running container/);
  // As with Docker, PID 1 without a handler never sees the signal (pid_namespaces(7)).
  assert.equal(img.lade(['kill', '-s', 'USR1', 'svc']).status, 0);
  assert.equal(img.lade(['inspect', '--format', '{{.State.Running}}', 'svc']).stdout, 'true\n');
  assert.equal(img.lade(['rm', '-f', 'svc']).status, 0);
  assert.match(img.lade(['inspect', 'svc']).stderr, /No such object: svc/);
});

test('resource limits: --pids-limit and --memory', () => {
  const pids = run(['--pids-limit', '5', img.name, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done 2>&1; echo spawned']);
  assert.match(pids.stdout, /can't fork|Resource temporarily unavailable/i);
  const mem = img.lade(['run', '--name', 'hog', '--memory', '32m', img.name, 'sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived']);
  assert.notEqual(mem.stdout, 'survived\n');
  assert.equal(img.lade(['inspect', '--format', '{{.State.OOMKilled}}', 'hog']).stdout, 'true\n');
  assert.equal(img.lade(['rm', 'hog']).status, 0);
});

test('commit: the new layer holds exactly the container\'s changes', () => {
  assert.equal(img.lade(['run', '--name', 'changer', img.name, 'sh', '-c', 'echo new > /newfile; rm /etc/group; mkdir -p /home/alice/d; echo x > /home/alice/d/f']).status, 0);
  const committed = img.lade(['commit', 'changer', 'changed:1']);
  assert.equal(committed.status, 0, committed.stderr);
  assert.match(committed.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const layers = JSON.parse(img.lade(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'changed:1']).stdout) as string[];
  assert.equal(layers.length, 2);
  const dir = tempDir('lade-commit-');
  assert.equal(img.lade(['save', '-o', join(dir, 'img.tar'), 'changed:1']).status, 0);
  mkdirSync(join(dir, 'x'));
  spawnSync('tar', ['-xf', join(dir, 'img.tar'), '-C', join(dir, 'x')]);
  const layerPath = join(dir, 'x', 'blobs', 'sha256', layers[1]!.replace('sha256:', ''));
  const listing = spawnSync('tar', ['-tf', layerPath], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
  assert.deepEqual(listing, ['etc/', 'etc/.wh.group', 'home/', 'home/alice/', 'home/alice/d/', 'home/alice/d/f', 'newfile']);
  assert.equal(run(['changed:1', 'sh', '-c', 'cat /newfile; test -e /etc/group || echo gone']).stdout, 'new\ngone\n');
  assert.equal(img.lade(['rm', 'changer']).status, 0);
});

test('--init: the helper is PID 1, forwards signals and reaps zombies', async () => {
  const r = run(['--init', img.name, 'sh', '-c', 'echo $$; sh -c "sleep 0.2 & exit 0"; sleep 0.5; ps -o stat | grep -c Z || true']);
  const [pid, zombies] = r.stdout.trim().split('\n');
  assert.notEqual(pid, '1');
  assert.equal(zombies, '0');
  // TERM reaches sh through the init, which then exits like sh: 128+15.
  assert.equal(img.lade(['run', '-d', '--init', '--name', 'inited', img.name, 'sleep', '1000']).status, 0);
  assert.equal(img.lade(['stop', 'inited']).status, 0);
  assert.equal(img.lade(['inspect', '--format', '{{.State.ExitCode}}', 'inited']).stdout, '143\n');
  assert.equal(img.lade(['rm', 'inited']).status, 0);
});

test('a foreground run forwards the signals lade receives', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lade'), '--root', img.root, 'run', '--rm', img.name, 'sh', '-c', 'trap "echo caught; exit 9" USR1; echo ready; while true; do sleep 0.1; done'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
  });
  child.kill('SIGUSR1');
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  assert.equal(status, 9);
  assert.match(out, /caught/);
});
