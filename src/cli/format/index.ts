/**
 * Output formatting shared by the commands that must print what Docker's CLI prints: Go's
 * text/template with Docker's functions, the `--format` conventions and table layout of
 * docker/cli's formatter, the inspect output, go-units sizes and durations, and Go's time
 * formatting. See docs in each module for the Go and Docker behaviour reproduced.
 */

// Docker's --format for list commands, and its inspect output.
export { createFormatter, renderList, templateText, JSON_FORMAT_KEY, TABLE_FORMAT_KEY } from './docker-format.js';
export type { FormatRow, Formatter, FormatterOptions } from './docker-format.js';
export {
  CONTAINER_FORMATS,
  HISTORY_FORMATS,
  HISTORY_NON_HUMAN_TABLE,
  IMAGE_DIGEST_TABLE,
  IMAGE_FORMATS,
  QUIET_FORMAT,
} from './docker-defaults.js';
export { compileInspectFormat, renderInspect } from './inspect-format.js';
export type { InspectResult } from './inspect-format.js';

// Go text/template and the values it runs on.
export { compileTemplate } from './template.js';
export type { CompileOptions, ExecuteOptions, ExecuteResult, FuncMap, MissingKey, Template } from './template.js';
export { NIL_POINTER, goFloat, goInt64, goMap, goMethod, goStruct } from './go-value.js';
export type { GoFunc, GoMap, GoMapElem, GoMethod, GoParam, GoStruct, GoStructOptions } from './go-value.js';

// Go's fmt and encoding/json.
export { formatValue, sprint, sprintln } from './go-fmt.js';
export { sprintf } from './go-printf.js';
export { goJson } from './go-json.js';
export type { JsonOptions } from './go-json.js';

// Tables.
export { DOCKER_TABWRITER, createTabWriter, tabwrite } from './tabwriter.js';
export type { TabWriter, TabWriterOptions } from './tabwriter.js';
export { stringWidth } from './runewidth.js';

// go-units and Go time.
export { bytesSize, createdSince, humanDuration, humanSize, humanSizeWithPrecision } from './units.js';
export { goRfc3339, goTimeString } from './go-time.js';
export { UTC, fixedZone, loadZone, localZone } from './go-zone.js';
export type { Zone, ZoneInfo } from './go-zone.js';
export { goQuote } from './go-strings.js';
