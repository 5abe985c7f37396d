/** Stream plumbing for request bodies that are cut, sniffed and re-sent without being held whole. */

/** Joins chunks into one buffer. */
function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const joined = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  return joined;
}

/** Reads at least `want` bytes (fewer if the stream ends first); the reader stays open for the rest. */
export async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>, want: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let have = 0;
  while (have < want) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    have += value.byteLength;
  }
  return concat(chunks, have);
}

/**
 * Reads several streams as one and hands out consecutive slices of exact lengths, pulling
 * from the source only as a slice is read: at most one incoming chunk is held at a time.
 */
export class ByteCutter {
  private readonly readers: ReadableStreamDefaultReader<Uint8Array>[];
  private pending: Uint8Array = new Uint8Array(0);

  constructor(sources: ReadableStream<Uint8Array>[]) {
    this.readers = sources.map((s) => s.getReader());
  }

  private async next(): Promise<Uint8Array | undefined> {
    if (this.pending.byteLength) {
      const chunk = this.pending;
      this.pending = new Uint8Array(0);
      return chunk;
    }
    for (let reader = this.readers[0]; reader; reader = this.readers[0]) {
      const { done, value } = await reader.read();
      if (done) this.readers.shift();
      else if (value.byteLength) return value;
    }
    return undefined;
  }

  /** The next `n` bytes (fewer if the sources end first), left in place for `take`. */
  async peek(n: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await this.next();
      if (!chunk) break;
      chunks.push(chunk);
      have += chunk.byteLength;
    }
    this.pending = concat(chunks, have);
    return this.pending.subarray(0, n);
  }

  /** A stream of exactly the next `n` bytes; it errors if the sources end short. */
  take(n: number): ReadableStream<Uint8Array> {
    let left = n;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (left === 0) return controller.close();
          const chunk = await this.next();
          if (!chunk) return controller.error(new Error(`the body ended ${left} bytes short`));
          if (chunk.byteLength > left) {
            // Copied, not a view: the consumer may detach the buffer of what it is given.
            this.pending = chunk.slice(left);
            controller.enqueue(chunk.slice(0, left));
            left = 0;
          } else {
            controller.enqueue(chunk);
            left -= chunk.byteLength;
          }
          if (left === 0) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
  }

  async cancel(reason: unknown) {
    for (const reader of this.readers) await reader.cancel(reason).catch(() => {});
  }
}
