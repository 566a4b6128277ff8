// The typed result of each instruction.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseAll, parseAs } from './helpers.js';

test('common fields: keyword as written, trimmed original, location, comments', () => {
  const [, env] = parseAll('FROM a\n# the answer\nenv A=42 \\\n  B=43\n', 'ctx/Dockerfile');
  assert.ok(env !== undefined && env.kind === 'env');
  assert.equal(env.keyword, 'env');
  assert.equal(env.original, 'env A=42   B=43');
  assert.deepEqual(env.location, { file: 'ctx/Dockerfile', line: 3, endLine: 4 });
  assert.deepEqual(env.comments, ['the answer']);
  assert.deepEqual(JSON.parse(JSON.stringify(env)), env, 'plain JSON data');
});

test('FROM: base, lower-cased stage name, AS in any case', () => {
  const from = parseAs('from', 'FROM golang:1.22 as Build');
  assert.equal(from.baseName, 'golang:1.22');
  assert.equal(from.stageName, 'build');
  assert.equal(parseAs('from', 'FROM a AS b-c_d.e').stageName, 'b-c_d.e');
  assert.equal('stageName' in parseAs('from', 'FROM a'), false);
});

test('ENV and LABEL: pairs with quotes kept, legacy form flagged', () => {
  assert.deepEqual(parseAs('env', 'ENV A=1 B="two words" C=\'$x\'').pairs, [
    { key: 'A', value: '1', noDelim: false },
    { key: 'B', value: '"two words"', noDelim: false },
    { key: 'C', value: "'$x'", noDelim: false },
  ]);
  assert.deepEqual(parseAs('env', 'ENV KEY some value').pairs, [{ key: 'KEY', value: 'some value', noDelim: true }]);
  assert.deepEqual(parseAs('label', 'LABEL "com.example"="x y" v=1').pairs, [
    { key: '"com.example"', value: '"x y"', noDelim: false },
    { key: 'v', value: '1', noDelim: false },
  ]);
});

test('ARG: names with and without defaults', () => {
  assert.deepEqual(parseAs('arg', 'ARG A B=2 C="x y" D=').args, [
    { key: 'A' },
    { key: 'B', value: '2' },
    { key: 'C', value: '"x y"' },
    { key: 'D', value: '' },
  ]);
  assert.deepEqual(parseAs('arg', 'ARG A=b=c').args, [{ key: 'A', value: 'b=c' }]);
});

test('EXPOSE sorts the ports by byte value, as BuildKit', () => {
  assert.deepEqual(parseAs('expose', 'EXPOSE 8080 80/udp 443 $PORT').ports, ['$PORT', '443', '80/udp', '8080']);
});

test('VOLUME: JSON or words, trimmed', () => {
  assert.deepEqual(parseAs('volume', 'VOLUME /a /b').volumes, ['/a', '/b']);
  assert.deepEqual(parseAs('volume', 'VOLUME [" /a ", "/b"]').volumes, ['/a', '/b']);
});

test('USER, WORKDIR, STOPSIGNAL, MAINTAINER keep the rest of the line', () => {
  assert.equal(parseAs('user', 'USER app:app').user, 'app:app');
  assert.equal(parseAs('workdir', 'WORKDIR /my dir').path, '/my dir');
  assert.equal(parseAs('stopsignal', 'STOPSIGNAL SIGTERM').signal, 'SIGTERM');
  assert.equal(parseAs('maintainer', 'MAINTAINER Jo <jo@example.com>').maintainer, 'Jo <jo@example.com>');
});

test('RUN, CMD, ENTRYPOINT: shell form vs exec form', () => {
  const shell = parseAs('run', 'RUN echo "hi there" && ls');
  assert.deepEqual(shell.cmdLine, ['echo "hi there" && ls']);
  assert.equal(shell.prependShell, true);
  const exec = parseAs('run', 'RUN ["echo", "hi"]');
  assert.deepEqual(exec.cmdLine, ['echo', 'hi']);
  assert.equal(exec.prependShell, false);
  assert.deepEqual(parseAs('run', 'RUN ["<<EOF"]').cmdLine, ['<<EOF']);
  // Not valid JSON: shell form, verbatim.
  assert.deepEqual(parseAs('cmd', "CMD ['a']").cmdLine, ["['a']"]);
  assert.equal(parseAs('cmd', 'CMD ["a", "b"]').prependShell, false);
  const emptyEntry = parseAs('entrypoint', 'ENTRYPOINT []');
  assert.deepEqual(emptyEntry.cmdLine, []);
  assert.equal(emptyEntry.prependShell, false);
  // BuildKit accepts an empty RUN and CMD: they run an empty shell command.
  assert.deepEqual(parseAs('run', 'RUN').cmdLine, []);
  assert.deepEqual(parseAs('cmd', 'CMD').cmdLine, []);
});

test('RUN defaults: network default, security sandbox, no mounts or devices', () => {
  const run = parseAs('run', 'RUN true');
  assert.equal(run.network, 'default');
  assert.equal(run.security, 'sandbox');
  assert.deepEqual(run.mounts, []);
  assert.deepEqual(run.devices, []);
  assert.deepEqual(run.files, []);
  assert.deepEqual(run.flagsUsed, []);
});

test('RUN --network, --security, --mount (kept as written), --device', () => {
  const run = parseAs(
    'run',
    'RUN --network=host --security=insecure --mount=type=cache,target=/root/.cache,id=$ID --mount=type=secret,id=tok --device=vendor.com/gpu=all,required true',
  );
  assert.equal(run.network, 'host');
  assert.equal(run.security, 'insecure');
  assert.deepEqual(run.mounts, ['type=cache,target=/root/.cache,id=$ID', 'type=secret,id=tok']);
  assert.deepEqual(run.devices, [{ name: 'vendor.com/gpu=all', required: true }]);
  assert.equal(parseAs('run', 'RUN --network=none true').network, 'none');
  assert.deepEqual(parseAs('run', 'RUN --device=name=gpu0,required=false true').devices, [{ name: 'gpu0', required: false }]);
  assert.deepEqual(parseAs('run', 'RUN --device=required,gpu1 true').devices, [{ name: 'gpu1', required: true }]);
  // A trailing `$` in from is allowed at parse time.
  assert.deepEqual(parseAs('run', 'RUN --mount=from=stage$,target=/x true').mounts, ['from=stage$,target=/x']);
});

test('RUN heredocs become inline files; the command keeps the marker', () => {
  const run = parseAs('run', 'RUN <<EOF\nls /\nwhoami\nEOF\n');
  assert.deepEqual(run.cmdLine, ['<<EOF']);
  assert.deepEqual(run.files, [{ name: 'EOF', data: 'ls /\nwhoami\n', chomp: false }]);
  const python = parseAs('run', 'RUN <<\'EOF\' | python\nprint("hello")\nEOF\n');
  assert.deepEqual(python.cmdLine, ["<<'EOF' | python"]);
  assert.deepEqual(python.files, [{ name: 'EOF', data: 'print("hello")\n', chomp: false }]);
  const chomp = parseAs('run', 'RUN <<-EOF\n\techo test\nEOF\n');
  assert.deepEqual(chomp.files, [{ name: 'EOF', data: '\techo test\n', chomp: true }]);
  assert.equal(chomp.location.endLine, 3);
});

test('COPY heredoc sources: chomp, expand flag, mixed with paths, several', () => {
  const copy = parseAs('copy', "COPY <<EOF1 foo.txt <<-'EOF2' /bar\n$first\nEOF1\n\tsecond\nEOF2\n");
  assert.deepEqual(copy.sources, ['foo.txt']);
  assert.deepEqual(copy.contents, [
    { path: 'EOF1', data: '$first\n', expand: true },
    { path: 'EOF2', data: 'second\n', expand: false },
  ]);
  assert.equal(copy.dest, '/bar');
  assert.deepEqual(parseAs('copy', 'COPY <<EOF /bar\nEOF\n').contents, [{ path: 'EOF', data: '', expand: true }]);
  assert.deepEqual(parseAs('add', 'ADD <<EOF /q\n"quotes"\nEOF\n').contents, [{ path: 'EOF', data: '"quotes"\n', expand: true }]);
  // JSON form: no heredoc bodies are read, but a marker word is still a heredoc source (empty).
  const json = parseAs('copy', 'COPY ["<<EOF", "/dst"]');
  assert.deepEqual(json.contents, [{ path: 'EOF', data: '', expand: true }]);
  assert.deepEqual(json.sources, []);
});

test('SHELL: the JSON array', () => {
  assert.deepEqual(parseAs('shell', 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]').shell, ['/bin/bash', '-o', 'pipefail', '-c']);
});

test('ONBUILD keeps the trigger expression; heredoc bodies are appended', () => {
  const ob = parseAs('onbuild', 'ONBUILD   RUN echo hi  ');
  assert.equal(ob.expression, 'RUN echo hi  ');
  assert.equal(ob.trigger, 'RUN');
  assert.equal(ob.original, 'ONBUILD   RUN echo hi');
  const doc = parseAs('onbuild', 'onbuild copy <<EOF /x\nbody\nEOF\n');
  assert.equal(doc.expression, 'copy <<EOF /x\nbody\nEOF');
  assert.equal(doc.trigger, 'COPY');
  // The trigger itself is not validated until it runs.
  assert.equal(parseAs('onbuild', 'ONBUILD RUNN x').trigger, 'RUNN');
});

test('HEALTHCHECK: NONE, CMD exec form, CMD-SHELL for shell form, durations in ns, retries', () => {
  assert.deepEqual(parseAs('healthcheck', 'HEALTHCHECK NONE').health, {
    test: ['NONE'],
    interval: 0,
    timeout: 0,
    startPeriod: 0,
    startInterval: 0,
    retries: 0,
  });
  assert.deepEqual(parseAs('healthcheck', 'HEALTHCHECK CMD curl -f http://localhost/ || exit 1').health.test, [
    'CMD-SHELL',
    'curl -f http://localhost/ || exit 1',
  ]);
  assert.deepEqual(parseAs('healthcheck', 'healthcheck cmd ["curl", "-f"]').health.test, ['CMD', 'curl', '-f']);
  const full = parseAs(
    'healthcheck',
    'HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=2h --start-interval=1ms --retries=+3 CMD true',
  ).health;
  assert.equal(full.interval, 90e9);
  assert.equal(full.timeout, 1.5e9);
  assert.equal(full.startPeriod, 7200e9);
  assert.equal(full.startInterval, 1e6);
  assert.equal(full.retries, 3);
  const zero = parseAs('healthcheck', 'HEALTHCHECK --interval=0 --timeout=0s CMD true').health;
  assert.equal(zero.interval, 0);
  assert.equal(zero.timeout, 0);
});
