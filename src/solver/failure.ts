/**
 * Which vertex a solve failed on. The error a solve rejects with is the op's own error, so its
 * code, message and hint reach the CLI unchanged; the solver only fills in the vertex's
 * Dockerfile location when the op did not set one (LadeError.withLocation: the innermost location
 * wins), and records the vertex in a side table that `failedVertexOf` reads. A side table rather
 * than a wrapper class because a non-LadeError thrown by an op is a bug, and must reach the CLI
 * as such (rendered as an internal error) instead of being dressed up as a LadeError.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Vertex, VertexId, VertexLocation } from '../graph/index.js';

export interface FailedVertex {
  id: VertexId;
  name: string;
  location?: VertexLocation;
}

const failedVertices = new WeakMap<object, FailedVertex>();

/**
 * Marks `err` as the failure of `vertex` and returns the error to reject with. Errors that are
 * not objects (`throw "x"`) become an internal LadeError, since only objects can carry the mark.
 * The first vertex an error is attributed to keeps it: an op that rethrows the abort reason (the
 * first failure) must not steal that failure.
 */
export function attributeFailure(err: unknown, id: VertexId, vertex: Vertex): unknown {
  const error = typeof err === 'object' && err !== null ? err : new LadeError(ErrorCode.Internal, `op threw a non-error: ${String(err)}`);
  if (failedVertices.has(error)) return error;
  const location = vertex.meta.location;
  failedVertices.set(error, location === undefined ? { id, name: vertex.meta.name } : { id, name: vertex.meta.name, location });
  if (error instanceof LadeError && location !== undefined) error.withLocation(location);
  return error;
}

/** The vertex a solve's error came from; undefined for errors not raised by a vertex (cancellation, a bad graph). */
export function failedVertexOf(err: unknown): FailedVertex | undefined {
  return typeof err === 'object' && err !== null ? failedVertices.get(err) : undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
