import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { record, sampleLog } from '../../test/log-fixtures.js';
import { LOG_HEADER_BYTES, logHeader, readSnapshotBody, readSnapshotTrailer, scanLog, scanLogFile, snapshotTrailer, type LogScan } from './log-format.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zoo-log-format-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Seen = { zxid: bigint; offset: number; length: number };
let fileNo = 0;
/** scanLogFile over `bytes` written to a file, with the records it handed out. */
async function scanFile(bytes: Buffer, chunkBytes: number, options: { verify?: boolean; end?: number } = {}): Promise<{ scan: LogScan; seen: Seen[] }> {
  const path = join(dir, `log.${(++fileNo).toString(16)}`);
  await writeFile(path, bytes);
  const seen: Seen[] = [];
  const scan = await scanLogFile(path, (buf, start, end, offset) => seen.push({ zxid: buf.readBigInt64BE(start), offset, length: end - start }), { ...options, chunkBytes });
  return { scan, seen };
}

function scanBuffer(bytes: Buffer): { scan: LogScan; seen: Seen[] } {
  const seen: Seen[] = [];
  const scan = scanLog(bytes, (buf, start, end, offset) => seen.push({ zxid: buf.readBigInt64BE(start), offset, length: end - start }));
  return { scan, seen };
}

// chunk sizes smaller than one record, about one, and holding many (records are 16–165 bytes)
const CHUNKS = [16, 23, 100, 160, 1000, 1 << 20];

describe('log scan in chunks', () => {
  it('hands out every record once, in order, at its offset, whatever the chunk size', async () => {
    const { bytes, offsets } = sampleLog();
    for (const chunk of CHUNKS) {
      const { scan, seen } = await scanFile(bytes, chunk);
      expect(scan, `chunk ${chunk}`).toMatchObject({ kind: 'ok', records: 40, lastZxid: 40n, validBytes: bytes.length, fileBytes: bytes.length });
      expect(seen.map((s) => s.offset)).toEqual(offsets);
      expect(seen.map((s) => s.zxid)).toEqual(offsets.map((_, i) => BigInt(i + 1)));
      expect(seen.map((s) => s.length)).toEqual(offsets.map((_, i) => 8 + (((i + 1) * 37) % 150)));
    }
  });

  it('finds a torn tail at the same offset as a scan of the whole file, for a cut at any byte of the last record', async () => {
    const { bytes, offsets } = sampleLog();
    const last = offsets[offsets.length - 1];
    // (the first 3 bytes of a short record's length are zeros, which read as padding: from 4 on it is torn)
    for (let cut = last + 4; cut < bytes.length; cut += 3) {
      const torn = bytes.subarray(0, cut);
      const whole = scanBuffer(torn);
      expect(whole.scan).toMatchObject({ kind: 'torn', records: 39, lastZxid: 39n, validBytes: last, fileBytes: cut });
      for (const chunk of [16, 100, 1 << 20]) {
        const { scan, seen } = await scanFile(torn, chunk);
        expect(scan, `cut ${cut}, chunk ${chunk}`).toEqual(whole.scan);
        expect(seen).toEqual(whole.seen);
      }
    }
  });

  it('reads zero padding after the last record as the end, and garbage as a torn tail', async () => {
    const { bytes } = sampleLog();
    for (const chunk of [16, 1000]) {
      expect((await scanFile(Buffer.concat([bytes, Buffer.alloc(4096)]), chunk)).scan).toMatchObject({ kind: 'ok', records: 40, validBytes: bytes.length });
      expect((await scanFile(Buffer.concat([bytes, Buffer.alloc(5)]), chunk)).scan).toMatchObject({ kind: 'ok', records: 40 });
      const garbage = await scanFile(Buffer.concat([bytes, Buffer.from('garbage!garbage!')]), chunk);
      expect(garbage.scan).toMatchObject({ kind: 'torn', records: 40, validBytes: bytes.length, fileBytes: bytes.length + 16 });
    }
  });

  it('tells a long zero tail (a preallocated log) from one with a stray byte or a valid record anywhere in it', async () => {
    const { bytes } = sampleLog();
    const tail = 200 * 1024; // longer than the blocks of zeros the tail is compared with
    expect(scanLog(Buffer.concat([bytes, Buffer.alloc(tail)]))).toMatchObject({ kind: 'ok', records: 40, validBytes: bytes.length });
    for (const at of [0, 1, 65_535, 65_536, 65_537, 131_072, tail - 1]) {
      const stray = Buffer.concat([bytes, Buffer.alloc(tail)]);
      stray[bytes.length + at] = 1;
      expect(scanLog(stray), `stray byte at ${at}`).toMatchObject({ kind: 'torn', records: 40, validBytes: bytes.length });
    }
    // a valid record past a damaged stretch of the tail: the log is corrupt, not torn
    for (const at of [16, 65_530, 150_000]) {
      const later = Buffer.concat([bytes, Buffer.alloc(tail)]);
      later[bytes.length] = 0xff;
      record(99, 3).copy(later, bytes.length + at);
      expect(scanLog(later), `record at ${at}`).toMatchObject({ kind: 'corrupt', records: 40, validBytes: bytes.length });
    }
  });

  it('calls a damaged record followed by a valid one corrupt, naming its offset, without reading past it', async () => {
    const { bytes, offsets } = sampleLog();
    for (const bad of [0, 17, 39]) {
      const damaged = Buffer.from(bytes);
      damaged[offsets[bad] + 12] ^= 0xff; // inside the payload: a checksum mismatch
      for (const chunk of CHUNKS) {
        const { scan, seen } = await scanFile(damaged, chunk);
        if (bad === 39) {
          // the last record: nothing valid follows, so it is a torn tail
          expect(scan, `chunk ${chunk}`).toMatchObject({ kind: 'torn', records: 39, validBytes: offsets[39] });
          continue;
        }
        expect(scan, `record ${bad}, chunk ${chunk}`).toEqual({
          kind: 'corrupt',
          records: bad,
          lastZxid: bad === 0 ? null : BigInt(bad),
          validBytes: offsets[bad],
          fileBytes: bytes.length,
          why: `checksum mismatch in record at offset ${offsets[bad]}`,
        });
        expect(seen).toHaveLength(bad);
        expect(scanBuffer(damaged).scan).toEqual(scan);
      }
    }
  });

  it('without a visitor (whole chunks checked at once), finds what a record-by-record scan finds, for any one byte damaged and any chunk size', async () => {
    const { bytes } = sampleLog();
    const noVisitor = async (b: Buffer, chunk: number) => {
      const path = join(dir, `log.${(++fileNo).toString(16)}`);
      await writeFile(path, b);
      return scanLogFile(path, undefined, { chunkBytes: chunk });
    };
    expect(scanLog(bytes)).toEqual(scanBuffer(bytes).scan);
    expect(scanLog(bytes).records).toBe(40);
    let found = 0;
    for (let i = LOG_HEADER_BYTES; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const damaged = Buffer.from(bytes);
        damaged[i] ^= flip;
        const want = scanBuffer(damaged).scan;
        if (want.kind !== 'ok' || want.records !== 40) found++;
        expect(scanLog(damaged), `byte ${i} ^ ${flip}`).toEqual(want);
        if (i % 37 === 0) for (const chunk of [23, 160, 1 << 20]) expect(await noVisitor(damaged, chunk), `byte ${i} ^ ${flip}, chunks of ${chunk}`).toEqual((await scanFile(damaged, chunk)).scan);
      }
    }
    // (the damage was seen: every byte of a record is checked, by its checksum or its length)
    expect(found).toBe(2 * (bytes.length - LOG_HEADER_BYTES));
  });

  it('without a visitor, reads zero padding, garbage and a tail cut at any byte as a record-by-record scan does', async () => {
    const { bytes, offsets } = sampleLog();
    const last = offsets[offsets.length - 1];
    const cases: Buffer[] = [Buffer.concat([bytes, Buffer.alloc(5000)]), Buffer.concat([bytes, Buffer.from('garbage that is not a record')])];
    for (let cut = last; cut < bytes.length; cut++) cases.push(bytes.subarray(0, cut), Buffer.concat([bytes.subarray(0, cut), Buffer.alloc(300)]));
    for (const [i, b] of cases.entries()) {
      const want = scanBuffer(b).scan;
      expect(scanLog(b), `case ${i}`).toEqual(want);
      const path = join(dir, `log.${(++fileNo).toString(16)}`);
      await writeFile(path, b);
      for (const chunk of [23, 1000]) expect(await scanLogFile(path, undefined, { chunkBytes: chunk }), `case ${i}, chunks of ${chunk}`).toEqual(want);
    }
    expect(scanLog(cases[0])).toMatchObject({ kind: 'ok', records: 40 });
    expect(scanLog(cases[2])).toMatchObject({ kind: 'ok', records: 39, validBytes: last });
    expect(scanLog(bytes.subarray(0, last + 12))).toMatchObject({ kind: 'torn', records: 39, validBytes: last });
  });

  it('a bad record length in the middle is corruption too', async () => {
    const { bytes, offsets } = sampleLog();
    const damaged = Buffer.from(bytes);
    damaged.writeInt32BE(3, offsets[5]);
    for (const chunk of CHUNKS) expect((await scanFile(damaged, chunk)).scan).toMatchObject({ kind: 'corrupt', records: 5, validBytes: offsets[5], why: `bad record length 3 at offset ${offsets[5]}` });
  });

  it('tells a header cut short from a file that is not a log', async () => {
    expect((await scanFile(logHeader().subarray(0, 5), 16)).scan).toMatchObject({ kind: 'torn', records: 0, validBytes: 0, why: 'empty log file' });
    expect((await scanFile(Buffer.alloc(3), 16)).scan).toMatchObject({ kind: 'torn', validBytes: 0 });
    expect((await scanFile(Buffer.from('not a log at all'), 16)).scan).toMatchObject({ kind: 'corrupt', validBytes: 0, why: 'not a Zoo transaction log (bad magic)' });
    expect((await scanFile(logHeader(), 16)).scan).toEqual({ kind: 'ok', records: 0, lastZxid: null, validBytes: LOG_HEADER_BYTES, fileBytes: LOG_HEADER_BYTES });
  });

  it('without verifying, reads up to `end` only and does not check checksums (a second pass over verified bytes)', async () => {
    const { bytes, offsets } = sampleLog();
    const damaged = Buffer.from(bytes);
    damaged[offsets[3] + 12] ^= 0xff;
    const { scan, seen } = await scanFile(damaged, 100, { verify: false, end: offsets[10] });
    expect(scan).toMatchObject({ kind: 'ok', records: 10, lastZxid: 10n, validBytes: offsets[10] });
    expect(seen.map((s) => s.offset)).toEqual(offsets.slice(0, 10));
  });

  it('an error thrown by the visitor stops the scan and reaches the caller', async () => {
    const { bytes } = sampleLog();
    const path = join(dir, 'log.throws');
    await writeFile(path, bytes);
    let calls = 0;
    await expect(
      scanLogFile(
        path,
        () => {
          if (++calls === 7) throw new Error('stop here');
        },
        { chunkBytes: 64 },
      ),
    ).rejects.toThrow('stop here');
    expect(calls).toBe(7);
  });
});

describe('snapshot file read in chunks', () => {
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff));
  const file = Buffer.concat([body, snapshotTrailer(crc32(body), 0x1234n)]);
  const write = async (bytes: Buffer) => {
    const path = join(dir, `snapshot.${(++fileNo).toString(16)}`);
    await writeFile(path, bytes);
    return path;
  };

  it('reads the trailer, and hands over exactly the bytes before it, whatever the chunk size', async () => {
    const path = await write(file);
    expect(await readSnapshotTrailer(path)).toEqual({ bodyBytes: body.length, endZxid: 0x1234n, crc: crc32(body) | 0 });
    for (const chunk of [1, 7, 1000, 4999, 5000, 1 << 20]) {
      const pieces: Buffer[] = [];
      await readSnapshotBody(path, body.length, (piece) => pieces.push(Buffer.from(piece)), chunk);
      expect(Buffer.concat(pieces).equals(body), `chunk ${chunk}`).toBe(true);
      expect(pieces.every((p) => p.length <= chunk)).toBe(true);
    }
  });

  it('names what is wrong with an unfinished or short file', async () => {
    expect(await readSnapshotTrailer(await write(file.subarray(0, file.length - 1)))).toEqual({ error: 'no end marker (incomplete)' });
    expect(await readSnapshotTrailer(await write(file.subarray(0, 10)))).toEqual({ error: 'too short' });
  });

  it('an error thrown by the reader of the pieces stops the read and reaches the caller', async () => {
    const path = await write(file);
    let calls = 0;
    const stop = () => {
      if (++calls === 3) throw new Error('bad block');
    };
    await expect(readSnapshotBody(path, body.length, stop, 100)).rejects.toThrow('bad block');
    expect(calls).toBe(3);
  });
});
