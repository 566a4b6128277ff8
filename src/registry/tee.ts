/**
 * One stream read by two consumers, each at its own pace but neither more than `ahead` chunks
 * behind the other (the source is read as fast as the slower one). A download goes into the
 * content store and into the layer being unpacked at once. When the source fails, both readers
 * get its error; when one reader stops early (it failed), the other gets an error too, so that
 * neither finishes on a stream the other rejected.
 */
class Branch {
  readonly queue: Buffer[] = [];
  waiting: (() => void) | undefined;

  wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}

export function tee(source: AsyncIterable<Uint8Array>, ahead = 8): [AsyncIterable<Buffer>, AsyncIterable<Buffer>] {
  const branches = [new Branch(), new Branch()] as const;
  let ended = false;
  let failure: unknown;
  let started = false;
  let room: (() => void) | undefined;

  const fail = (err: unknown): void => {
    failure ??= err;
    for (const b of branches) b.wake();
    room?.();
  };

  const pump = async (): Promise<void> => {
    try {
      for await (const chunk of source) {
        if (failure !== undefined) return;
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (const b of branches) {
          b.queue.push(bytes);
          b.wake();
        }
        while (failure === undefined && branches.some((b) => b.queue.length >= ahead)) {
          await new Promise<void>((resolve) => (room = resolve));
          room = undefined;
        }
      }
      ended = true;
      for (const b of branches) b.wake();
    } catch (err) {
      fail(err);
    }
  };

  async function* read(branch: Branch): AsyncGenerator<Buffer> {
    if (!started) {
      started = true;
      void pump();
    }
    let finished = false;
    try {
      for (;;) {
        const next = branch.queue.shift();
        if (next !== undefined) {
          room?.();
          yield next;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (ended) {
          finished = true;
          return;
        }
        await new Promise<void>((resolve) => (branch.waiting = resolve));
      }
    } finally {
      if (!finished && failure === undefined) fail(new Error('the other reader of this download stopped'));
    }
  }

  return [read(branches[0]), read(branches[1])];
}
