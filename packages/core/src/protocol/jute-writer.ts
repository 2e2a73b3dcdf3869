import type { ACL, Id, Stat } from './records.js';

const TWO_32 = 2 ** 32;

/**
 * Writes a Java long at `pos`. Zxids, times and versions fit a double: two 32-bit writes cost
 * half of writeBigInt64BE, which is otherwise the top self-time entry of a read or write load.
 */
function putLong(b: Buffer, v: bigint, pos: number): void {
  // Session ids are longs past 2^53, and each request's txn carries one: splitting a bigint
  // makes bigints, so the halves of the last such long written are kept (a connection's id
  // repeats). Looked at first: even Number(v) makes a heap number of one.
  if (v === bigLong) {
    putInt(b, bigHi, pos);
    putInt(b, bigLo, pos + 4);
    return;
  }
  // a bigint outside ±(2^53 - 1) converts to a number that is not a safe integer: exact test
  const n = Number(v);
  if (Number.isSafeInteger(n)) return putSafeLong(b, n, pos);
  const u = BigInt.asUintN(64, v);
  bigHi = Number(u >> 32n);
  bigLo = Number(u & 0xffffffffn);
  bigLong = v;
  putInt(b, bigHi, pos);
  putInt(b, bigLo, pos + 4);
}

/** The last long putLong wrote that is not a safe integer, and its two 32-bit halves. */
let bigLong: bigint | null = null;
let bigHi = 0;
let bigLo = 0;

/** Writes a safe integer as a Java long. */
function putSafeLong(b: Buffer, n: number, pos: number): void {
  const hi = Math.floor(n / TWO_32);
  putInt(b, hi, pos);
  putInt(b, n - hi * TWO_32, pos + 4);
}

/** Size of the slabs the shared writer (see JuteWriter.forMessage) writes messages into, and the most it keeps. */
const SHARED_BYTES = 16 * 1024;
const SHARED_KEEP = 64 * 1024;
let shared: JuteWriter | null = null;

/** Longest string the ASCII loop in writeString tries before handing over to Buffer's encoder. */
const ASCII_LOOP_MAX = 256;

/**
 * Writes the low 32 bits of `v` big-endian. Byte stores skip writeInt32BE's range checks,
 * which showed at a few percent of a read load; callers pass values that fit.
 */
function putInt(b: Buffer, v: number, pos: number): void {
  b[pos] = v >>> 24;
  b[pos + 1] = v >>> 16;
  b[pos + 2] = v >>> 8;
  b[pos + 3] = v;
}

/**
 * Jute (ZooKeeper's serialization) writer over one growable buffer: big-endian ints and
 * longs, length-prefixed buffers and strings (-1 for null), vectors with a count. A frame
 * reserves its 4-byte length up front and patches it at the end, so a message is built with
 * no second copy.
 */
export class JuteWriter {
  private buf: Buffer;
  /** Where the output starts in buf: 0, but for the shared writer, which writes message after message into one slab. */
  private base = 0;
  private pos: number;
  private framed: boolean;

  constructor(initialSize = 256, framed = false) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.framed = framed;
    this.pos = framed ? 4 : 0;
  }

  /** A writer whose output is a length-prefixed frame (see finishFrame). */
  static frame(initialSize = 256): JuteWriter {
    return new JuteWriter(initialSize, true);
  }

  /**
   * A writer for one message (framed: with room for a frame's length): write the message, then
   * take() it before anything else asks for a writer. Usually the one writer the one-shot
   * encoders (encodeReply, encodeTxn, ...) share, which writes each message right after the one
   * before in a slab and hands it out as a view: a message leaves one Buffer object behind, where
   * a writer of its own left the writer, its buffer and a view of that — on every request. A
   * message carrying a large value (`payloadBytes`) gets a writer of its own, sized for it.
   */
  static forMessage(framed: boolean, payloadBytes = 0): JuteWriter {
    if (payloadBytes > SHARED_BYTES / 4) return new JuteWriter(payloadBytes + 256, framed);
    const w = (shared ??= new JuteWriter(SHARED_BYTES));
    if (w.base + 8 > w.buf.length) {
      // (the slab is full: a frame's length must fit where the frame starts)
      w.buf = Buffer.allocUnsafe(SHARED_BYTES);
      w.base = 0;
    }
    w.framed = framed;
    w.pos = w.base + (framed ? 4 : 0);
    return w;
  }

  /** Bytes written so far (the frame prefix included). */
  get length(): number {
    return this.pos - this.base;
  }

  /** Drops what was written after `length` bytes (a frame that failed half-way through). */
  truncate(length: number): void {
    if (length < 0 || length > this.pos - this.base) throw new RangeError(`JuteWriter.truncate: ${length} is outside 0..${this.pos - this.base}`);
    this.pos = this.base + length;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.base;
    // (the shared writer moves on to a new slab of the usual size, rather than doubling)
    let size = Math.max(this === shared ? SHARED_BYTES : this.buf.length * 2, 64); // a writer may start empty
    while (size < used + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.base, this.pos);
    this.buf = next;
    this.base = 0;
    this.pos = used;
  }

  writeByte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  writeBool(v: boolean): void {
    this.writeByte(v ? 1 : 0);
  }

  writeInt(v: number): void {
    this.ensure(4);
    putInt(this.buf, v | 0, this.pos);
    this.pos += 4;
  }

  writeLong(v: bigint): void {
    this.ensure(8);
    putLong(this.buf, v, this.pos);
    this.pos += 8;
  }

  writeBuffer(v: Uint8Array | null | undefined): void {
    if (v == null) return this.writeInt(-1);
    this.ensure(4 + v.length);
    this.buf.writeInt32BE(v.length, this.pos);
    this.buf.set(v, this.pos + 4);
    this.pos += 4 + v.length;
  }

  /** A long given as a number (times): it must be a safe integer. */
  writeLongNumber(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`JuteWriter.writeLongNumber: ${v} is not a safe integer`);
    this.ensure(8);
    putSafeLong(this.buf, v, this.pos);
    this.pos += 8;
  }

  writeString(v: string | null | undefined): void {
    if (v == null) return this.writeInt(-1);
    // Paths and names are short and ASCII: byte stores beat byteLength + write's argument
    // handling (a third of a snapshot's CPU). Anything else goes through Buffer's encoder.
    const len = v.length;
    if (len <= ASCII_LOOP_MAX) {
      this.ensure(4 + len);
      const b = this.buf;
      const start = this.pos + 4;
      let i = 0;
      for (; i < len; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        putInt(b, len, this.pos);
        this.pos = start + len;
        return;
      }
    }
    const n = Buffer.byteLength(v, 'utf8');
    this.ensure(4 + n);
    this.buf.writeInt32BE(n, this.pos);
    this.buf.write(v, this.pos + 4, n, 'utf8');
    this.pos += 4 + n;
  }

  // (index loops below: for..of left an iterator behind on every create's txn and children reply)
  writeStringVector(v: readonly string[] | null | undefined): void {
    if (v == null) return this.writeInt(-1);
    this.writeInt(v.length);
    for (let i = 0; i < v.length; i++) this.writeString(v[i]);
  }

  writeId(id: Id): void {
    this.writeString(id.scheme);
    this.writeString(id.id);
  }

  writeACLs(acl: readonly ACL[] | null | undefined): void {
    if (acl == null) return this.writeInt(-1);
    this.writeInt(acl.length);
    for (let i = 0; i < acl.length; i++) {
      this.writeInt(acl[i].perms);
      this.writeId(acl[i].id);
    }
  }

  /** The 68-byte Stat, written field by field. */
  writeStat(s: Stat): void {
    this.ensure(68);
    const b = this.buf;
    let p = this.pos;
    putLong(b, s.czxid, p);
    putLong(b, s.mzxid, p + 8);
    putLong(b, s.ctime, p + 16);
    putLong(b, s.mtime, p + 24);
    putInt(b, s.version, p + 32);
    putInt(b, s.cversion, p + 36);
    putInt(b, s.aversion, p + 40);
    putLong(b, s.ephemeralOwner, p + 44);
    putInt(b, s.dataLength, p + 52);
    putInt(b, s.numChildren, p + 56);
    putLong(b, s.pzxid, p + 60);
    p += 68;
    this.pos = p;
  }

  /** The bytes written (a view; the writer must not be used afterwards). */
  toBuffer(): Buffer {
    return this.buf.subarray(this.base, this.pos);
  }

  /**
   * Starts another length-prefixed frame inside this writer (for batching several frames in
   * one socket write); returns its start, to pass to endFrame.
   */
  beginFrame(): number {
    const start = this.pos - this.base;
    this.writeInt(0);
    return start;
  }

  /** Patches the length prefix of the frame begun at `start`. */
  endFrame(start: number): void {
    this.buf.writeInt32BE(this.pos - this.base - start - 4, this.base + start);
  }

  /**
   * The message written by a forMessage() writer (a frame's length prefix patched first), as a
   * view of memory no later message is written into: the shared writer goes on after it (or,
   * if the message grew it past what it keeps, starts a new slab).
   */
  take(): Buffer {
    const b = this.buf;
    const start = this.base;
    const end = this.pos;
    if (this.framed) b.writeInt32BE(end - start - 4, start);
    if (this === shared) {
      if (b.length > SHARED_KEEP) {
        this.buf = Buffer.allocUnsafe(SHARED_BYTES);
        this.base = 0;
      } else {
        this.base = (end + 7) & ~7; // (8-aligned, as Node's own pool hands out)
      }
      this.pos = this.base;
    }
    return b.subarray(start, end);
  }

  /** Patches the frame's length prefix and returns the whole frame. */
  finishFrame(): Buffer {
    if (!this.framed) throw new Error('JuteWriter.finishFrame: not a frame writer');
    this.buf.writeInt32BE(this.pos - this.base - 4, this.base);
    return this.buf.subarray(this.base, this.pos);
  }
}
