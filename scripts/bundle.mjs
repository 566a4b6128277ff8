// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports) into one file,
// dist/lade.mjs, which bin/lade loads: Node 20 spends about 150 ms resolving and compiling lade's
// ~200 small ES modules, and one file cuts that by two thirds, which `lade run` start-up feels.
// zstd-napi stays external (a native addon, loaded through require from node_modules).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/lade.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['zstd-napi'],
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __ladeRequire } from 'node:module'; const require = __ladeRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
