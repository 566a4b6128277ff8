// docker/cli's inspect output: indented JSON by default, compact with `json`, and templates with
// the fallback to the element's JSON (and missingkey=error) when the typed execution fails.
import assert from 'node:assert/strict';
import test from 'node:test';
import { goMap, goStruct } from '../../../src/cli/format/go-value.js';
import { renderInspect } from '../../../src/cli/format/inspect-format.js';
import { isLadeError } from '../../../src/errors/index.js';

const config = goStruct({ Labels: goMap({ maintainer: '<me>' }), Healthcheck: null }, { type: '*container.Config', pointer: true });
const image = goStruct({ Id: 'sha256:abc', RepoTags: ['bench:imp'], Size: 199000000, Config: config }, { type: 'image.InspectResponse' });

test('no format: an indented JSON array in field order, HTML-escaped like the daemon’s JSON', () => {
  assert.deepEqual(renderInspect('', [image]), {
    output:
      '[\n    {\n        "Id": "sha256:abc",\n        "RepoTags": [\n            "bench:imp"\n        ],\n        "Size": 199000000,\n' +
      '        "Config": {\n            "Labels": {\n                "maintainer": "\\u003cme\\u003e"\n            },\n            "Healthcheck": null\n        }\n    }\n]\n',
    errors: [],
  });
  assert.deepEqual(renderInspect('', []), { output: '[]\n', errors: [] });
});

test('json: the same array on one line', () => {
  assert.equal(
    renderInspect('json', [image]).output,
    '[{"Id":"sha256:abc","RepoTags":["bench:imp"],"Size":199000000,"Config":{"Labels":{"maintainer":"\\u003cme\\u003e"},"Healthcheck":null}}]\n',
  );
});

test('a template runs on each element, typed first', () => {
  const out = renderInspect('{{.Id}} {{.Config.Healthcheck}} [{{index .Config.Labels "nope"}}] {{.Config.Labels.nope}} {{.Size}}', [image, image]);
  // A nil pointer field prints <nil>; a missing label through index is "" (map[string]string).
  assert.deepEqual(out, { output: 'sha256:abc <nil> [] <no value> 199000000\n'.repeat(2), errors: [] });
});

test('a field the type lacks is looked up in the JSON, where a missing key is an error', () => {
  const out = renderInspect('{{.Nope}}', [image]);
  assert.equal(out.output, '\n');
  assert.equal(out.errors.length, 1);
  assert.equal(out.errors[0]?.message, 'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"');
  // Other elements still print.
  const mixed = renderInspect('{{.Name}}', [goStruct({ Name: 'a' }, { type: 'T' }), goStruct({ Other: 1 }, { type: 'T' })]);
  assert.equal(mixed.output, 'a\n');
  assert.equal(mixed.errors.length, 1);
});

test('a template that does not parse throws before anything is printed', () => {
  assert.throws(
    () => renderInspect('{{.Id', [image]),
    (e: unknown) => isLadeError(e) && e.code === 'USAGE' && e.message === 'template parsing error: template: :1: unclosed action',
  );
});
