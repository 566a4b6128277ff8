/**
 * Canonical JSON and vertex ids. Canonical JSON sorts object keys by code unit and leaves out
 * `undefined` members, so two definitions that mean the same serialise the same whatever order
 * their fields were built in.
 */
import { createHash } from 'node:crypto';
import type { Op, Vertex, VertexId } from './types.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

export function sha256Of(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** A vertex's id: its op and its inputs' ids, nothing of its meta. */
export function vertexId(op: Op, inputs: readonly VertexId[]): VertexId {
  return sha256Of(canonicalJson({ op, inputs }));
}

export function idOf(vertex: Vertex): VertexId {
  return vertexId(vertex.op, vertex.inputs);
}
