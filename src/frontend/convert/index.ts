/** Dockerfile → build graph + image config (BuildKit's dockerfile2llb). */
export { buildDefinition } from './build-definition.js';
export type { BuildDefinition, DefinitionOptions, ResolveImage } from './build-definition.js';
export { HISTORY_COMMENT } from './image-config.js';
export type { BaseImage, BuildImage, HistoryItem, RunConfig } from './image-config.js';
