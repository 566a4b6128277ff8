import { isGoSpace } from './chars.js';

/**
 * Word splitting as BuildKit's lexer does it while it expands. Text from unquoted source and
 * from unquoted `$` expansions is split at Go whitespace; quoted text, escaped characters and
 * heredoc markers are appended "raw" and never split. Empty words are never produced, not even
 * for `''`.
 *
 * BuildKit keeps the partly built word in one buffer per lexer, shared by the top-level word
 * and by every nested `${V…}` operand (which is read by a recursive call), and each of those
 * calls clears it when it starts. So in words mode `a${X:-b}c` yields `["bc"]`, not `["abc"]`:
 * the text before a `${V<op>…}` or `${V/…}` in the same word is lost. BuildKit's parser finds
 * heredocs with this very splitting, so lade reproduces it; the single-word result is not
 * affected.
 */
export class WordBuffer {
  /** The shared buffer of the word being built. */
  current = '';
}

export class WordList {
  private readonly buffer: WordBuffer;
  private readonly words: string[] = [];
  private inWord = false;

  /** Starting a list clears the shared buffer: that is BuildKit's behaviour described above. */
  constructor(buffer: WordBuffer) {
    this.buffer = buffer;
    buffer.current = '';
  }

  /** Appends text that is split at whitespace (unquoted source, unquoted expansions). */
  addSplittable(text: string): void {
    let runStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Every Go space is in the BMP, so a code unit test is exact (surrogates never match).
      if (!isGoSpace(c)) continue;
      if (i > runStart) this.addRaw(text.slice(runStart, i));
      runStart = i + 1;
      this.breakWord();
    }
    if (runStart < text.length) this.addRaw(runStart === 0 ? text : text.slice(runStart));
  }

  /** Appends text that is never split; even an empty string marks a word as started. */
  addRaw(text: string): void {
    this.buffer.current += text;
    this.inWord = true;
  }

  private breakWord(): void {
    // BuildKit ends a word only if the shared buffer holds something; when a nested expansion
    // emptied it, the word stays "open" and the whitespace is simply dropped.
    if (this.inWord && this.buffer.current.length !== 0) {
      this.words.push(this.buffer.current);
      this.buffer.current = '';
      this.inWord = false;
    }
  }

  finish(): string[] {
    if (this.buffer.current.length > 0) {
      this.words.push(this.buffer.current);
      this.buffer.current = '';
      this.inWord = false;
    }
    return this.words;
  }
}
