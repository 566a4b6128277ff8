// ARG scoping: global ARGs, redeclaration, build-arg overrides, declaration order, ENV vs ARG,
// predefined ARGs, platform ARGs in FROM, unused build args.
import assert from 'node:assert/strict';
import test from 'node:test';
import { expandReachableStages, proxyEnvList } from '../../../src/frontend/stages/index.js';
import { assertError, errorOf } from '../instructions/helpers.js';
import { commandAt, envValue, expandAll, resolve } from './helpers.js';

function workdirs(text: string, options = {}): string[] {
  return expandAll(text, options).flatMap((c) => (c.instruction.kind === 'workdir' ? [c.instruction.path] : []));
}

test('a global ARG is usable in FROM, not in the stage until redeclared', () => {
  const text = 'ARG TAG=3.19\nFROM alpine:$TAG\nWORKDIR /a/$TAG\nARG TAG\nWORKDIR /b/$TAG\n';
  assert.equal(resolve(text).stages[0]!.baseName, 'alpine:3.19');
  assert.deepEqual(workdirs(text), ['/a/', '/b/3.19']);
  // --build-arg overrides the global default, in FROM and in the redeclared ARG.
  assert.equal(resolve(text, { buildArgs: { TAG: 'edge' } }).stages[0]!.baseName, 'alpine:edge');
  assert.deepEqual(workdirs(text, { buildArgs: { TAG: 'edge' } }), ['/a/', '/b/edge']);
});

test('a stage default beats the global value; --build-arg beats both', () => {
  const text = 'ARG V=global\nFROM alpine\nARG V=stage\nWORKDIR /$V\n';
  assert.deepEqual(workdirs(text), ['/stage']);
  assert.deepEqual(workdirs(text, { buildArgs: { V: 'cli' } }), ['/cli']);
});

test('a global ARG without default or build arg stays unset; a build arg gives it a value', () => {
  const text = 'ARG V\nFROM alpine\nARG V\nWORKDIR /${V:-unset}\n';
  assert.deepEqual(workdirs(text), ['/unset']);
  assert.deepEqual(resolve(text).metaArgs, [{ key: 'V', value: undefined, source: 'none' }]);
  assert.deepEqual(workdirs(text, { buildArgs: { V: 'x' } }), ['/x']);
  assert.deepEqual(resolve(text, { buildArgs: { V: 'x' } }).metaArgs, [{ key: 'V', value: 'x', source: 'build-arg' }]);
});

test('an ARG takes effect from its line on', () => {
  const text = 'FROM busybox\nUSER ${username:-some_user}\nARG username\nUSER $username\n';
  const commands = expandAll(text, { buildArgs: { username: 'what_user' } });
  assert.deepEqual(
    commands.flatMap((c) => (c.instruction.kind === 'user' ? [c.instruction.user] : [])),
    ['some_user', 'what_user'],
  );
});

test('global ARG defaults are expanded with the ARGs before them and the predefined ones', () => {
  const b = resolve('ARG A=1\nARG B=${A}-${TARGETOS}-$BUILDARCH\nARG A=2\nFROM alpine\n');
  assert.deepEqual(b.metaArgs.map((a) => [a.key, a.value]), [['A', '1'], ['B', '1-linux-amd64'], ['A', '2']]);
  assert.equal(b.globalArgs.filter((e) => e.startsWith('A=')).length, 1);
  assert.equal(envValue(b.globalArgs, 'A'), '2');
  // A build arg is taken as is, not expanded.
  assert.equal(resolve('ARG A\nFROM alpine\n', { buildArgs: { A: '$HOME' } }).metaArgs[0]!.value, '$HOME');
  assertError(errorOf(() => resolve('ARG Z\nARG A=${B:?required}\nFROM x\n')), {
    message: 'failed to process "${B:?required}": B: required',
    line: 2,
    code: 'SHELL_EXPANSION',
  });
});

test('ENV after ARG wins; ARG after ENV wins in the build but not in the image', () => {
  const argThenEnv = expandAll('FROM ubuntu\nARG V\nENV V=v1.0.0\nRUN echo $V\n', { buildArgs: { V: 'v2.0.1' } });
  assert.equal(envValue(commandAt(argThenEnv, 4).env, 'V'), 'v1.0.0');
  const text = 'FROM ubuntu AS base\nENV V=env\nARG V=arg\nRUN echo $V\nWORKDIR /$V\n';
  const envThenArg = expandAll(text);
  assert.equal(envValue(commandAt(envThenArg, 4).env, 'V'), 'arg');
  const b = resolve(text);
  const [stage] = expandReachableStages(b);
  assert.deepEqual(stage!.final.imageEnv, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'V=env']);
  assert.equal(envValue(stage!.final.env, 'V'), 'arg');
  // A stage built on it re-applies the image Env, so ENV wins again there (BuildKit's order).
  const child = expandAll(`${text}FROM base\nRUN echo $V\n`);
  assert.equal(envValue(commandAt(child, 7).env, 'V'), 'env');
});

test('ENV pairs on one line are expanded with the environment before the line; ARG pairs in order', () => {
  const env = expandAll('FROM alpine\nENV A=old\nENV A=new B=$A\nARG X=1 Y=$X\nWORKDIR /$B/$Y\n');
  const line3 = commandAt(env, 3).instruction;
  assert.ok(line3.kind === 'env');
  assert.deepEqual(line3.pairs.map((p) => [p.key, p.value]), [['A', 'new'], ['B', 'old']]);
  const line4 = commandAt(env, 4).instruction;
  assert.ok(line4.kind === 'arg');
  assert.deepEqual(line4.args, [{ key: 'X', value: '1' }, { key: 'Y', value: '1' }]);
  const wd = commandAt(env, 5).instruction;
  assert.ok(wd.kind === 'workdir' && wd.path === '/old/1');
});

test('RUN gets declared ARGs and ENV; a build arg nobody declares is not visible and is reported unused', () => {
  const text = 'FROM alpine\nARG USED=default\nENV E=1\nRUN env\n';
  const b = resolve(text, { buildArgs: { USED: 'x', STRAY: 'y' } });
  assert.deepEqual(b.unusedBuildArgs, ['STRAY']);
  const run = commandAt(expandAll(text, { buildArgs: { USED: 'x', STRAY: 'y' } }), 4);
  assert.deepEqual(run.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'USED=x', 'E=1']);
  assert.deepEqual(run.args, [{ key: 'USED', value: 'x' }]);
});

test('ARGs are unused when only an unreachable stage declares them; global ARGs count as used', () => {
  const text = 'ARG G\nFROM alpine AS skipped\nARG S\nFROM busybox\n';
  assert.deepEqual(resolve(text, { buildArgs: { G: '1', S: '2' } }).unusedBuildArgs, ['S']);
  assert.deepEqual(resolve(text, { buildArgs: { G: '1', S: '2' }, target: 'skipped' }).unusedBuildArgs, []);
});

test('platform ARGs: global automatically (usable in FROM), in a stage only after ARG', () => {
  const text = 'FROM --platform=$BUILDPLATFORM golang:$TARGETARCH\nWORKDIR /$TARGETARCH\nARG TARGETARCH\nARG TARGETPLATFORM BUILDOS\nWORKDIR /$TARGETARCH/$TARGETPLATFORM/$BUILDOS\n';
  const options = {
    targetPlatform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    buildPlatform: { os: 'linux', architecture: 'amd64' },
  };
  const b = resolve(text, options);
  assert.equal(b.stages[0]!.baseName, 'golang:arm');
  assert.deepEqual(b.stages[0]!.platform, { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(workdirs(text, options), ['/', '/arm/linux/arm/v7/linux']);
  assert.deepEqual(b.globalArgs.slice(0, 11), [
    'BUILDPLATFORM=linux/amd64',
    'BUILDOS=linux',
    'BUILDOSVERSION=',
    'BUILDARCH=amd64',
    'BUILDVARIANT=',
    'TARGETPLATFORM=linux/arm/v7',
    'TARGETOS=linux',
    'TARGETOSVERSION=',
    'TARGETARCH=arm',
    'TARGETVARIANT=v7',
    'TARGETSTAGE=default',
  ]);
  // A build arg of the same name overrides a predefined value.
  assert.equal(resolve(text, { buildArgs: { TARGETARCH: 'riscv64' } }).stages[0]!.baseName, 'golang:riscv64');
});

test('TARGETSTAGE is the target given, else the last stage name, else "default"', () => {
  const text = 'FROM alpine AS one\nARG TARGETSTAGE\nWORKDIR /$TARGETSTAGE\nFROM alpine AS two\nARG TARGETSTAGE\nWORKDIR /$TARGETSTAGE\n';
  assert.deepEqual(workdirs(text), ['/two']);
  assert.deepEqual(workdirs(text, { target: 'One' }), ['/One']);
  assert.equal(envValue(resolve('FROM a\n').globalArgs, 'TARGETSTAGE'), 'default');
});

test('proxy build args: given to RUN apart from the environment, never unused, visible once declared', () => {
  const text = 'FROM alpine\nRUN echo $HTTP_PROXY\nARG HTTP_PROXY\nRUN echo $HTTP_PROXY\n';
  const options = {
    buildArgs: { HTTP_PROXY: 'http://proxy:3128', no_proxy: 'localhost', https_proxy: 's', HTTPS_PROXY: 'S', All_Proxy: 'a' },
  };
  const b = resolve(text, options);
  assert.deepEqual(b.proxy, { allProxy: 'a', httpProxy: 'http://proxy:3128', noProxy: 'localhost', httpsProxy: 's' });
  assert.deepEqual(b.unusedBuildArgs, []);
  const commands = expandAll(text, options);
  assert.equal(envValue(commandAt(commands, 2).env, 'HTTP_PROXY'), undefined);
  assert.equal(envValue(commandAt(commands, 4).env, 'HTTP_PROXY'), 'http://proxy:3128');
  assert.equal(resolve(text).proxy, undefined);
  assert.deepEqual(proxyEnvList(b.proxy), [
    'HTTP_PROXY=http://proxy:3128',
    'http_proxy=http://proxy:3128',
    'HTTPS_PROXY=s',
    'https_proxy=s',
    'NO_PROXY=localhost',
    'no_proxy=localhost',
    'ALL_PROXY=a',
    'all_proxy=a',
  ]);
});

test('built-in BUILDKIT_* args are never reported unused; the SBOM ones never enter the environment', () => {
  const text = 'FROM alpine\nARG BUILDKIT_SBOM_SCAN_STAGE=true\nARG OTHER=1\nRUN true\n';
  const options = { buildArgs: { BUILDKIT_CACHE_MOUNT_NS: 'ns', BUILDKIT_SANDBOX_HOSTNAME: 'h', SOURCE_DATE_EPOCH: '0' } };
  assert.deepEqual(resolve(text, options).unusedBuildArgs, []);
  const run = commandAt(expandAll(text, options), 4);
  assert.equal(envValue(run.env, 'BUILDKIT_SBOM_SCAN_STAGE'), undefined);
  assert.equal(envValue(run.env, 'OTHER'), '1');
  assert.deepEqual(run.args.map((a) => a.key), ['BUILDKIT_SBOM_SCAN_STAGE', 'OTHER']);
});

test('a stage built on a stage inherits its ARGs and environment', () => {
  const text = 'FROM alpine AS base\nARG V=1\nENV E=2\nFROM base\nRUN true\nWORKDIR /$V/$E\n';
  const commands = expandAll(text);
  const run = commandAt(commands, 5);
  assert.deepEqual(run.args, [{ key: 'V', value: '1' }]);
  assert.equal(envValue(run.env, 'V'), '1');
  const wd = commandAt(commands, 6).instruction;
  assert.ok(wd.kind === 'workdir' && wd.path === '/1/2');
});

test('build args named like object properties are plain names', () => {
  const commands = expandAll('FROM alpine\nARG constructor\nARG __proto__\nWORKDIR /${constructor}/${__proto__:-none}\n', {
    buildArgs: { constructor: 'c' },
  });
  const wd = commandAt(commands, 4).instruction;
  assert.ok(wd.kind === 'workdir');
  assert.equal(wd.path, '/c/none');
});
