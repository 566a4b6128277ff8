// Stage resolution: bases, COPY --from and mount sources, targets, reachability, and which
// checks apply to unreachable stages.
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertError, errorOf } from '../instructions/helpers.js';
import { expandReachableStages, resolveBuild } from '../../../src/frontend/stages/index.js';
import { documentOf, expandAll, resolve } from './helpers.js';

const MULTI = `FROM alpine:3.19 AS base
RUN echo base
FROM base AS build
COPY --from=tools /bin/tool /usr/bin/
FROM golang AS tools
FROM scratch AS unused
COPY --from=base / /
FROM base
COPY --from=build /out /out
`;

test('FROM bases: image (normalised), earlier stage by name, scratch', () => {
  const b = resolve(MULTI);
  assert.deepEqual(b.stages[0]!.base, { kind: 'image', name: 'alpine:3.19', normalized: 'docker.io/library/alpine:3.19' });
  assert.deepEqual(b.stages[1]!.base, { kind: 'stage', index: 0 });
  assert.deepEqual(b.stages[2]!.base, { kind: 'image', name: 'golang', normalized: 'docker.io/library/golang:latest' });
  assert.deepEqual(b.stages[3]!.base, { kind: 'scratch' });
  assert.deepEqual(b.stages[4]!.base, { kind: 'stage', index: 0 });
});

test('COPY --from resolves stages by name, case-insensitively, also later ones', () => {
  const b = resolve(MULTI.replace('--from=build', '--from=BUILD'));
  assert.deepEqual(b.stages[1]!.commands[0]!.copyFrom, { kind: 'stage', index: 2 });
  assert.deepEqual(b.stages[4]!.commands[0]!.copyFrom, { kind: 'stage', index: 1 });
});

test('target: the last stage by default; reachable stages follow bases and sources; others are skipped', () => {
  const b = resolve(MULTI);
  assert.equal(b.target, 4);
  assert.deepEqual(b.reachable, [0, 1, 2, 4]);
  assert.deepEqual(
    b.stages.map((s) => s.reachable),
    [true, true, true, false, true],
  );
  const t = resolve(MULTI, { target: 'TOOLS' });
  assert.equal(t.target, 2);
  assert.deepEqual(t.reachable, [2]);
  assert.deepEqual(resolve(MULTI, { target: 'unused' }).reachable, [0, 3]);
});

test('an unknown target is an error with a suggestion and the list of stages', () => {
  const err = errorOf(() => resolve(MULTI, { target: 'buld' }));
  assert.equal(err.message, 'target stage "buld" could not be found (did you mean build?)');
  assert.equal(err.code, 'DOCKERFILE_INSTRUCTION');
  assert.equal(err.hint, 'The named stages are: base, build, tools, unused.');
  assert.equal(errorOf(() => resolve(MULTI, { target: 'zzzzzzz' })).message, 'target stage "zzzzzzz" could not be found');
  // Unnamed stages cannot be targeted, not even by their `stage-N` name.
  assert.equal(errorOf(() => resolve('FROM a\nFROM b\n', { target: 'stage-1' })).message, 'target stage "stage-1" could not be found');
});

test('FROM matches only earlier stages, by the exact lower-case name', () => {
  // A later stage or the stage itself is an image of that name.
  const b = resolve('FROM later AS first\nFROM self AS self\nFROM alpine AS later\n');
  assert.deepEqual(b.stages[0]!.base, { kind: 'image', name: 'later', normalized: 'docker.io/library/later:latest' });
  assert.deepEqual(b.stages[1]!.base, { kind: 'image', name: 'self', normalized: 'docker.io/library/self:latest' });
  // Stage names are lower-cased, so `FROM Base` names an (invalid) image, as in BuildKit.
  assertError(
    errorOf(() => resolve('FROM alpine AS base\nFROM Base\n')),
    { message: 'failed to parse stage name "Base": invalid reference format: repository name (library/Base) must be lowercase', line: 2 },
  );
});

test('COPY --from by index; out of range is an error in any stage', () => {
  const b = resolve('FROM alpine\nFROM busybox\nFROM scratch\nCOPY --from=0 /a /a\nCOPY --from=+0 /b /b\nCOPY --from=01 /c /c\n');
  const commands = b.stages[2]!.commands;
  assert.deepEqual(commands.map((c) => c.copyFrom), [
    { kind: 'stage', index: 0 },
    { kind: 'stage', index: 0 },
    { kind: 'stage', index: 1 },
  ]);
  assertError(errorOf(() => resolve('FROM alpine AS a\nCOPY --from=5 x y\nFROM scratch\n', { target: 'a' })), {
    message: 'invalid stage index 5',
    line: 2,
  });
  assertError(errorOf(() => resolve('FROM alpine\nFROM scratch AS unreachable\nCOPY --from=-1 x y\nFROM busybox\n')), {
    message: 'invalid stage index -1',
    line: 3,
  });
});

test('COPY --from with a variable is an error, even in an unreachable stage', () => {
  const err = errorOf(() => resolve('ARG S=a\nFROM alpine AS x\nCOPY --from=${S} a b\nFROM busybox\n'));
  assertError(err, {
    message: 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
    line: 3,
  });
  assert.ok(err.hint !== undefined);
  // The parser has already removed one level of escapes from flags: `a\\b` reaches here as `a\b`.
  assertError(errorOf(() => resolve('FROM alpine\nCOPY --from=a\\\\b x y\n')), {
    message: 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
    line: 2,
  });
});

test('COPY --from an image that is not a stage; invalid references fail even when unreachable', () => {
  const b = resolve('FROM alpine\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n');
  assert.deepEqual(b.stages[0]!.commands[0]!.copyFrom, { kind: 'image', name: 'nginx:1.25', normalized: 'docker.io/library/nginx:1.25' });
  assert.deepEqual(resolve('FROM alpine\nCOPY --from=scratch / /\n').stages[0]!.commands[0]!.copyFrom, { kind: 'scratch' });
  assertError(errorOf(() => resolve('FROM alpine AS u\nCOPY --from=Nginx:1 a b\nFROM busybox\n')), {
    message: 'failed to parse stage name "Nginx:1": invalid reference format: repository name (library/Nginx) must be lowercase',
    line: 2,
  });
  assertError(errorOf(() => resolve('FROM alpine AS u\nRUN --mount=from=bad!name,target=/x true\nFROM busybox\n')), {
    message: 'failed to parse stage name "bad!name": invalid reference format',
    line: 2,
  });
});

test('an invalid base image reference fails even in an unreachable stage', () => {
  assertError(errorOf(() => resolve('FROM Alpine AS unused\nFROM busybox\n')), {
    message: 'failed to parse stage name "Alpine": invalid reference format: repository name (library/Alpine) must be lowercase',
    line: 1,
  });
});

test('RUN --mount=from resolves stages by name only; a number is an image name', () => {
  const b = resolve('FROM alpine AS a\nFROM busybox\nRUN --mount=from=A,target=/a --mount=type=cache,target=/c --mount=from=0,target=/z true\n');
  assert.deepEqual(b.stages[1]!.commands[0]!.mountSources, [
    { kind: 'stage', index: 0 },
    null,
    { kind: 'image', name: '0', normalized: 'docker.io/library/0:latest' },
  ]);
  assert.deepEqual(b.reachable, [0, 1]);
});

test('COPY --from=<n> past the last stage names an image found earlier by --from or --mount (BuildKit quirk)', () => {
  // The cache mount without from adds a "scratch" source, numbered 1.
  const b = resolve('FROM alpine\nRUN --mount=type=cache,target=/c true\nCOPY --from=1 / /\n');
  assert.deepEqual(b.stages[0]!.commands[1]!.copyFrom, { kind: 'scratch' });
  const img = resolve('FROM alpine\nCOPY --from=nginx /a /a\nCOPY --from=1 /b /b\n');
  assert.deepEqual(img.stages[0]!.commands[1]!.copyFrom, { kind: 'image', name: 'nginx', normalized: 'docker.io/library/nginx:latest' });
  assertError(errorOf(() => resolve('FROM alpine\nCOPY --from=1 /b /b\nCOPY --from=nginx /a /a\n')), { message: 'invalid stage index 1', line: 2 });
});

test('a stage copying from itself, or a cycle of stages, is an error even when unreachable', () => {
  assertError(errorOf(() => resolve('FROM alpine AS a\nCOPY --from=a x y\nFROM busybox\n')), {
    message: 'circular dependency detected on stage: a',
    line: 2,
  });
  const err = errorOf(() => resolve('FROM alpine AS a\nCOPY --from=b x y\nFROM alpine AS b\nRUN --mount=from=a,target=/m true\nFROM busybox\n'));
  assertError(err, { message: 'circular dependency detected on stage: a', line: 2 });
  assert.equal(err.hint, 'The cycle continues at line 4.');
});

test('copying from a later stage passes resolution but fails when the stage is built', () => {
  const text = 'FROM alpine AS a\nCOPY --from=b x y\nFROM busybox AS b\nFROM scratch AS other\n';
  const b = resolve(text, { target: 'a' });
  assert.deepEqual(b.reachable, [0, 1]);
  assertError(errorOf(() => expandReachableStages(b)), {
    message: 'cannot copy from stage "b", it needs to be defined before current stage "a"',
    line: 2,
  });
  assert.doesNotThrow(() => expandAll(text, { target: 'other' }));
  assertError(errorOf(() => expandAll('FROM alpine AS a\nRUN --mount=from=b,target=/m true\nFROM busybox AS b\n', { target: 'a' })), {
    message: 'cannot mount from stage "b" to "/m", stage needs to be defined before current command',
    line: 2,
  });
});

test('a broken unreachable stage does not fail the build; the same stage reachable does', () => {
  const text = `FROM alpine AS broken
ENV X=\${UNSET:?unset}
RUN --mount=type=bogus,target=/x true
FROM busybox AS good
RUN true
`;
  const b = resolve(text);
  assert.deepEqual(b.reachable, [1]);
  assert.doesNotThrow(() => expandReachableStages(b));
  const err = errorOf(() => expandAll(text, { target: 'broken' }));
  assert.equal(err.code, 'SHELL_EXPANSION');
  assert.deepEqual(err.location, { file: 'Dockerfile', line: 2, endLine: 2 });
  assertError(errorOf(() => expandAll(text.replace('ENV X=${UNSET:?unset}', 'ENV X=1'), { target: 'broken' })), {
    message: 'unsupported mount type "bogus"',
    line: 3,
  });
});

test('FROM expansion and platform errors apply to every stage', () => {
  assertError(errorOf(() => resolve('ARG EMPTY=\nFROM ${EMPTY} AS unused\nFROM alpine\n')), {
    message: 'base name (${EMPTY}) should not be blank',
    line: 2,
  });
  assertError(errorOf(() => resolve('FROM --platform=linux/amd64/v2/x alpine AS unused\nFROM alpine\n')), {
    message: 'failed to parse platform linux/amd64/v2/x: "linux/amd64/v2/x": cannot parse platform specifier: invalid argument',
    line: 1,
  });
  assertError(errorOf(() => resolve('FROM --platform=$TARGETPLATFROM alpine\n')), {
    message: 'empty platform value from expression $TARGETPLATFROM (did you mean TARGETPLATFORM?)',
    line: 1,
  });
  const shell = errorOf(() => resolve('FROM ${X:?nobase}\n'));
  assert.equal(shell.code, 'SHELL_EXPANSION');
  assert.deepEqual(shell.location, { file: 'Dockerfile', line: 1, endLine: 1 });
});

test('stage platforms: --platform expanded with global ARGs, inherited from a base stage', () => {
  const b = resolve(
    'ARG P=linux/arm64\nFROM --platform=$BUILDPLATFORM golang AS build\nFROM --platform=$P alpine AS arm\nFROM --platform=linux/386 arm\nFROM scratch\n',
    { buildPlatform: { os: 'linux', architecture: 'amd64' }, targetPlatform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  );
  assert.deepEqual(b.stages[0]!.platform, { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(b.stages[0]!.platformFlag, { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(b.stages[1]!.platform, { os: 'linux', architecture: 'arm64' });
  // A stage built on a stage takes that stage's platform, whatever its own --platform says.
  assert.deepEqual(b.stages[2]!.platformFlag, { os: 'linux', architecture: '386' });
  assert.deepEqual(b.stages[2]!.platform, { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(b.stages[3]!.platform, { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.equal('platformFlag' in b.stages[3]!, false);
});

test('duplicate and reserved stage names are warned about; the later duplicate wins', () => {
  const dup = resolve('FROM alpine AS a\nFROM busybox AS A\nFROM a\n');
  assert.deepEqual(
    dup.warnings.map((w) => [w.rule, w.message, w.location.line]),
    [['DuplicateStageName', 'Duplicate stage name "a", stage names should be unique', 2]],
  );
  assert.deepEqual(dup.stages[2]!.base, { kind: 'stage', index: 1 });
  assert.equal(resolve('FROM alpine AS a\nFROM busybox AS a\n', { target: 'a' }).target, 1);
  const b = resolve('FROM alpine AS scratch\nFROM busybox AS context\nFROM scratch\n');
  assert.deepEqual(
    b.warnings.map((w) => [w.rule, w.message, w.location.line]),
    [
      ['ReservedStageName', 'Stage name should not use the same name as reserved stage "scratch"', 1],
      ['ReservedStageName', 'Stage name should not use the same name as reserved stage "context"', 2],
    ],
  );
  // A stage named scratch shadows the empty image, as in BuildKit.
  assert.deepEqual(b.stages[2]!.base, { kind: 'stage', index: 0 });
});

test('a Dockerfile without stages cannot be built', () => {
  const err = errorOf(() => resolveBuild(documentOf('ARG A=1\n')));
  assert.equal(err.message, 'dockerfile contains no stages to build');
  assert.equal(err.code, 'DOCKERFILE_INSTRUCTION');
});

test('display names: the stage name, stage-N, or "" for a single stage without sources', () => {
  assert.deepEqual(resolve(MULTI).stages.map((s) => s.displayName), ['base', 'build', 'tools', 'unused', 'stage-4']);
  assert.equal(resolve('FROM alpine\nRUN true\n').stages[0]!.displayName, '');
  assert.equal(resolve('FROM alpine\nCOPY --from=nginx a b\n').stages[0]!.displayName, 'stage-0');
});

test('the resolved build is plain JSON data', () => {
  const text = 'FROM alpine AS base\nFROM base\nRUN --mount=type=cache,target=/c --mount=from=base,target=/b true\nCOPY <<EOF /x\nhi\nEOF\n';
  const b = resolve(text, {
    buildArgs: { HTTP_PROXY: 'http://p' },
    baseImageTriggers: new Map([[0, ['ONBUILD RUN x', 'COPY <<EOF /x\nhi\nEOF']]]),
  });
  assert.deepEqual(JSON.parse(JSON.stringify(b)), b);
  assert.deepEqual(JSON.parse(JSON.stringify(resolve(MULTI))), resolve(MULTI));
  const expanded = expandReachableStages(b);
  assert.deepEqual(JSON.parse(JSON.stringify(expanded)), expanded);
});
