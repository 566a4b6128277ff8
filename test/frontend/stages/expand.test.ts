// Which fields each instruction expands, with which lexer settings, and the RUN environment.
import assert from 'node:assert/strict';
import test from 'node:test';
import { expandStage, initialStageState, type ExpandedCommand } from '../../../src/frontend/stages/index.js';
import type { Command } from '../../../src/frontend/instructions/index.js';
import { assertError, errorOf } from '../instructions/helpers.js';
import { commandAt, envValue, expandAll, resolve } from './helpers.js';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function at<K extends Command['kind']>(commands: readonly ExpandedCommand[], line: number, kind: K): Extract<Command, { kind: K }> {
  const c = commandAt(commands, line).instruction;
  assert.equal(c.kind, kind);
  return c as Extract<Command, { kind: K }>;
}

const TEXT = `FROM alpine
ENV D=/dst U=app N=5 "Q"="quoted value" P="80 81"
ENV $U=$D
LABEL "org.$U"="$D $N"
ADD --chown=$U --chmod=0$N --checksum=sha256:$N --exclude=$D https://x/$N.tar $D/
COPY --from=0 --chown=$U:$U --chmod=7$N$N --exclude=*.$U src/$U $D/
WORKDIR $D/work
USER $U:$N
VOLUME $D/v "$D/w"
STOPSIGNAL SIG$N
EXPOSE $N$N $P 9000-900$N/udp
RUN echo $D && exit $N
CMD echo $D
ENTRYPOINT ["$D"]
SHELL ["/bin/$U"]
HEALTHCHECK CMD test -d $D
ONBUILD RUN echo $D
`;

test('expanded fields, per instruction', () => {
  const c = expandAll(TEXT.replace('--from=0 ', ''));
  assert.deepEqual(at(c, 2, 'env').pairs.map((p) => [p.key, p.value]), [['D', '/dst'], ['U', 'app'], ['N', '5'], ['Q', 'quoted value'], ['P', '80 81']]);
  assert.deepEqual(at(c, 3, 'env').pairs.map((p) => [p.key, p.value]), [['app', '/dst']]);
  assert.deepEqual(at(c, 4, 'label').pairs.map((p) => [p.key, p.value]), [['org.app', '/dst 5']]);
  const add = at(c, 5, 'add');
  assert.deepEqual([add.chown, add.chmod, add.checksum, add.sources, add.dest, add.excludes], [
    'app',
    '05',
    'sha256:5',
    ['https://x/5.tar'],
    '/dst/',
    ['$D'],
  ]);
  const copy = at(c, 6, 'copy');
  assert.deepEqual([copy.chown, copy.chmod, copy.sources, copy.dest, copy.excludes], ['app:app', '755', ['src/app'], '/dst/', ['*.$U']]);
  assert.equal(at(c, 7, 'workdir').path, '/dst/work');
  assert.equal(at(c, 8, 'user').user, 'app:5');
  assert.deepEqual(at(c, 9, 'volume').volumes, ['/dst/v', '/dst/w']);
  assert.equal(at(c, 10, 'stopsignal').signal, 'SIG5');
  assert.deepEqual(at(c, 11, 'expose').ports, ['55', '80', '81', '9000-9005/udp']);
});

test('not expanded: command lines, SHELL, HEALTHCHECK, ONBUILD, COPY --from, --exclude', () => {
  const c = expandAll(TEXT.replace('--from=0 ', '--from=nginx '));
  assert.deepEqual(at(c, 12, 'run').cmdLine, ['echo $D && exit $N']);
  assert.deepEqual(at(c, 13, 'cmd').cmdLine, ['echo $D']);
  assert.deepEqual(at(c, 14, 'entrypoint').cmdLine, ['$D']);
  assert.deepEqual(at(c, 15, 'shell').shell, ['/bin/$U']);
  assert.deepEqual(at(c, 16, 'healthcheck').health.test, ['CMD-SHELL', 'test -d $D']);
  assert.equal(at(c, 17, 'onbuild').expression, 'RUN echo $D');
  assert.equal(at(c, 6, 'copy').from, 'nginx');
});

test('the environment each instruction sees is the one before it', () => {
  const c = expandAll('FROM alpine\nENV A=1\nRUN true\nARG B=2\nRUN true\n');
  assert.deepEqual(commandAt(c, 2).env, [PATH]);
  assert.deepEqual(commandAt(c, 3).env, [PATH, 'A=1']);
  assert.deepEqual(commandAt(c, 5).env, [PATH, 'A=1', 'B=2']);
  assert.deepEqual(commandAt(c, 5).args, [{ key: 'B', value: '2' }]);
});

test('setting a name again moves it last in the build environment, but not in the image Env', () => {
  const b = resolve('FROM alpine\nENV A=1 B=2\nENV A=3\nRUN true\n');
  const stage = expandStage(b, 0, initialStageState(['HOME=/root', 'PATH=/bin']));
  assert.deepEqual(stage.commands[2]!.env, ['HOME=/root', 'PATH=/bin', 'B=2', 'A=3']);
  assert.deepEqual(stage.final.imageEnv, ['HOME=/root', 'PATH=/bin', 'A=3', 'B=2']);
});

test('base image Env: kept as given, PATH added when missing', () => {
  assert.deepEqual(initialStageState(['A=1']), { env: [], imageEnv: ['A=1', PATH], args: [] });
  assert.deepEqual(initialStageState(['PATH=/x']).imageEnv, ['PATH=/x']);
  assert.deepEqual(initialStageState().imageEnv, [PATH]);
  const c = expandAll('FROM alpine\nRUN true\n', {}, ['HOME=/root']);
  assert.deepEqual(c[0]!.env, ['HOME=/root', PATH]);
});

test('the escape directive applies to expansion', () => {
  const c = expandAll('# escape=`\nFROM alpine\nENV A=1\nWORKDIR /`$A/$A\n');
  assert.equal(at(c, 4, 'workdir').path, '/$A/1');
});

test('COPY/ADD heredoc bodies: expanded with `\\` escapes and quotes kept; quoted delimiters are literal', () => {
  const text = "# escape=`\nFROM alpine\nENV N=world\nCOPY <<EOF <<'RAW' /d/\nhello \"$N\" \\$N 'x'\nEOF\nkeep $N\nRAW\n";
  const copy = at(expandAll(text), 4, 'copy');
  assert.deepEqual(copy.contents, [
    { path: 'EOF', data: 'hello "world" $N \'x\'\n', expand: true },
    { path: 'RAW', data: 'keep $N\n', expand: false },
  ]);
});

test('RUN mounts are parsed after expansion; their errors point at the RUN line', () => {
  const c = expandAll('FROM alpine\nARG T=cache\nARG ID=gomod\nRUN --mount=type=$T,target=/go/pkg/mod,id=$ID,sharing=locked --mount=type=secret,id=npm,env=NPM_TOKEN go build\n');
  const run = commandAt(c, 4);
  assert.deepEqual(run.mounts, [
    { type: 'cache', from: '', source: '', target: '/go/pkg/mod', readOnly: false, sizeLimit: 0, id: 'gomod', sharing: 'locked', required: false },
    { type: 'secret', from: '', source: '', target: '', readOnly: true, sizeLimit: 0, id: 'npm', sharing: '', required: false, env: 'NPM_TOKEN' },
  ]);
  assert.deepEqual(run.mountSources, [null, null]);
  assertError(errorOf(() => expandAll('FROM alpine\nARG S=big\nRUN --mount=type=tmpfs,target=/t,size=$S true\n')), {
    message: 'invalid value for size: big',
    line: 3,
  });
  const shell = errorOf(() => expandAll('FROM alpine\nRUN --mount=type=cache,target=${T:?no target} true\n'));
  assert.equal(shell.code, 'SHELL_EXPANSION');
  assert.equal(shell.location?.line, 2);
});

test('COPY --from sources are carried with the expanded command', () => {
  const c = expandAll('FROM alpine AS a\nFROM busybox\nCOPY --from=a /x /y\nRUN --mount=from=a,target=/m true\n');
  assert.deepEqual(commandAt(c, 3).copyFrom, { kind: 'stage', index: 0 });
  assert.deepEqual(commandAt(c, 4).mountSources, [{ kind: 'stage', index: 0 }]);
  assert.equal(commandAt(c, 4).mounts?.[0]?.from, 'a');
});

test('expansion errors have the SHELL_EXPANSION code and the instruction location', () => {
  const err = errorOf(() => expandAll('FROM alpine\nWORKDIR \\\n  ${D:?need D}\n'));
  assert.equal(err.code, 'SHELL_EXPANSION');
  assert.deepEqual(err.location, { file: 'Dockerfile', line: 2, endLine: 3 });
  assert.match(err.message, /need D/);
});

test('an ARG default is expanded when declared; a build arg value is taken literally', () => {
  const c = expandAll('FROM alpine\nENV H=/home\nARG A=$H/x\nARG B=$H\nWORKDIR $A:$B\n', { buildArgs: { B: '$H' } });
  assert.equal(at(c, 5, 'workdir').path, '/home/x:$H');
  assert.equal(envValue(commandAt(c, 5).env, 'B'), '$H');
});
