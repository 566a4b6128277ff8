export { parseDockerfile, chompHeredocContent } from './parse.js';
export type { ParseOptions } from './parse.js';
export { dumpDockerfile, dumpNode } from './dump.js';
export { parseHeredocWord } from './heredoc.js';
export type { DockerfileNode, Heredoc, ParsedDockerfile, ParseWarning } from './node.js';
export { MAX_LINE_BYTES } from './lines.js';
