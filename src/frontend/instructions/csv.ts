/**
 * One CSV record, as tonistiigi/go-csvvalue reads `--mount` and `--device` values: fields split
 * on commas, a field starting with `"` is quoted (`""` is a literal quote), a quote anywhere else
 * is an error. Errors carry encoding/csv's message with a 1-based byte column.
 */

export class CsvError extends Error {}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

function parseError(consumed: string, extra: string, reason: string): CsvError {
  const column = utf8Length(consumed) + utf8Length(extra) + 1;
  return new CsvError(`parse error on line 1, column ${column}: ${reason}`);
}

const BARE_QUOTE = 'bare " in non-quoted-field';
const BAD_QUOTE = 'extraneous or missing " in quoted-field';

/** The fields of `input`; throws CsvError (`EOF` for an empty input, as Go's io.EOF). */
export function csvFields(input: string): string[] {
  let line = input;
  if (line.endsWith('\r\n')) line = line.slice(0, -2);
  else if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line === '') throw new CsvError('EOF');

  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    const rest = line.slice(pos);
    if (!rest.startsWith('"')) {
      const comma = rest.indexOf(',');
      const field = comma >= 0 ? rest.slice(0, comma) : rest;
      const quote = field.indexOf('"');
      if (quote >= 0) throw parseError(line.slice(0, pos), field.slice(0, quote), BARE_QUOTE);
      fields.push(field);
      if (comma < 0) return fields;
      pos += comma + 1;
      continue;
    }
    // Quoted field.
    pos += 1;
    let field = '';
    for (;;) {
      const close = line.indexOf('"', pos);
      if (close < 0) throw parseError(line.slice(0, pos), '', BAD_QUOTE);
      field += line.slice(pos, close);
      pos = close + 1;
      const next = line[pos];
      if (next === '"') {
        field += '"';
        pos += 1;
        continue;
      }
      if (next === ',') {
        fields.push(field);
        pos += 1;
        break;
      }
      if (next === undefined) {
        fields.push(field);
        return fields;
      }
      throw parseError(line.slice(0, pos - 1), '', BAD_QUOTE);
    }
  }
}
