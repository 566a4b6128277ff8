/** Image references with Docker's normalisation rules (distribution/reference). */
export {
  familiarRepository,
  familiarString,
  ImageReferenceError,
  parseImageReference,
  repositoryOf,
} from './reference.js';
export type { ImageReference } from './reference.js';
