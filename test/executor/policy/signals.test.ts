// Signals as moby/sys/signal parses them (ParseSignal, the Linux SignalMap), with dockerd's
// kill check (daemon/kill.go) and the stop-signal fallback (container.StopSignal).
import assert from 'node:assert/strict';
import test from 'node:test';
import { isValidSignal, parseKillSignal, parseSignal, signalName, stopSignal, validateStopSignal } from '../../../src/executor/index.js';

test('names, prefixes, case and numbers', () => {
  const table: [string, number][] = [
    ['SIGTERM', 15], ['TERM', 15], ['term', 15], ['SigTerm', 15], ['15', 15], ['9', 9], ['KILL', 9], ['HUP', 1],
    ['SIGUSR1', 10], ['USR2', 12], ['CHLD', 17], ['CLD', 17], ['IOT', 6], ['POLL', 29], ['SIGWINCH', 28],
    ['SIGRTMIN', 34], ['RTMIN+3', 37], ['sigrtmin+15', 49], ['RTMAX-14', 50], ['RTMAX-1', 63], ['SIGRTMAX', 64], ['+2', 2],
  ];
  for (const [raw, num] of table) assert.equal(parseSignal(raw), num, raw);
  for (const bad of ['', 'FOO', 'SIGFOO', '0', 'RTMIN+16', 'SIG', '1.5']) {
    assert.throws(() => parseSignal(bad), new RegExp(`^LadeError: invalid signal: ${bad.replace('+', '\\+').replace('.', '\\.')}$`), bad);
  }
});

test('numbers back to names; validity', () => {
  assert.equal(signalName(15), 'SIGTERM');
  assert.equal(signalName(17), 'SIGCHLD');
  assert.equal(signalName(6), 'SIGABRT');
  assert.equal(signalName(37), 'SIGRTMIN+3');
  assert.equal(signalName(64), 'SIGRTMAX');
  assert.equal(signalName(65), undefined);
  assert.ok(isValidSignal(1) && isValidSignal(64) && !isValidSignal(32) && !isValidSignal(0) && !isValidSignal(99));
});

test('kill -s: SIGKILL by default; numbers Linux lacks are refused as dockerd does', () => {
  assert.equal(parseKillSignal(''), 9);
  assert.equal(parseKillSignal('SIGINT'), 2);
  assert.throws(() => parseKillSignal('99'), /^LadeError: the linux daemon does not support signal 99$/);
  assert.throws(() => parseKillSignal('-3'), /does not support signal -3/);
  assert.throws(() => parseKillSignal('NOPE'), /invalid signal: NOPE/);
});

test('stop signal: validated at create, SIGTERM when empty or unusable', () => {
  validateStopSignal('');
  validateStopSignal('SIGQUIT');
  assert.throws(() => validateStopSignal('SIGBOGUS'), /invalid signal: SIGBOGUS/);
  assert.equal(stopSignal(undefined), 15);
  assert.equal(stopSignal(''), 15);
  assert.equal(stopSignal('SIGQUIT'), 3);
  assert.equal(stopSignal('-4'), 15);
  assert.equal(stopSignal('garbage'), 15);
});
