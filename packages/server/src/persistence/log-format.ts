import { crc32 } from 'node:zlib';

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

export function recordHeader(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  b.writeInt32BE(payload.length, 0);
  b.writeInt32BE(crc32(payload) | 0, 4);
  return b;
}

export interface LogRecord {
  zxid: bigint;
  payload: Buffer;
  offset: number;
}

export type LogScan =
  | { kind: 'ok'; records: LogRecord[] }
  | { kind: 'torn'; records: LogRecord[]; validBytes: number; why: string }
  | { kind: 'corrupt'; records: LogRecord[]; offset: number; why: string };

/**
 * Reads every record of one log file. A bad record followed only by garbage or zeros (or by
 * nothing) is a torn tail; a bad record followed by a valid one is corruption.
 */
export function scanLog(file: Buffer): LogScan {
  const records: LogRecord[] = [];
  if (file.length < LOG_HEADER_BYTES || file.readInt32BE(0) !== LOG_MAGIC) {
    // a header cut short by a crash (or a full disk) while the file was created holds no record
    if (file.length < LOG_HEADER_BYTES && (file.every((b) => b === 0) || logHeader().subarray(0, file.length).equals(file))) return { kind: 'torn', records, validBytes: 0, why: 'empty log file' };
    return { kind: 'corrupt', records, offset: 0, why: 'not a Zoo transaction log (bad magic)' };
  }
  // Everything from `zerosFrom` on is zero: the end of the records, whatever precedes it (a log
  // is preallocated, so a crash leaves megabytes of zeros after its last record). Found once, so
  // that neither the end test nor the torn-or-corrupt probe below reads the zeros over and over.
  let zerosFrom = file.length;
  while (zerosFrom > LOG_HEADER_BYTES && file[zerosFrom - 1] === 0) zerosFrom--;
  let offset = LOG_HEADER_BYTES;
  while (offset < file.length) {
    const problem = recordProblem(file, offset, zerosFrom);
    if (problem === 'end') return { kind: 'ok', records };
    if (problem) {
      // Is there any valid record after this point? Then it is not a torn tail. (A valid
      // record ends with its payload, which starts with a non-zero zxid: it ends before zerosFrom.)
      for (let probe = offset + 1; probe + RECORD_HEADER_BYTES < zerosFrom; probe++) {
        if (recordProblem(file, probe, zerosFrom) === null) return { kind: 'corrupt', records, offset, why: problem };
      }
      return { kind: 'torn', records, validBytes: offset, why: problem };
    }
    const length = file.readInt32BE(offset);
    const payload = file.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length);
    records.push({ zxid: payload.readBigInt64BE(0), payload, offset });
    offset += RECORD_HEADER_BYTES + length;
  }
  return { kind: 'ok', records };
}

/** null if a whole valid record starts at `offset`; 'end' for zero padding (all zeros from `zerosFrom`); else what is wrong. */
function recordProblem(file: Buffer, offset: number, zerosFrom: number): string | 'end' | null {
  if (offset >= zerosFrom) return 'end';
  if (file.length - offset < RECORD_HEADER_BYTES) return `short record header at offset ${offset}`;
  const length = file.readInt32BE(offset);
  if (length < 8) return `bad record length ${length} at offset ${offset}`;
  if (offset + RECORD_HEADER_BYTES + length > file.length) return `record at offset ${offset} runs past the end of the file`;
  const payload = file.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length);
  if ((crc32(payload) | 0) !== file.readInt32BE(offset + 4)) return `checksum mismatch in record at offset ${offset}`;
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

export function readSnapshotFile(file: Buffer): { body: Buffer; endZxid: bigint } | { error: string } {
  if (file.length < SNAPSHOT_TRAILER_BYTES) return { error: 'too short' };
  const t = file.length - SNAPSHOT_TRAILER_BYTES;
  if (file.readInt32BE(t + 12) !== SNAPSHOT_END) return { error: 'no end marker (incomplete)' };
  const body = file.subarray(0, t);
  if ((crc32(body) | 0) !== file.readInt32BE(t + 8)) return { error: 'checksum mismatch' };
  return { body, endZxid: file.readBigInt64BE(t) };
}

export const fileZxid = (name: string): bigint | null => {
  const m = /^(log|snapshot)\.([0-9a-f]+)$/.exec(name);
  return m ? BigInt(`0x${m[2]}`) : null;
};

export const fileName = (kind: 'log' | 'snapshot', zxid: bigint): string => `${kind}.${zxid.toString(16)}`;
