// Docker's tabwriter settings (minwidth 10, tabwidth 1, padding 3, spaces). Expected layouts were
// produced by Go's text/tabwriter with the same settings; Docker's copy differs from it only in
// measuring wide characters as two columns.
import assert from 'node:assert/strict';
import test from 'node:test';
import { DOCKER_TABWRITER, createTabWriter, tabwrite } from '../../../src/cli/format/tabwriter.js';

test('docker images: columns padded to widest cell + 3, at least 10; the last column unpadded', () => {
  const out = tabwrite('REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nbench\timp\tb2555b2d6db0\t2 minutes ago\t199MB\n');
  assert.equal(
    out,
    'REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\n' +
      // TAG and imp are 3 wide: minwidth 10 pads them with 7 spaces.
      'bench        imp       b2555b2d6db0   2 minutes ago   199MB\n',
  );
});

test('a cell terminated by a tab is padded even when nothing follows it', () => {
  // docker history with an empty COMMENT column ends its lines with spaces for this reason.
  assert.equal(tabwrite('a\tb\t\nc\td\t\n'), 'a         b         \nc         d         \n');
});

test('a line with a single cell ends the column block before it', () => {
  assert.equal(tabwrite('a\tb\nccccccccccccccc\nddddddddddddd\tee\n'), 'a         b\nccccccccccccccc\nddddddddddddd   ee\n');
  // A one-column table is never padded: every line is a single cell.
  assert.equal(tabwrite('IMAGE ID\nb2555b2d6db0\n'), 'IMAGE ID\nb2555b2d6db0\n');
});

test('a column is a run of consecutive lines with a cell in it', () => {
  // Line 2 has no cell in column 1 (its last cell belongs to no column), so lines 1 and 3 align
  // column 1 separately.
  assert.equal(
    tabwrite('a\tb\tc\naaaaaaaaaaaa\tbb\nx\tyyyyyyyyyyyyy\tz\n'),
    'a              b         c\naaaaaaaaaaaa   bb\nx              yyyyyyyyyyyyy   z\n',
  );
});

test('text after the last newline is written at flush', () => {
  assert.equal(tabwrite('ID\tNAME\n1\tone\n22\ttwo\nno newline\tat end'), 'ID           NAME\n1            one\n22           two\nno newline   at end');
});

test('wide characters count two columns, as go-runewidth measures them', () => {
  // 9 CJK characters are 18 columns wide: the column is 21 (18 + padding 3).
  assert.equal(tabwrite('コンテナ名前テスト\tx\nab\ty\n'), 'コンテナ名前テスト   x\nab' + ' '.repeat(19) + 'y\n');
  // A combining accent adds no width.
  assert.equal(tabwrite('e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301\tx\nab\ty\n'), 'e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301   x\nab         y\n');
});

test('writing in pieces gives the same layout as writing at once', () => {
  const text = 'REPOSITORY\tTAG\nbench\timp\nlonger-name\tv1.2.3\n';
  const w = createTabWriter(DOCKER_TABWRITER);
  for (const ch of text) w.write(ch);
  assert.equal(w.flush(), tabwrite(text));
});

test('other settings: right alignment and tab padding', () => {
  const opts = { minwidth: 0, tabwidth: 8, padding: 1, padchar: ' ', alignRight: true };
  assert.equal(tabwrite('a\tbbb\t\ncc\td\t\n', opts), '  a bbb\n cc   d\n');
  assert.equal(tabwrite('a\tb\nccccccccc\td\n', { minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' }), 'a\t\tb\nccccccccc\td\n');
});
