import { LOG_HEADER_BYTES, logHeader, logRecord } from '../src/persistence/log-format.js';

/** A record whose payload starts with its zxid, then `extra` bytes of filler. */
export function record(zxid: number, extra: number): Buffer {
  const payload = Buffer.alloc(8 + extra, zxid & 0xff);
  payload.writeBigInt64BE(BigInt(zxid), 0);
  return logRecord(payload);
}

/** A log of records of uneven sizes (some longer than the smallest chunks below); their offsets. */
export function sampleLog(): { bytes: Buffer; offsets: number[] } {
  const parts = [logHeader()];
  const offsets: number[] = [];
  let at = LOG_HEADER_BYTES;
  for (let i = 1; i <= 40; i++) {
    const r = record(i, (i * 37) % 150);
    offsets.push(at);
    parts.push(r);
    at += r.length;
  }
  return { bytes: Buffer.concat(parts), offsets };
}
