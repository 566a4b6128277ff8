import { CH_LF } from './chars.js';
import { ANY } from './pattern.js';
import type { ShellPattern } from './pattern.js';

/**
 * Finds shell-pattern matches with Go's leftmost-first semantics, the answer BuildKit gets from
 * `regexp` for the regex it builds: the earliest start, and from there the first match a
 * backtracking engine would reach, with every star preferring the longest run (greedy) or the
 * shortest (lazy).
 *
 * That backtracking order is followed literally, but no state is explored twice: whether "star j
 * placed at offset q" can complete a match depends only on (j, q), and a star cannot cross a
 * newline, so failures are remembered per star and line as a range that runs to the line's end.
 * The total work is O(text length × pattern length), whatever the pattern.
 */

export interface PatternMatch {
  /** Code point offsets into the text; `end` is exclusive. */
  readonly start: number;
  readonly end: number;
}

export class PatternMatcher {
  private readonly segments: readonly Int32Array[];
  private readonly stars: number;
  private readonly text: Int32Array;
  private readonly greedy: boolean;
  /** `lineEnd[p]`: offset of the first newline at or after p, or the text length. */
  private lineEnd: Int32Array | undefined;
  /**
   * `failedFrom[j].get(e) = lo`: every placement q in [lo, e] of the segment after star j, on
   * the line ending at e, is known not to lead to a match.
   */
  private readonly failedFrom: Map<number, number>[];
  // The explicit backtracking stack, one frame per star being placed: a recursive search
  // could overflow the call stack on a pattern with many stars.
  private readonly frameStar: number[] = [];
  private readonly frameFrom: number[] = [];
  private readonly frameNext: number[] = [];
  private readonly frameLast: number[] = [];

  constructor(pattern: ShellPattern, text: Int32Array, greedy: boolean) {
    this.segments = pattern.segments;
    this.stars = pattern.segments.length - 1;
    this.text = text;
    this.greedy = greedy;
    this.failedFrom = [];
    for (let j = 0; j <= this.stars; j++) this.failedFrom.push(new Map());
  }

  /**
   * The leftmost match starting at or after `from`, or only exactly at `from` when anchored.
   * Calls may be repeated with increasing `from` (replace-all): what was learnt stays valid.
   */
  find(from: number, anchored: boolean): PatternMatch | undefined {
    const first = this.segments[0] ?? new Int32Array(0);
    const lastStart = anchored ? from : this.text.length - first.length;
    for (let start = from; start <= lastStart; start++) {
      if (!this.segmentAt(first, start)) continue;
      const afterFirst = start + first.length;
      if (this.stars === 0) return { start, end: afterFirst };
      const end = this.placeStars(afterFirst);
      if (end >= 0) return { start, end };
    }
    return undefined;
  }

  private segmentAt(segment: Int32Array, at: number): boolean {
    const text = this.text;
    if (at + segment.length > text.length) return false;
    for (let i = 0; i < segment.length; i++) {
      const want = segment[i] ?? ANY;
      const have = text[at + i] ?? CH_LF;
      if (want === ANY ? have === CH_LF : want !== have) return false;
    }
    return true;
  }

  private lineEndAt(p: number): number {
    let ends = this.lineEnd;
    if (ends === undefined) {
      const text = this.text;
      ends = new Int32Array(text.length + 1);
      ends[text.length] = text.length;
      for (let i = text.length - 1; i >= 0; i--) ends[i] = text[i] === CH_LF ? i : (ends[i + 1] ?? text.length);
      this.lineEnd = ends;
    }
    return ends[p] ?? this.text.length;
  }

  private markFailed(star: number, lineEnd: number, from: number): void {
    const memo = this.failedFrom[star];
    if (memo === undefined) return;
    const known = memo.get(lineEnd);
    if (known === undefined || from < known) memo.set(lineEnd, from);
  }

  /** Opens a frame for star `star` starting at `from`; false when it is already known to fail. */
  private pushFrame(star: number, from: number): boolean {
    const lineEnd = this.lineEndAt(from);
    const known = this.failedFrom[star]?.get(lineEnd);
    const last = known === undefined ? lineEnd : Math.min(lineEnd, known - 1);
    if (last < from) return false;
    this.frameStar.push(star);
    this.frameFrom.push(from);
    this.frameNext.push(this.greedy ? last : from);
    this.frameLast.push(last);
    return true;
  }

  private popFrame(): void {
    this.frameStar.pop();
    this.frameFrom.pop();
    this.frameNext.pop();
    this.frameLast.pop();
  }

  /**
   * Places stars 1…n after the first segment, which ended at `from`. Returns the end of the
   * match, or -1.
   */
  private placeStars(from: number): number {
    if (!this.pushFrame(1, from)) return -1;
    const greedy = this.greedy;
    while (this.frameStar.length > 0) {
      const top = this.frameStar.length - 1;
      const star = this.frameStar[top] ?? 1;
      const frameFrom = this.frameFrom[top] ?? 0;
      const frameLast = this.frameLast[top] ?? 0;
      const segment = this.segments[star] ?? new Int32Array(0);
      let placed = -1;
      if (greedy) {
        for (let q = this.frameNext[top] ?? -1; q >= frameFrom; q--) {
          if (this.segmentAt(segment, q)) {
            placed = q;
            break;
          }
        }
      } else {
        for (let q = this.frameNext[top] ?? frameLast + 1; q <= frameLast; q++) {
          if (this.segmentAt(segment, q)) {
            placed = q;
            break;
          }
        }
      }
      const lineEnd = this.lineEndAt(frameFrom);
      if (placed < 0) {
        this.markFailed(star, lineEnd, frameFrom);
        this.popFrame();
        continue;
      }
      if (greedy) {
        // Everything above `placed` on this line has been tried and failed.
        if (placed < lineEnd) this.markFailed(star, lineEnd, placed + 1);
        this.frameNext[top] = placed - 1;
      } else {
        this.frameNext[top] = placed + 1;
      }
      const afterSegment = placed + segment.length;
      if (star === this.stars) {
        this.frameStar.length = 0;
        this.frameFrom.length = 0;
        this.frameNext.length = 0;
        this.frameLast.length = 0;
        return afterSegment;
      }
      this.pushFrame(star + 1, afterSegment);
    }
    return -1;
  }
}
