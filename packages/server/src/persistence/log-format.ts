import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { crc32Combine, crc32Update } from './crc32-run.js';

/**
 * Transaction log file format. A file `log.<first zxid, hex>` is
 *   header:  int magic 'ZLOG'; int version 1
 *   records: int length; int crc32(payload); payload = encodeTxn(txn) (starts with the long zxid)
 * appended only. A record is committed once its bytes are fsynced; a crash can leave a torn
 * last record (short, or with a bad checksum), which recovery truncates. Zero bytes after the
 * last record read as the end of the log.
 */
export const LOG_MAGIC = 0x5a4c4f47; // 'ZLOG'
export const LOG_VERSION = 1;
export const LOG_HEADER_BYTES = 8;
export const RECORD_HEADER_BYTES = 8;

export function logHeader(): Buffer {
  const b = Buffer.alloc(LOG_HEADER_BYTES);
  b.writeInt32BE(LOG_MAGIC, 0);
  b.writeInt32BE(LOG_VERSION, 4);
  return b;
}

/** A whole log record, header and payload, in one buffer (the store appends one per txn). */
export function logRecord(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  b.writeInt32BE(payload.length, 0);
  b.writeInt32BE(crc32(payload) | 0, 4);
  payload.copy(b, RECORD_HEADER_BYTES);
  return b;
}

/**
 * Called for each whole, valid record in file order: its payload is `buf[start, end)`, a view
 * of a buffer that is reused for the next chunk of the file (copy what you keep), and `offset`
 * is where the record starts in the file.
 */
export type RecordVisitor = (buf: Buffer, start: number, end: number, offset: number) => void;

/** What one pass over a log found. Records are handed to a visitor as they are read, never kept. */
export interface LogScan {
  /** ok: every record valid up to the end (or zero padding); torn: a damaged tail to cut off at validBytes; corrupt: a damaged record with valid ones after it. */
  kind: 'ok' | 'torn' | 'corrupt';
  /** Whole valid records before the end or the damage. */
  records: number;
  /** The zxid of the last of them (null: none). */
  lastZxid: bigint | null;
  /** Where the last valid record ends (the header's end if none): a torn tail starts here, and so does a corrupt record. */
  validBytes: number;
  /** The size of the file (or of the part of it scanned). */
  fileBytes: number;
  /** What is wrong (torn, corrupt). */
  why?: string;
}

/** Read size of a log scan: a few MiB at a time keeps memory bounded whatever the log's size. */
export const LOG_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Reads every record of a log file held in memory (tests; see scanLogFile for files). A bad
 * record followed only by garbage or zeros (or by nothing) is a torn tail; a bad record followed
 * by a valid one is corruption.
 */
export function scanLog(file: Buffer, visit?: RecordVisitor): LogScan {
  const head = checkHeader(file, file.length);
  if (head) return head;
  const walked = walk(file, LOG_HEADER_BYTES, file.length, 0, file.length, true, visit);
  const found = { records: walked.records, lastZxid: walked.lastZxid, validBytes: walked.at, fileBytes: file.length };
  return walked.bad ? { ...found, ...classifyTail(file.subarray(walked.at), walked.at) } : { kind: 'ok', ...found };
}

/**
 * scanLog for a file, read in chunks of `chunkBytes` into one reused buffer (a record longer than
 * that gets a buffer of its size), so memory stays bounded by the largest record, not the file.
 * `verify: false` skips the checksums, for a second pass over bytes a first one verified, up to
 * `end` (that pass's validBytes).
 */
export async function scanLogFile(path: string, visit?: RecordVisitor, options: { verify?: boolean; end?: number; chunkBytes?: number } = {}): Promise<LogScan> {
  const fh = await open(path, 'r');
  try {
    const size = options.end ?? (await fh.stat()).size;
    const verify = options.verify ?? true;
    let buf = Buffer.allocUnsafe(Math.max(RECORD_HEADER_BYTES + 8, Math.min(options.chunkBytes ?? LOG_CHUNK_BYTES, size)));
    const header = await readAt(fh, buf, 0, Math.min(LOG_HEADER_BYTES, size));
    const head = checkHeader(header, size);
    if (head) return head;
    let pos = LOG_HEADER_BYTES;
    let records = 0;
    let lastZxid: bigint | null = null;
    while (pos < size) {
      const want = Math.min(buf.length, size - pos);
      const chunk = await readAt(fh, buf, pos, want);
      if (chunk.length < want) throw new Error(`${path} got shorter while it was read (${pos + chunk.length} of ${size} bytes)`);
      const walked = walk(chunk, 0, chunk.length, pos, size, verify, visit);
      records += walked.records;
      if (walked.lastZxid !== null) lastZxid = walked.lastZxid;
      if (walked.bad) {
        const at = pos + walked.at;
        // the rare path: the rest of the file decides between a torn tail and corruption
        const tail = await readAt(fh, Buffer.allocUnsafe(size - at), at, size - at);
        return { records, lastZxid, validBytes: at, fileBytes: size, ...classifyTail(tail, at) };
      }
      if (walked.at === 0) {
        // a record longer than the buffer (walk stops only at one not wholly in it)
        buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + chunk.readInt32BE(0));
        continue;
      }
      pos += walked.at;
    }
    return { kind: 'ok', records, lastZxid, validBytes: pos, fileBytes: size };
  } finally {
    await fh.close();
  }
}

/** `length` bytes of the file at `position`, into `buf` (a view of it); short only at the end of the file. */
async function readAt(fh: FileHandle, buf: Buffer, position: number, length: number): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** A scan result if the file's header says it holds no record to read (given its first bytes and size), else null. */
function checkHeader(first: Buffer, size: number): LogScan | null {
  const none = { records: 0, lastZxid: null, validBytes: 0, fileBytes: size };
  if (size >= LOG_HEADER_BYTES && first.length >= LOG_HEADER_BYTES && first.readInt32BE(0) === LOG_MAGIC) return null;
  // a header cut short by a crash (or a full disk) while the file was created holds no record
  if (size < LOG_HEADER_BYTES && (first.every((b) => b === 0) || logHeader().subarray(0, first.length).equals(first))) return { kind: 'torn', ...none, why: 'empty log file' };
  return { kind: 'corrupt', ...none, why: 'not a Zoo transaction log (bad magic)' };
}

/**
 * Walks the records of `buf[from, limit)`, whose byte 0 is at file offset `base` in a file of
 * `fileSize` bytes, handing the valid ones to `visit`. Stops at the first record not wholly in
 * the buffer (`at`: where it starts) or at one that is not a whole valid record (`bad`; the end
 * of the file, zero padding and damage alike: classifyTail tells them apart).
 */
function walk(buf: Buffer, from: number, limit: number, base: number, fileSize: number, verify: boolean, visit?: RecordVisitor): Walked {
  if (verify && visit === undefined) {
    // Nothing to hand the records to as they are checked: check the run walked in one go (one
    // crc32 call for all its bytes, see crc32-run.ts), and only if that fails walk it again
    // record by record, to find the first bad one.
    const walked = walkRecords(buf, from, limit, base, fileSize, false, undefined, true);
    if ((crc32(buf.subarray(from, walked.at)) | 0) === walked.runCrc) return walked;
  }
  return walkRecords(buf, from, limit, base, fileSize, verify, visit, false);
}

interface Walked {
  at: number;
  bad: boolean;
  records: number;
  lastZxid: bigint | null;
  /** With `runCrc`: what crc32 of `buf[from, at)` is if every record's checksum is right. */
  runCrc: number;
}

/** walk(), each record's checksum checked on its own if `verify`, or (`runCrc`) the checksum of the run worked out from them. */
function walkRecords(buf: Buffer, from: number, limit: number, base: number, fileSize: number, verify: boolean, visit: RecordVisitor | undefined, runCrc: boolean): Walked {
  let p = from;
  let records = 0;
  let last = -1;
  let bad = false;
  let crc = 0;
  while (p < limit) {
    if (fileSize - (base + p) < RECORD_HEADER_BYTES) {
      bad = true;
      break;
    }
    if (limit - p < RECORD_HEADER_BYTES) break;
    const length = buf.readInt32BE(p);
    if (length < 8 || fileSize - (base + p) - RECORD_HEADER_BYTES < length) {
      bad = true;
      break;
    }
    const end = p + RECORD_HEADER_BYTES + length;
    if (end > limit) break;
    if (verify && (crc32(buf.subarray(p + RECORD_HEADER_BYTES, end)) | 0) !== buf.readInt32BE(p + 4)) {
      bad = true;
      break;
    }
    if (runCrc) crc = crc32Combine(crc32Update(crc, buf, p, p + RECORD_HEADER_BYTES), buf.readInt32BE(p + 4), length);
    visit?.(buf, p + RECORD_HEADER_BYTES, end, base + p);
    last = p;
    records++;
    p = end;
  }
  return { at: p, bad, records, lastZxid: last < 0 ? null : buf.readBigInt64BE(last + RECORD_HEADER_BYTES), runCrc: crc };
}

/**
 * What a record that walk() stopped at means, given the rest of the file from it (`tail`, at
 * file offset `at`): the end (zero padding or nothing), a torn tail (no valid record anywhere
 * after it), or corruption (a valid record after it).
 */
function classifyTail(tail: Buffer, at: number): { kind: LogScan['kind']; why?: string } {
  // Everything from `zerosFrom` on is zero: found once, so that neither the end test nor the probe
  // below reads the zeros over and over (a log is preallocated: a crash leaves up to preAllocSize
  // of zeros after its last record). A valid record ends with its payload, which starts with a
  // non-zero zxid: one can only start before zerosFrom - RECORD_HEADER_BYTES.
  const zerosFrom = zerosFromOf(tail);
  const problem = recordProblem(tail, 0, at, zerosFrom);
  if (problem === 'end') return { kind: 'ok' };
  if (problem === null) return { kind: 'ok' }; // (cannot happen: walk stopped at it)
  for (let probe = 1; probe + RECORD_HEADER_BYTES < zerosFrom; probe++) {
    if (recordProblem(tail, probe, at, zerosFrom) === null) return { kind: 'corrupt', why: problem };
  }
  return { kind: 'torn', why: problem };
}

/** Zeros to compare whole blocks against (memcmp), where a loop over the bytes of 64 MiB of preallocated log took ~90 ms. */
const ZERO_BLOCK = Buffer.alloc(64 * 1024);

/** Where the run of zeros that ends `buf` starts (buf.length if it does not end with a zero). */
function zerosFromOf(buf: Buffer): number {
  let end = buf.length;
  while (end > 0) {
    const start = Math.max(0, end - ZERO_BLOCK.length);
    if (!buf.subarray(start, end).equals(ZERO_BLOCK.subarray(0, end - start))) break;
    end = start;
  }
  while (end > 0 && buf[end - 1] === 0) end--;
  return end;
}

/**
 * null if a whole valid record starts at `offset` of `file` (the rest of a file from file offset
 * `base`); 'end' for zero padding (all zeros from `zerosFrom` on); else what is wrong.
 */
function recordProblem(file: Buffer, offset: number, base: number, zerosFrom: number): string | 'end' | null {
  const at = base + offset;
  if (offset >= zerosFrom) return 'end';
  if (file.length - offset < RECORD_HEADER_BYTES) return `short record header at offset ${at}`;
  const length = file.readInt32BE(offset);
  if (length < 8) return `bad record length ${length} at offset ${at}`;
  if (offset + RECORD_HEADER_BYTES + length > file.length) return `record at offset ${at} runs past the end of the file`;
  const payload = file.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length);
  if ((crc32(payload) | 0) !== file.readInt32BE(offset + 4)) return `checksum mismatch in record at offset ${at}`;
  return null;
}

export const SNAPSHOT_TRAILER_BYTES = 16;
const SNAPSHOT_END = 0x5a454e44; // 'ZEND'

/**
 * Snapshot file `snapshot.<start zxid, hex>`: the engine's snapshot bytes, then a trailer
 * `long endZxid; int crc32(bytes); int 'ZEND'`. endZxid is the engine's last zxid when the
 * (fuzzy) snapshot finished: the snapshot is usable only if the log reaches it.
 */
export function snapshotTrailer(crc: number, endZxid: bigint): Buffer {
  const b = Buffer.alloc(SNAPSHOT_TRAILER_BYTES);
  b.writeBigInt64BE(endZxid, 0);
  b.writeInt32BE(crc | 0, 8);
  b.writeInt32BE(SNAPSHOT_END, 12);
  return b;
}

/**
 * A snapshot file's trailer: how many bytes the engine's snapshot takes before it, endZxid and
 * the checksum those bytes must have (checked as they are read: see readSnapshotBody).
 */
export async function readSnapshotTrailer(path: string): Promise<{ bodyBytes: number; endZxid: bigint; crc: number } | { error: string }> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size < SNAPSHOT_TRAILER_BYTES) return { error: 'too short' };
    const bodyBytes = size - SNAPSHOT_TRAILER_BYTES;
    const trailer = await readAt(fh, Buffer.alloc(SNAPSHOT_TRAILER_BYTES), bodyBytes, SNAPSHOT_TRAILER_BYTES);
    if (trailer.length < SNAPSHOT_TRAILER_BYTES || trailer.readInt32BE(12) !== SNAPSHOT_END) return { error: 'no end marker (incomplete)' };
    return { bodyBytes, endZxid: trailer.readBigInt64BE(0), crc: trailer.readInt32BE(8) };
  } finally {
    await fh.close();
  }
}

/** Hands the first `bodyBytes` bytes of a snapshot file to `onPiece`, in chunks read into two buffers in turn (a piece is overwritten after the next one). */
export async function readSnapshotBody(path: string, bodyBytes: number, onPiece: (piece: Buffer) => void, chunkBytes = LOG_CHUNK_BYTES): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await readChunks(fh, bodyBytes, chunkBytes, onPiece);
  } finally {
    await fh.close();
  }
}

/**
 * The first `bytes` bytes of the file, `chunkBytes` at a time, into two buffers in turn: the next
 * chunk is read while `onPiece` works on this one. Fails if the file is shorter.
 */
async function readChunks(fh: FileHandle, bytes: number, chunkBytes: number, onPiece: (piece: Buffer) => void): Promise<void> {
  const size = Math.max(1, Math.min(chunkBytes, bytes));
  const buffers = [Buffer.allocUnsafe(size), bytes > size ? Buffer.allocUnsafe(size) : Buffer.alloc(0)];
  const read = (pos: number, k: number) => (pos < bytes ? readAt(fh, buffers[k], pos, Math.min(size, bytes - pos)) : null);
  let pos = 0;
  let k = 0;
  let next = read(0, 0);
  while (next) {
    const want = Math.min(size, bytes - pos);
    const piece = await next;
    if (piece.length < want) throw new Error(`file got shorter while it was read (${pos + piece.length} of ${bytes} bytes)`);
    pos += want;
    k ^= 1;
    next = read(pos, k);
    try {
      onPiece(piece);
    } catch (err) {
      // (the file is closed once this returns: let the read in flight finish first)
      await next?.catch(() => {});
      throw err;
    }
  }
}

export const fileZxid = (name: string): bigint | null => {
  const m = /^(log|snapshot)\.([0-9a-f]+)$/.exec(name);
  return m ? BigInt(`0x${m[2]}`) : null;
};

export const fileName = (kind: 'log' | 'snapshot', zxid: bigint): string => `${kind}.${zxid.toString(16)}`;
