/**
 * The build cache beyond this machine: exported to a registry, a directory or inline in the
 * image (`--cache-to`), imported from them (`--cache-from`) lazily, in lade's own OCI format
 * (docs/build-cache.md).
 */
export { parseCacheFrom, parseCacheTo, describeSpec, type CacheExportSpec, type CacheImportSpec, type CacheMode } from './options.js';
export { buildInline, INLINE_CACHE_KEY, CACHE_CONFIG_MEDIA_TYPE, type CacheEntryOut } from './format.js';
export { CacheExporter, exportCache, type ExportContext, type ExportSummary } from './export.js';
export { importCache, ImportedCaches, type ImportedCache, type ImportOutcome } from './import.js';
