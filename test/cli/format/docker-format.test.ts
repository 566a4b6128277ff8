// docker/cli's formatter conventions: table prefix, header row from the same template, json
// shortcut, literal \t and \n, Docker's tabwriter, and its error handling.
import assert from 'node:assert/strict';
import test from 'node:test';
import { HISTORY_FORMATS, IMAGE_FORMATS } from '../../../src/cli/format/docker-defaults.js';
import { type FormatRow, createFormatter, renderList, templateText } from '../../../src/cli/format/docker-format.js';
import { goMethod } from '../../../src/cli/format/go-value.js';
import { isLadeError } from '../../../src/errors/index.js';

const image = {
  Containers: 'N/A',
  CreatedAt: '2024-01-01 12:00:00 +0000 UTC',
  CreatedSince: '2 minutes ago',
  Digest: '<none>',
  ID: 'b2555b2d6db0',
  Repository: 'bench',
  SharedSize: 'N/A',
  Size: '199MB',
  Tag: 'imp',
  UniqueSize: 'N/A',
};
const images = (format: string, rows: readonly FormatRow[] = [image]): string => renderList({ ...IMAGE_FORMATS, format }, rows);

test('the default table of docker images', () => {
  const expected = 'REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\nbench        imp       b2555b2d6db0   2 minutes ago   199MB\n';
  assert.equal(images(''), expected);
  assert.equal(images('table'), expected);
});

test('docker/cli’s own image table case: an empty CreatedSince prints N/A', () => {
  const row = (Repository: string, Tag: string, ID: string, CreatedSince: string) => ({ Repository, Tag, ID, CreatedSince, Size: '0B' });
  assert.equal(
    images('', [row('image', 'tag1', 'imageID1', '24 hours ago'), row('image', 'tag2', 'imageID2', ''), row('<none>', '<none>', 'imageID3', '24 hours ago')]),
    'REPOSITORY   TAG       IMAGE ID   CREATED        SIZE\n' +
      'image        tag1      imageID1   24 hours ago   0B\n' +
      'image        tag2      imageID2   N/A            0B\n' +
      '<none>       <none>    imageID3   24 hours ago   0B\n',
  );
});

test('with no rows a table still prints its header', () => {
  assert.equal(images('', []), 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
  assert.equal(images('{{.ID}}', []), '');
});

test('a custom table: the header is the template run on the header names', () => {
  assert.equal(images('table {{.Repository}}:{{.Tag}}\\t{{.Size}}'), 'REPOSITORY:TAG   SIZE\nbench:imp        199MB\n');
  // Header functions pass names through (lower, truncate…), but pad and printf still apply.
  assert.equal(images('table {{lower .ID}}\\t{{truncate .Tag 1}}\\t{{pad .Size 1 1}}|'), 'IMAGE ID       TAG        SIZE |\nb2555b2d6db0   i          199MB |\n');
  // One column is one cell per line: the tabwriter pads nothing.
  assert.equal(images('table {{.ID}}'), 'IMAGE ID\nb2555b2d6db0\n');
});

test('a field without a header name prints <no value> in the header', () => {
  const out = renderList({ format: 'table {{.ID}}\\t{{.Extra}}', defaultTable: '', headers: { ID: 'ID' } }, [{ ID: '1', Extra: 'x' }]);
  assert.equal(out, 'ID        <no value>\n1         x\n');
});

test('not a table: each row is the template output and a newline, \\t and \\n are replaced', () => {
  assert.equal(images('{{.ID}}\\t{{.Tag}}'), 'b2555b2d6db0\timp\n');
  assert.equal(images('{{.ID}}\\n{{.Tag}}'), 'b2555b2d6db0\nimp\n');
  // Surrounding spaces are trimmed, other white space is kept.
  assert.equal(images('  {{.ID}}\t '), 'b2555b2d6db0\t\n');
  assert.equal(templateText('table  {{.ID}} '), '{{.ID}}');
});

test('json: one object per row, keys sorted, < > & escaped as the row contexts marshal them', () => {
  const line =
    '{"Containers":"N/A","CreatedAt":"2024-01-01 12:00:00 +0000 UTC","CreatedSince":"2 minutes ago","Digest":"\\u003cnone\\u003e",' +
    '"ID":"b2555b2d6db0","Repository":"bench","SharedSize":"N/A","Size":"199MB","Tag":"imp","UniqueSize":"N/A"}\n';
  assert.equal(images('json'), line);
  assert.equal(images('{{json .}}'), line);
  // json of a single field goes through Docker's encoder, which does not escape HTML.
  assert.equal(images('{{json .Digest}}'), '"<none>"\n');
});

test('named formats: raw', () => {
  assert.equal(
    images('raw'),
    'repository: bench\ntag: imp\nimage_id: b2555b2d6db0\ncreated_at: 2024-01-01 12:00:00 +0000 UTC\nvirtual_size: 199MB\n\n',
  );
});

test('history: trailing empty COMMENT cells leave the SIZE column padded', () => {
  const rows = [
    { ID: 'b2555b2d6db0', CreatedSince: '2 minutes ago', CreatedBy: 'CMD ["sh"]', Size: '0B', Comment: 'buildkit.dockerfile.v0' },
    { ID: '<missing>', CreatedSince: '3 weeks ago', CreatedBy: '/bin/sh -c #(nop) ADD file:abc in /', Size: '7.8MB', Comment: '' },
  ];
  assert.equal(
    renderList({ ...HISTORY_FORMATS, format: '' }, rows),
    'IMAGE          CREATED         CREATED BY                            SIZE      COMMENT\n' +
      'b2555b2d6db0   2 minutes ago   CMD ["sh"]                            0B        buildkit.dockerfile.v0\n' +
      '<missing>      3 weeks ago     /bin/sh -c #(nop) ADD file:abc in /   7.8MB     \n',
  );
});

test('errors: an unknown field fails like on Docker’s typed context, and nothing is printed', () => {
  assert.throws(
    () => images('{{.Foo}}'),
    (e: unknown) =>
      isLadeError(e) &&
      e.code === 'USAGE' &&
      e.message === 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.imageContext',
  );
  assert.throws(
    () => createFormatter({ ...IMAGE_FORMATS, format: '{{.ID}' }),
    (e: unknown) => isLadeError(e) && e.message === "template parsing error: template: :1: bad character U+007D '}'",
  );
  // The second row fails: the first row's output is not printed either.
  const rows = [{ ID: '1', N: 'a' }, { ID: '2' }];
  assert.throws(() => renderList({ format: '{{.N}}', defaultTable: '', headers: {} }, rows), /can't evaluate field N/);
});

test('row methods take arguments (the container context’s .Label)', () => {
  const row = { ID: 'c1', Label: goMethod(['string'], ([name]) => (name === 'app' ? 'web' : '')) };
  assert.equal(renderList({ format: '{{.ID}} {{.Label "app"}}', defaultTable: '', headers: {} }, [row]), 'c1 web\n');
  // MarshalJSON covers fields, not methods.
  assert.equal(renderList({ format: 'json', defaultTable: '', headers: {} }, [row]), '{"ID":"c1"}\n');
});

test('a formatter parses once and reports whether it is a table', () => {
  const f = createFormatter({ ...IMAGE_FORMATS, format: '' });
  assert.equal(f.isTable, true);
  assert.equal(f.format, IMAGE_FORMATS.defaultTable);
  assert.equal(f.render([image]), f.render([image]));
  assert.equal(createFormatter({ ...IMAGE_FORMATS, format: 'json' }).isTable, false);
});
