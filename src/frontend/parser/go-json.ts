/**
 * `json.Unmarshal(text, &[]any)` as Go's encoding/json decides it, on top of JSON.parse. The
 * grammar is the same; what differs is what Go refuses after parsing, and how it decodes strings:
 * - a number that overflows float64 (`1e400`) is an UnmarshalTypeError in Go, so the text is not
 *   JSON at all and BuildKit falls back to shell form; JSON.parse gives Infinity;
 * - nesting deeper than 10,000 arrays/objects is a syntax error in Go;
 * - invalid UTF-8 inside a string decodes to U+FFFD, and a `\uD800` escape not followed by a
 *   low-surrogate escape is U+FFFD too. Replacing each invalid byte by U+FFFD before JSON.parse
 *   keeps it from pairing with a preceding `\uD800` escape, which JSON.parse would then join
 *   into one astral character where Go writes two U+FFFD.
 */
import { replaceEscapedBytes, replaceLoneSurrogates } from '../gostrings/index.js';

/** encoding/json's maxNestingDepth. */
const MAX_DEPTH = 10000;

function tooDeep(text: string): boolean {
  if (text.length <= MAX_DEPTH) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_DEPTH) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/** True when a number anywhere in the value overflowed (iterative: the value may be 10,000 deep). */
function hasOverflow(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const item of Object.values(v)) stack.push(item);
    }
  }
  return false;
}

/**
 * The decoded array, or undefined where Go's Unmarshal into `[]any` would return an error
 * (invalid JSON, not an array, overflow, too deep). Strings come back as Go would hold them:
 * invalid UTF-8 and unpaired surrogates as U+FFFD.
 */
export function goUnmarshalArray(text: string): unknown[] | undefined {
  if (tooDeep(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(replaceEscapedBytes(text));
  } catch {
    return undefined;
  }
  // `null` would decode into a nil slice without error, but BuildKit only calls this on text
  // that starts with '['; any other non-array is a type error in Go.
  if (!Array.isArray(value) || hasOverflow(value)) return undefined;
  return value.map((item) => (typeof item === 'string' ? replaceLoneSurrogates(item) : item));
}
