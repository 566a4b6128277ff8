// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports) into one CommonJS
// file, dist/lade.cjs, which bin/lade loads through node:vm with a V8 code cache. Node 20 spends
// about 150 ms resolving and compiling lade's ~200 small ES modules; one file compiled from a code
// cache cuts most of that, which `lade run` start-up feels. CommonJS, because Node 20 can cache
// the compiled code of a script but not of an ES module. zstd-napi stays external (a native
// addon, loaded through require from node_modules).
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['zstd-napi'],
  // The sources find lade's files from import.meta.url (src/paths); in a script it is the bundle's.
  define: { 'import.meta.url': '__ladeImportMetaUrl' },
  banner: { js: "const __ladeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  // A third smaller, which every start reads and hashes against its code cache: about 4 ms.
  // Names are kept, so a --debug stack trace still says which function failed.
  minifyWhitespace: true,
  minifySyntax: true,
};
await build({ ...common, entryPoints: ['dist/src/cli/main.js'], outfile: 'dist/lade.cjs' });
// The worker that unpacks large layers (src/layer/apply-thread.ts), a script of its own beside.
await build({ ...common, entryPoints: ['dist/src/layer/apply-thread-main.js'], outfile: 'dist/lade-apply.cjs' });
// The worker that hashes half of a large build context (src/buildcontext/hash-thread.ts).
await build({ ...common, entryPoints: ['dist/src/buildcontext/hash-thread-main.js'], outfile: 'dist/lade-hash.cjs' });
// A cache made for an older bundle would only be rejected; start afresh.
for (const name of readdirSync('dist')) if (name.startsWith('lade.cjs.') && name.includes('v8cache')) rmSync(`dist/${name}`, { force: true });
