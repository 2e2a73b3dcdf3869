import { JuteDecodeError } from './decode-error.js';

/** ZooKeeper's default jute.maxbuffer: 0xfffff bytes per frame. */
export const DEFAULT_MAX_FRAME = 0xfffff;

/** The four-letter words ZooKeeper answers on the client port. */
export const FOUR_LETTER_WORDS: ReadonlySet<string> = new Set([
  'ruok', 'srvr', 'stat', 'mntr', 'cons', 'crst', 'srst', 'wchs', 'wchc', 'wchp', 'dump', 'envi', 'conf', 'isro', 'dirs', 'gtmk', 'stmk', 'hash',
]);

/**
 * Reassembles length-prefixed frames from TCP chunks split or coalesced anywhere. Chunks of
 * a large frame are collected and concatenated once, so a 1 MiB frame in 1-byte pieces is
 * not quadratic. A length below 0 or above `maxFrameLength` throws (the connection must be
 * closed: ZooKeeper sends no reply).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private firstChecked: boolean;
  /** Set when the stream began with a four-letter word (then no frames are decoded). */
  fourLetterWord: string | null = null;

  /**
   * @param maxFrameLength jute.maxbuffer
   * @param fourLetterWords a server's client port: the first 4 bytes may be a command word
   */
  constructor(
    private readonly maxFrameLength = DEFAULT_MAX_FRAME,
    fourLetterWords = false,
  ) {
    this.firstChecked = !fourLetterWords;
  }

  /** Bytes held that are not yet a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  /** Feeds a chunk; returns the payloads (without length prefix) of every completed frame. */
  push(chunk: Buffer): Buffer[] {
    // Made with its first frame: `[frame]` holds one, where `[]` and a push reserve room for 17
    // (a chunk mostly carries one request, and every request went through here).
    let out: Buffer[] | null = null;
    if (this.fourLetterWord) return [];
    if (!this.firstChecked) {
      if (this.buffered + chunk.length < 4) {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
        return [];
      }
      this.firstChecked = true;
      const head = Buffer.concat([...this.chunks, chunk]);
      const word = head.toString('latin1', 0, 4);
      if (FOUR_LETTER_WORDS.has(word)) {
        this.fourLetterWord = word;
        this.chunks = [];
        this.buffered = 0;
        return [];
      }
      this.chunks = [];
      this.buffered = 0;
      chunk = head;
    }
    if (this.buffered === 0) {
      // fast path: whole frames in one chunk need no copy
      let offset = 0;
      while (chunk.length - offset >= 4) {
        const length = chunk.readInt32BE(offset);
        this.check(length);
        if (chunk.length - offset - 4 < length) break;
        const frame = chunk.subarray(offset + 4, offset + 4 + length);
        if (out === null) out = [frame];
        else out.push(frame);
        offset += 4 + length;
      }
      if (offset === chunk.length) return out ?? [];
      chunk = chunk.subarray(offset);
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        this.compact();
        const length = this.chunks[0].readInt32BE(0);
        this.check(length);
        this.expected = length;
      }
      if (this.buffered < 4 + this.expected) break;
      this.compact();
      const all = this.chunks[0];
      const frame = all.subarray(4, 4 + this.expected);
      if (out === null) out = [frame];
      else out.push(frame);
      const rest = all.subarray(4 + this.expected);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.expected = -1;
    }
    return out ?? [];
  }

  private compact(): void {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
  }

  private check(length: number): void {
    if (length < 0 || length > this.maxFrameLength)
      throw new JuteDecodeError(`frame length ${length} is outside 0..${this.maxFrameLength} (jute.maxbuffer)`);
  }
}
