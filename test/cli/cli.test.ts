// The CLI as users meet it: the real bin/lade in a child process.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lade, type Run } from '../helpers/lade-cli.js';

const work = mkdtempSync(join(tmpdir(), 'lade-cli-'));
function dockerfile(text: string, name = 'Dockerfile'): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe('help and version, Docker style', () => {
  test('--version and -v print "lade version X, build Y"', () => {
    for (const flag of ['--version', '-v']) {
      const r = lade([flag]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^lade version \d+\.\d+\.\d+, build \S+\n$/);
    }
  });

  test('--help, no arguments and `help` print the usage with commands and global options', () => {
    for (const args of [['--help'], [], ['help'], ['-h']]) {
      const r = lade(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /^\nUsage: {2}lade \[OPTIONS\] COMMAND\n/);
      assert.match(r.stdout, /\n {6}--root string +Directory for all of lade's state/);
      assert.match(r.stdout, /\n {2}-D, --debug +Enable debug mode/);
      assert.match(r.stdout, /Management Commands:\n {2}builder {5}Manage builds\n {2}container {3}Manage containers\n {2}debug {7}Inspect lade's internals/);
      assert.match(r.stdout, /Run 'lade COMMAND --help' for more information on a command\.\n$/);
    }
  });

  test('COMMAND --help and help COMMAND print the command usage', () => {
    const a = lade(['debug', 'parse', '--help']);
    const b = lade(['help', 'debug', 'parse']);
    assert.equal(a.status, 0);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, /^\nUsage: {2}lade debug parse \[OPTIONS\] FILE\n/);
    assert.match(a.stdout, /--format string +Output format: .*\(default "buildkit"\)/);
    const group = lade(['debug']);
    assert.match(group.stdout, /Usage: {2}lade debug COMMAND\n[\s\S]*\n {2}parse {7}/);
  });

  test('an unknown command exits 1, an unknown flag 125, with a pointer to --help', () => {
    const cmd = lade(['bogus']);
    assert.equal(cmd.status, 1);
    assert.equal(cmd.stderr, "'bogus' is not a lade command.\nSee 'lade --help'.\n");
    const flag = lade(['debug', 'parse', '--bogus', 'x']);
    assert.equal(flag.status, 125);
    assert.equal(flag.stderr, "unknown flag: --bogus\nSee 'lade debug parse --help'.\n");
    const short = lade(['-Z']);
    assert.equal(short.status, 125);
    assert.match(short.stderr, /^unknown shorthand flag: -Z\n/);
  });

  test('a wrong argument count names the command and repeats its usage', () => {
    const r = lade(['debug', 'parse']);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      '"lade debug parse" requires exactly 1 argument.\nSee \'lade debug parse --help\'.\n\n' +
        'Usage:  lade debug parse [OPTIONS] FILE\n\nPrint a parsed Dockerfile ("-" reads standard input)\n',
    );
  });

  test('a bad flag value lists the accepted ones', () => {
    const r = lade(['debug', 'parse', '--format', 'xml', 'x']);
    assert.equal(r.status, 125);
    assert.match(r.stderr, /invalid argument "xml" for "--format" flag: must be one of "buildkit", "json"/);
  });
});

describe('global options', () => {
  const rootOf = (r: Run) => /Root Dir: (.*)/.exec(r.stdout)?.[1];

  test('--root beats LADE_ROOT, which beats the default; accepted before or after the command', () => {
    assert.equal(rootOf(lade(['info'])), '/var/lib/lade');
    assert.equal(rootOf(lade(['info'], { env: { LADE_ROOT: '/from/env' } })), '/from/env');
    assert.equal(rootOf(lade(['--root', '/before', 'info'], { env: { LADE_ROOT: '/from/env' } })), '/before');
    assert.equal(rootOf(lade(['info', '--root=/after'])), '/after');
  });

  test('a relative --root or LADE_ROOT is taken from the working directory, once: state never moves with a chdir', () => {
    assert.equal(rootOf(lade(['--root', 'state', 'info'], { cwd: work })), join(work, 'state'));
    assert.equal(rootOf(lade(['info'], { cwd: work, env: { LADE_ROOT: './env-state' } })), join(work, 'env-state'));
    // A build there uses overlay snapshots: with the root relative, overlayfs's probe (made from
    // inside the snapshot directory) failed, and every build fell back to copying trees.
    const context = join(work, 'relative-context');
    mkdirSync(context);
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY f /f\n');
    writeFileSync(join(context, 'f'), 'f\n');
    const built = lade(['--root', 'build-state', 'build', '-q', 'relative-context'], { cwd: work });
    assert.equal(built.status, 0, built.stderr);
    assert.ok(existsSync(join(work, 'build-state', 'snapshots', 'overlay')), 'the overlay snapshotter');
    assert.ok(!existsSync(join(work, 'build-state', 'snapshots', 'copy')));
  });

  test('--debug and -D turn debug mode on, before or after the command', () => {
    for (const args of [['--debug', 'info'], ['-D', 'info'], ['info', '--debug']]) {
      assert.match(lade(args).stdout, /Debug Mode: true/, args.join(' '));
    }
    assert.match(lade(['info']).stdout, /Debug Mode: false/);
  });
});

describe('lade debug parse', () => {
  test('prints BuildKit\'s AST dump', () => {
    const r = lade(['debug', 'parse', dockerfile('FROM alpine AS b\nRUN ["echo", "hi"]\nENV a=1\n')]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '(from "alpine" "AS" "b")\n(run "echo" "hi")\n(env "a" "1" "=")\n');
  });

  test('--format json prints typed instructions with their lines', () => {
    const r = lade(['debug', 'parse', '--format', 'json', dockerfile('ARG V=1\nFROM alpine\nRUN a \\\n  b\n')]);
    assert.equal(r.status, 0);
    const doc = JSON.parse(r.stdout) as {
      metaArgs: { kind: string }[];
      stages: { from: { kind: string; baseName: string }; commands: { kind: string; location: { line: number; endLine: number } }[] }[];
    };
    assert.equal(doc.metaArgs[0]?.kind, 'arg');
    assert.equal(doc.stages[0]?.from.baseName, 'alpine');
    assert.deepEqual(doc.stages[0]?.commands.map((c) => [c.kind, c.location.line, c.location.endLine]), [['run', 3, 4]]);
  });

  test('reads standard input for "-"', () => {
    const r = lade(['debug', 'parse', '-'], { input: 'FROM x\nCMD ["a"]\n' });
    assert.equal(r.stdout, '(from "x")\n(cmd "a")\n');
  });

  test('a Dockerfile error is one line with file and line, exit 1, no stack trace', () => {
    const path = dockerfile('FROM alpine\nRUNN echo\n', 'Bad.Dockerfile');
    const r = lade(['debug', 'parse', '--format', 'json', path]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `${path}:2: unknown instruction: RUNN (did you mean RUN?)\n`);
    const parseErr = lade(['debug', 'parse', dockerfile('FROM x\nRUN <<EOF\nhi\n', 'Heredoc')]);
    assert.equal(parseErr.status, 1);
    assert.match(parseErr.stderr, /Heredoc:2: unterminated heredoc\n/);
    assert.doesNotMatch(parseErr.stderr, /\n\s+at /);
  });

  test('--debug adds the error code and the stack', () => {
    const r = lade(['--debug', 'debug', 'parse', join(work, 'missing')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lade: cannot read .*missing: no such file\n\[FILE_READ\]\nLadeError: /);
    assert.match(r.stderr, /\n\s+at /);
  });

  test('an unreadable file is a clear error', () => {
    const r = lade(['debug', 'parse', work]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `lade: cannot read ${work}: it is a directory\n`);
  });
});
