/**
 * `RUN --device=<csv>` (CDI devices), parsed like BuildKit's ParseDevice: the name may be given
 * bare or as `name=`, plus an optional `required[=bool]`.
 */
import { csvFields, CsvError } from './csv.js';
import { instructionError } from './errors.js';
import { parseGoBool } from './go-numbers.js';
import { withSuggestion } from './suggest.js';
import type { RunDevice } from './types.js';

export function parseDevice(spec: string): RunDevice {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch (err) {
    if (err instanceof CsvError) throw instructionError(`failed to parse csv devices: ${err.message}`);
    throw err;
  }
  const device: RunDevice = { name: '', required: false };
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'required') {
        device.required = true;
        continue;
      }
      if (device.name === '') {
        device.name = field;
        continue;
      }
      throw instructionError(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'name':
        if (device.name !== '') throw instructionError(`device name already set to ${device.name}`);
        device.name = value;
        break;
      case 'required': {
        const b = parseGoBool(value);
        if (b === undefined) throw instructionError(`invalid value for ${key}: ${value}`);
        device.required = b;
        break;
      }
      default:
        // A CDI name such as `vendor.com/class=name` contains `=` itself.
        if (device.name === '') {
          device.name = field;
          break;
        }
        throw instructionError(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
    }
  }
  return device;
}
