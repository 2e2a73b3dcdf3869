import { JuteDecodeError } from './decode-error.js';
import type { ACL, Id, Stat } from './records.js';
import { utf8 } from './utf8.js';

/**
 * Jute reader. Every length and count is checked against the bytes left before anything is
 * allocated, so malformed input throws JuteDecodeError and never loops or allocates
 * unbounded memory. Buffers are returned as views into the input (copy to keep them).
 */
export class JuteReader {
  offset: number;
  private readonly end: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n)
      throw new JuteDecodeError(`truncated: need ${n} bytes for ${what} at offset ${this.offset}, ${this.end - this.offset} left`);
  }

  readByte(): number {
    this.need(1, 'byte');
    return this.buf[this.offset++];
  }

  readBool(): boolean {
    return this.readByte() !== 0;
  }

  readInt(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readLong(): bigint {
    this.need(8, 'long');
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  private length(what: string): number {
    const at = this.offset;
    const n = this.readInt();
    if (n < -1) throw new JuteDecodeError(`negative length ${n} for ${what} at offset ${at}`);
    if (n > this.end - this.offset) throw new JuteDecodeError(`length ${n} for ${what} at offset ${at} exceeds the ${this.end - this.offset} bytes left`);
    return n;
  }

  readBuffer(): Buffer | null {
    const n = this.length('buffer');
    if (n === -1) return null;
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  readString(): string | null {
    const n = this.length('string');
    if (n === -1) return null;
    const v = utf8(this.buf, this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A vector count, checked against the bytes left (each element needs at least `minSize`). */
  readCount(what: string, minSize: number): number {
    const at = this.offset;
    const n = this.readInt();
    if (n < -1) throw new JuteDecodeError(`negative count ${n} for ${what} at offset ${at}`);
    if (n > 0 && n * minSize > this.end - this.offset)
      throw new JuteDecodeError(`${what} count ${n} exceeds the ${this.end - this.offset} bytes left at offset ${at}`);
    return n;
  }

  readStringVector(): string[] | null {
    const n = this.readCount('string vector', 4);
    if (n === -1) return null;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.readString() ?? '';
    return out;
  }

  readId(): Id {
    return { scheme: this.readString() ?? '', id: this.readString() ?? '' };
  }

  readACLs(): ACL[] | null {
    const n = this.readCount('ACL vector', 12);
    if (n === -1) return null;
    const out: ACL[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = { perms: this.readInt(), id: this.readId() };
    return out;
  }

  readStat(): Stat {
    this.need(68, 'Stat');
    const b = this.buf;
    const p = this.offset;
    this.offset += 68;
    return {
      czxid: b.readBigInt64BE(p),
      mzxid: b.readBigInt64BE(p + 8),
      ctime: b.readBigInt64BE(p + 16),
      mtime: b.readBigInt64BE(p + 24),
      version: b.readInt32BE(p + 32),
      cversion: b.readInt32BE(p + 36),
      aversion: b.readInt32BE(p + 40),
      ephemeralOwner: b.readBigInt64BE(p + 44),
      dataLength: b.readInt32BE(p + 52),
      numChildren: b.readInt32BE(p + 56),
      pzxid: b.readBigInt64BE(p + 60),
    };
  }
}
