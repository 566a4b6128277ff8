// Every validation error of instruction parsing, with its message and Dockerfile lines.
import assert from 'node:assert/strict';
import test from 'node:test';
import { expectParseError } from './helpers.js';

test('unknown instructions: suggestion by edit distance, in the case style written', () => {
  const err = expectParseError('FROM alpine\nRUNN echo\n', { message: 'unknown instruction: RUNN (did you mean RUN?)', line: 2 });
  assert.equal(err.hint, undefined);
  expectParseError('FROM alpine\nrunn echo\n', { message: 'unknown instruction: runn (did you mean run?)', line: 2 });
  expectParseError('FROM alpine\nCOPPY a b\n', { message: 'unknown instruction: COPPY (did you mean COPY?)', line: 2 });
  expectParseError('FROM alpine\nFOO bar\n', { message: 'unknown instruction: FOO (did you mean FROM?)', line: 2 });
  expectParseError('FROM alpine\nfoo bar\n', { message: 'unknown instruction: foo (did you mean from?)', line: 2 });
  const none = expectParseError('FROM alpine\nXYZZY bar\n', { message: 'unknown instruction: XYZZY', line: 2 });
  assert.match(none.hint ?? '', /docs\.docker\.com/);
  expectParseError('FROM alpine\nENVV a=b\n', { message: 'unknown instruction: ENVV (did you mean ENV?)', line: 2 });
});

test('instructions that take exactly one argument', () => {
  for (const name of ['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL']) {
    expectParseError(`FROM a\n${name}\n`, { message: `${name} requires exactly one argument`, line: 2 });
  }
});

test('instructions that take at least one argument', () => {
  for (const name of ['ENV', 'LABEL', 'ONBUILD', 'HEALTHCHECK', 'EXPOSE', 'VOLUME', 'ARG']) {
    expectParseError(`FROM a\n${name}\n`, { message: `${name} requires at least one argument`, line: 2 });
  }
  expectParseError('FROM a\nSHELL []\n', { message: 'SHELL requires at least one argument', line: 2 });
  expectParseError('FROM a\nVOLUME []\n', { message: 'VOLUME requires at least one argument', line: 2 });
});

test('COPY and ADD need a destination; the error spans continuation lines', () => {
  for (const name of ['ADD', 'COPY']) {
    expectParseError(`FROM a\n${name} arg1\n`, {
      message: `${name} requires at least two arguments, but only one was provided. Destination could not be determined`,
      line: 2,
    });
  }
  expectParseError('FROM a\nCOPY\t\\\n\t\tquux \\\n      \n', {
    message: 'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    line: 2,
    endLine: 4,
  });
});

test('a heredoc cannot be a COPY/ADD destination', () => {
  expectParseError('FROM a\nCOPY /foo <<EOF\nEOF\n', { message: 'COPY cannot accept a heredoc as a destination', line: 2, endLine: 3 });
  expectParseError('FROM a\nADD /foo <<EOF\nbody\nEOF\n', { message: 'ADD cannot accept a heredoc as a destination', line: 2, endLine: 4 });
});

test('blank names in ENV, LABEL and ARG', () => {
  expectParseError('FROM a\nENV =x\n', { message: 'ENV names can not be blank', line: 2 });
  expectParseError('FROM a\nLABEL =x\n', { message: 'LABEL names can not be blank', line: 2 });
  expectParseError('FROM a\nARG =x\n', { message: 'ARG names can not be blank', line: 2 });
});

test('VOLUME with an empty string', () => {
  expectParseError('FROM a\nVOLUME ["/a", ""]\n', { message: 'VOLUME specified can not be an empty string', line: 2 });
  expectParseError('FROM a\nVOLUME [" "]\n', { message: 'VOLUME specified can not be an empty string', line: 2 });
});

test('SHELL must be JSON', () => {
  const err = expectParseError('FROM a\nSHELL /bin/bash -c\n', { message: 'SHELL requires the arguments to be in JSON form', line: 2 });
  assert.match(err.hint ?? '', /JSON array/);
});

test('FROM argument counts and stage names', () => {
  expectParseError('FROM\n', { message: 'FROM requires either one or three arguments', line: 1 });
  expectParseError('FROM a b\n', { message: 'FROM requires either one or three arguments', line: 1 });
  expectParseError('FROM a AS b c\n', { message: 'FROM requires either one or three arguments', line: 1 });
  expectParseError('FROM a FOR b\n', { message: 'FROM requires either one or three arguments', line: 1 });
  expectParseError('FROM a AS 1st\n', {
    message: 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
    line: 1,
  });
  expectParseError('FROM a AS Foo!\n', {
    message: 'invalid name for build stage: "Foo!", name can\'t start with a number or contain symbols',
    line: 1,
  });
  // The argument count is checked before the flags.
  expectParseError('FROM --bad a b\n', { message: 'FROM requires either one or three arguments', line: 1 });
});

test('ONBUILD forbidden triggers', () => {
  expectParseError('FROM a\nONBUILD ONBUILD RUN touch foobar\n', { message: "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", line: 2 });
  expectParseError('FROM a\nONBUILD FROM scratch\n', { message: "FROM isn't allowed as an ONBUILD trigger", line: 2 });
  expectParseError('FROM a\nonbuild maintainer me\n', { message: "MAINTAINER isn't allowed as an ONBUILD trigger", line: 2 });
});

test('HEALTHCHECK errors', () => {
  expectParseError('FROM a\nHEALTHCHECK NONE extra\n', { message: 'HEALTHCHECK NONE takes no arguments', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK CMD\n', { message: 'Missing command after HEALTHCHECK CMD', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK CMD []\n', { message: 'Missing command after HEALTHCHECK CMD', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK foo bar\n', { message: 'Unknown type "FOO" in HEALTHCHECK (try CMD)', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --interval=5 CMD true\n', { message: 'time: missing unit in duration "5"', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --timeout=abc CMD true\n', { message: 'time: invalid duration "abc"', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --start-period=1x CMD true\n', { message: 'time: unknown unit "x" in duration "1x"', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --interval=50ns CMD true\n', { message: 'Interval "interval" cannot be less than 1ms', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --start-interval=-1s CMD true\n', {
    message: 'Interval "start-interval" cannot be less than 1ms',
    line: 2,
  });
  expectParseError('FROM a\nHEALTHCHECK --retries=-1 CMD true\n', { message: '--retries cannot be negative (-1)', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --retries=x CMD true\n', { message: 'strconv.ParseInt: parsing "x": invalid syntax', line: 2 });
  expectParseError('FROM a\nHEALTHCHECK --retries=2147483648 CMD true\n', {
    message: 'strconv.ParseInt: parsing "2147483648": value out of range',
    line: 2,
  });
  // Flags are checked before the type.
  expectParseError('FROM a\nHEALTHCHECK --bogus=1 foo\n', { message: 'unknown flag: --bogus', line: 2 });
});

test('RUN flag values', () => {
  expectParseError('FROM a\nRUN --network=bridge true\n', { message: 'invalid network mode "bridge"', line: 2 });
  expectParseError('FROM a\nRUN --security=privileged true\n', { message: 'security "privileged" is not valid', line: 2 });
  expectParseError('FROM a\nRUN --mount=type=a\\"b true\n', {
    message: 'failed to parse csv mounts: parse error on line 1, column 7: bare " in non-quoted-field',
    line: 2,
  });
  expectParseError('FROM a\nRUN --mount=from=$IMG,target=/x true\n', {
    message: "'from' doesn't support variable expansion, define alias stage instead",
    line: 2,
  });
  expectParseError('FROM a\nRUN --device=a,b true\n', { message: "invalid field 'b' must be a key=value pair", line: 2 });
  expectParseError('FROM a\nRUN --device=name=a,name=b true\n', { message: 'device name already set to a', line: 2 });
  expectParseError('FROM a\nRUN --device=a,reqired=1 true\n', {
    message: "unexpected key 'reqired' in 'reqired=1' (did you mean required?)",
    line: 2,
  });
  expectParseError('FROM a\nRUN --device=a,required=maybe true\n', { message: 'invalid value for required: maybe', line: 2 });
  expectParseError('FROM a\nRUN --mount true\n', { message: 'missing a value on flag: --mount', line: 2 });
  expectParseError('FROM a\nRUN --network=none --network=host true\n', { message: 'duplicate flag specified: --network', line: 2 });
});

test('errors carry the file name given to the parser and the whole line range', () => {
  const text = 'FROM a\nRUN --network=x \\\n  echo \\\n  hi\n';
  const err = expectParseError(text, { message: 'invalid network mode "x"', line: 2, endLine: 4 });
  assert.equal(err.location?.file, 'Dockerfile');
});
