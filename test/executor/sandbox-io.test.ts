// The helper's monitor (root): stdin relay, separate stdout and stderr, the framed log, the exit
// record, signal forwarding, cgroup placement before setup, and a terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { decodeLogRecords, encodeSpec, sandboxHelperPath, startSandbox } from '../../src/executor/bridge/index.js';
import { tempDir } from '../helpers/tar-fixtures.js';
import { busyboxRoot, dockerLikeSpec, runSpec, sh, watch } from './sandbox-fixture.js';

const root = busyboxRoot();

test('stdin is relayed and its end closes the container stdin', async () => {
  const input = 'hello\nworld\n'.repeat(20000);
  const r = await runSpec(dockerLikeSpec(root, ['cat'], { stdin: true }), input);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, input);
});

test('without stdin the container reads /dev/null', async () => {
  const r = await runSpec(dockerLikeSpec(root, sh('cat; readlink /proc/self/fd/0; echo end')));
  assert.equal(r.stdout, '/dev/null\nend\n');
});

test('stdout and stderr stay separate, and both go to the framed log', async () => {
  const dir = tempDir('lade-sandbox-log-');
  const logPath = join(dir, 'container.log');
  const before = BigInt(Date.now()) * 1_000_000n;
  const r = await runSpec(
    dockerLikeSpec(root, sh('echo out1; echo err1 >&2; echo out2; echo err2 >&2'), {
      monitor: { logPath, exitPath: '', attach: true, detach: false, onExit: [] },
    }),
  );
  const after = BigInt(Date.now()) * 1_000_000n;
  assert.equal(r.stdout, 'out1\nout2\n');
  assert.equal(r.stderr, 'err1\nerr2\n');
  const buf = readFileSync(logPath);
  const { records, consumed } = decodeLogRecords(buf);
  assert.equal(consumed, buf.length, 'the log holds whole records only');
  const text = (stream: number) => Buffer.concat(records.filter((x) => x.stream === stream).map((x) => x.data)).toString();
  assert.equal(text(1), 'out1\nout2\n');
  assert.equal(text(2), 'err1\nerr2\n');
  // Within the run, give or take a second: the wall clock of a virtual machine can be stepped.
  const slack = 1_000_000_000n;
  for (const rec of records) assert.ok(rec.timeNs >= before - slack && rec.timeNs <= after + slack, `timestamp ${rec.timeNs} within the run (${before}..${after})`);
});

test('a detached-style run (not attached) logs without copying, and the exit record is written', async () => {
  const dir = tempDir('lade-sandbox-exit-');
  const logPath = join(dir, 'log');
  const exitPath = join(dir, 'exit.json');
  const started = Date.now();
  const r = await runSpec(dockerLikeSpec(root, sh('echo quiet; exit 3'), { monitor: { logPath, exitPath, attach: false, detach: false, onExit: [] } }));
  assert.deepEqual(r, { stdout: '', stderr: '', exitCode: 3, signal: 0 });
  const record = JSON.parse(readFileSync(exitPath, 'utf8')) as { exitCode: number; signal: number; finishedAt: string };
  assert.equal(record.exitCode, 3);
  assert.equal(record.signal, 0);
  assert.match(record.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  const finished = Date.parse(record.finishedAt);
  assert.ok(finished >= started - 1000 && finished <= Date.now() + 1000, record.finishedAt);
  assert.equal(decodeLogRecords(readFileSync(logPath)).records[0]?.data.toString(), 'quiet\n');
});

test('the monitor forwards SIGTERM to the container, whose trap runs', async () => {
  const h = await startSandbox(dockerLikeSpec(root, sh('trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.1; done')), {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const out = watch(h.stdout);
  await out.until('ready');
  h.kill('SIGTERM');
  const [exit, text] = await Promise.all([h.exit, out.done]);
  assert.deepEqual(exit, { exitCode: 5, signal: 0 });
  assert.equal(text, 'ready\ngot-term\n');
});

test('the first process is in its cgroups before setup, and its cgroup namespace is rooted there', async () => {
  const cg = `/sys/fs/cgroup/pids/lade-sandbox-test-${process.pid}`;
  mkdirSync(cg);
  try {
    const h = await startSandbox(dockerLikeSpec(root, sh('grep ":pids:" /proc/self/cgroup; echo ready; read x'), { stdin: true, cgroupProcs: [join(cg, 'cgroup.procs')] }), {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const out = watch(h.stdout);
    await out.until('ready');
    assert.deepEqual(readFileSync(join(cg, 'cgroup.procs'), 'utf8').trim().split('\n'), [String(h.pid)]);
    h.stdin?.end('\n');
    await h.exit;
    assert.match(out.text(), /^\d+:pids:\/\nready\n$/);
  } finally {
    rmdirSync(cg);
  }
});

/** Runs the helper on `spec` under script(1), whose terminal (set to 33x101) is the helper's stdin and stdout. */
function underScript(spec: Parameters<typeof encodeSpec>[0]) {
  const dir = tempDir('lade-sandbox-tty-');
  const specFile = join(dir, 'spec');
  writeFileSync(specFile, encodeSpec(spec));
  const command = `stty rows 33 cols 101; "${sandboxHelperPath()}" 3<"${specFile}" 4>"${join(dir, 'reports')}"; echo "status=$?"`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, out: watch(child.stdout), reports: () => readFileSync(join(dir, 'reports'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type) };
}

test('-it: keystrokes reach the process through its terminal', async () => {
  const { child, out } = underScript(dockerLikeSpec(root, sh('echo ready; read line; echo "got [$line]"'), { terminal: true, stdin: true }));
  await out.until('ready');
  child.stdin.write('typed words\r');
  await out.until('status=');
  child.stdin.end();
  await out.done;
  const text = out.text().replace(/\r/g, '');
  assert.match(text, /^got \[typed words\]$/m);
  assert.match(text, /status=0/);
});

test('-t: the process gets /dev/pts/0 of its own devpts and the caller terminal size', async () => {
  const { child, out, reports } = underScript(dockerLikeSpec(root, sh('tty; stty size; echo "[$TERM_TEST]"'), { terminal: true, env: ['PATH=/bin', 'TERM_TEST=x'] }));
  await out.until('status=');
  child.stdin.end();
  await out.done;
  const text = out.text().replace(/\r/g, '');
  assert.match(text, /^\/dev\/pts\/0$/m);
  assert.match(text, /^33 101$/m);
  assert.match(text, /^\[x\]$/m);
  assert.match(text, /status=0/);
  assert.deepEqual(reports(), ['pid', 'started', 'exit']);
});
