import { readdirSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import pino, { type Logger } from 'pino';
import { encodeTxn, TxnReplayDecoder, ZooError, ZooErrorCode, type Txn, type ZooEngine } from '@zoo/core';
import { fileName, fileZxid, LOG_HEADER_BYTES, logHeader, logRecord, readSnapshotBody, readSnapshotTrailer, scanLogFile, snapshotTrailer, type LogScan, type RecordVisitor } from './log-format.js';
import type { RecoveryReport, StoreInfo, TxnStore } from './txn-store.js';
import { nodeStoreFs, writeFully, type StoreFile, type StoreFs } from './store-fs.js';
import { defaultLogCheckWorker, startLogChecks, type LogChecks } from './log-checker.js';

export interface FileStoreOptions {
  dataDir: string;
  /** Where logs go (default dataDir): a dedicated disk keeps fsync latency low. */
  dataLogDir?: string;
  /** Txns between snapshots (randomized ±50% like ZooKeeper, so a fleet does not snapshot at once). */
  snapCount?: number;
  /** Snapshots kept by purge (at least 3). */
  snapRetainCount?: number;
  /** Hours between automatic purges; 0 = off. */
  purgeIntervalHours?: number;
  logger?: Logger;
  onFsync?: (ms: number) => void;
  /**
   * The log file grows in steps of this many bytes (ZooKeeper's preAllocSize, 64 MiB), as a
   * hole: a write then lands inside the file instead of extending it, so its sync does not
   * also commit a new file size to the filesystem's journal (measured here: p50 113–127 µs
   * against 167–228 µs for an appending O_DSYNC write of 150 B; p999 a third). The hole
   * takes no disk space, and a log is cut back to its records when it is rolled or closed.
   */
  preAllocBytes?: number;
  /** After a failed write, resume only once the log's filesystem has this many bytes free; default 1 MiB. */
  resumeFreeBytes?: number;
  /** The file operations (tests inject faults here); default node:fs/promises. */
  fs?: StoreFs;
  /**
   * The file of the worker thread that checks the logs at recovery while the snapshot is
   * restored, or false to check them on the main thread. Default: log-check-worker.js or .cjs
   * next to the module, as the package is built (a bundler may put it elsewhere), used when the
   * logs to check hold 8 MiB or more; a file given here is used whatever their size.
   */
  logCheckWorker?: URL | false;
}

/**
 * The durable store: an append-only transaction log with group commit (every txn appended
 * while a write is in flight goes into the next one; the log is opened O_DSYNC, so one write is
 * one write+fdatasync in a single thread-pool job), fuzzy snapshots written in the background,
 * recovery, and purge.
 */
class FileTxnStore implements TxnStore {
  readonly durable = true;
  private readonly dataDir: string;
  private readonly logDir: string;
  private readonly logger: Logger;
  private readonly snapCount: number;
  private readonly retain: number;
  private readonly fs: StoreFs;
  private pending: Buffer[] = [];
  private pendingZxid = 0n;
  private firstPendingZxid = -1n;
  private log?: StoreFile;
  private logPath?: string;
  /** Bytes of the open log known to be on disk (written and fdatasynced): where the next write goes. */
  private durableSize = 0;
  /** How far the open log may reach: its records, then zeros (a hole) or the bytes of a failed write up to here. */
  private allocated = 0;
  private readonly preAlloc: number;
  /** The highest zxid written and fdatasynced. */
  private syncedZxid = 0n;
  /** Why the log cannot be written (until repair() succeeds). */
  private broken?: Error;
  /** Failed writes so far: a snapshot begun before one is abandoned. */
  private failures = 0;
  private chain: Promise<void> = Promise.resolve();
  private sinceSnapshot = 0;
  private nextSnapshotAt: number;
  private rollRequested = false;
  private snapshotting = false;
  private purgeTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: FileStoreOptions) {
    this.dataDir = options.dataDir;
    this.logDir = options.dataLogDir ?? options.dataDir;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.snapCount = Math.max(2, options.snapCount ?? 100_000);
    this.retain = Math.max(3, options.snapRetainCount ?? 3);
    this.nextSnapshotAt = this.rollSnapCount();
    this.fs = options.fs ?? nodeStoreFs;
    this.preAlloc = Math.max(0, Math.floor(options.preAllocBytes ?? 64 * 1024 * 1024));
    const hours = options.purgeIntervalHours ?? 0;
    if (hours > 0) this.purgeTimer = setInterval(() => void this.purge().catch((err) => this.logger.warn({ err }, 'purge failed')), hours * 3_600_000).unref();
  }

  private rollSnapCount(): number {
    const half = Math.floor(this.snapCount / 2);
    return half + Math.floor(Math.random() * (this.snapCount - half + 1));
  }

  async init(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    await mkdir(this.logDir, { recursive: true });
  }

  // ---- recovery --------------------------------------------------------------------------------

  async recover(engine: ZooEngine): Promise<RecoveryReport> {
    const logs = await this.files(this.logDir, 'log');
    const snapshots = (await this.files(this.dataDir, 'snapshot')).reverse();
    // the logs the newest snapshot needs: checked while it is restored
    const upFront = snapshots.length > 0 ? logsAfter(logs, snapshots[0].zxid).map((i) => join(this.logDir, logs[i].name)) : [];
    const checks = startLogChecks({ worker: await this.logCheckWorker(upFront), logger: this.logger });
    try {
      // (on this thread they run as they are needed, as they always did)
      if (checks.onWorker) for (const path of upFront) void checks.check(path);
      return await this.recoverWith(engine, logs, snapshots, checks);
    } finally {
      checks.close();
    }
  }

  /**
   * Where the first pass over the logs runs: on a worker thread while this one restores a
   * snapshot, or here. Here when there is no snapshot to overlap it with, when the logs it needs
   * are too small to be worth a thread (checking them here takes less than starting one), and
   * when the store was given a file layer of its own (a test's fault-injecting one): the worker
   * has only node:fs, and what goes through this store's layer must stay on this thread. A
   * worker file given in the options is used whatever the size.
   */
  private async logCheckWorker(upFront: string[]): Promise<URL | false> {
    const { fs, logCheckWorker } = this.options;
    if (upFront.length === 0 || (fs !== undefined && fs !== nodeStoreFs) || logCheckWorker === false) return false;
    if (logCheckWorker) return logCheckWorker;
    let bytes = 0;
    for (const path of upFront) bytes += await stat(path).then((s) => s.size, () => 0);
    return bytes >= LOG_CHECK_WORKER_MIN_BYTES ? defaultLogCheckWorker() : false;
  }

  private async recoverWith(engine: ZooEngine, logs: Array<{ name: string; zxid: bigint }>, snapshots: Array<{ name: string; zxid: bigint }>, checks: LogChecks): Promise<RecoveryReport> {
    const scans = new Map<string, LogScan>();
    let truncatedBytes = 0;

    /**
     * Validates one log (truncating a torn tail of the newest one): a first pass that reads it
     * in chunks and keeps no record, so every log is known good before anything is applied.
     */
    const scan = async (i: number): Promise<LogScan> => {
      const { name } = logs[i];
      const known = scans.get(name);
      if (known) return known;
      const path = join(this.logDir, name);
      const result = await checks.check(path);
      if (result.kind === 'corrupt') {
        throw new Error(`transaction log ${path} is corrupt at offset ${result.validBytes}: ${result.why}. Committed records follow it, so Zoo will not start; restore the file or remove it knowingly.`);
      }
      if (result.kind === 'torn') {
        // Only the newest log with records can have a torn tail: a crash interrupts one write.
        for (let j = i + 1; j < logs.length; j++) {
          if ((await scan(j)).records > 0) throw new Error(`transaction log ${path} ends with a damaged record (${result.why}) but later logs hold records`);
        }
        truncatedBytes = result.fileBytes - result.validBytes;
        this.logger.warn({ file: path, at: result.validBytes, bytes: truncatedBytes, why: result.why }, 'truncating torn tail of the transaction log');
        await truncate(path, result.validBytes);
      }
      scans.set(name, result);
      return result;
    };

    /** Validates these logs, in order (the first failure is thrown). */
    const scanAll = async (indexes: number[]): Promise<void> => {
      for (const i of indexes) await scan(i);
    };
    const lastZxidOf = (indexes: number[]): bigint => {
      for (let i = indexes.length - 1; i >= 0; i--) {
        const last = scans.get(logs[indexes[i]].name)?.lastZxid;
        if (last !== null && last !== undefined) return last;
      }
      return 0n;
    };

    // (the logs the newest snapshot needs are being checked already; the checks of others start
    // if an older snapshot, or none, turns out to be needed)
    // The newest snapshot that is whole and that the durable log reaches past (see
    // snapshotTrailer); logs entirely before it are not read at all.
    let snapshotZxid = 0n;
    let needed: number[] | undefined;
    for (const snap of snapshots) {
      const path = join(this.dataDir, snap.name);
      const trailer = await readSnapshotTrailer(path);
      if ('error' in trailer) {
        this.logger.warn({ file: path, why: trailer.error }, 'skipping invalid snapshot');
        continue;
      }
      const indexes = logsAfter(logs, snap.zxid);
      // One pass, chunk by chunk: each checksummed and its blocks decoded as soon as they are
      // whole (never the whole file in memory), while the logs it needs are checked (on the
      // worker). Then, in the order the checks were made when the logs were checked first: a
      // damaged log fails the start; a snapshot the log does not reach is taken back and skipped;
      // a wrong checksum takes the restore back and an older snapshot is tried; a decode error
      // stands only if the checksum was right.
      const restorer = engine.snapshotRestorer();
      let crc = 0;
      let failed: { err: unknown } | undefined;
      let unreadable: { err: unknown } | undefined;
      try {
        await readSnapshotBody(path, trailer.bodyBytes, (piece) => {
          crc = crc32(piece, crc);
          if (failed) return;
          try {
            restorer.push(piece);
          } catch (err) {
            failed = { err };
          }
        });
      } catch (err) {
        unreadable = { err };
      }
      try {
        await scanAll(indexes);
      } catch (err) {
        // (the engine is left as fresh as it was)
        restorer.abort();
        throw err;
      }
      // Every txn the fuzzy snapshot may hold past its own zxid must be in the log. (One whose
      // end is its own zxid is whole by itself: an imported state, or one taken while idle.)
      if (trailer.endZxid > snap.zxid && trailer.endZxid > lastZxidOf(indexes)) {
        restorer.abort();
        this.logger.warn({ file: path }, 'skipping snapshot newer than the durable log');
        continue;
      }
      if (unreadable) throw unreadable.err;
      if ((crc | 0) !== trailer.crc) {
        restorer.abort();
        this.logger.warn({ file: path, why: 'checksum mismatch' }, 'skipping invalid snapshot');
        continue;
      }
      if (failed) throw failed.err;
      restorer.end();
      snapshotZxid = snap.zxid;
      needed = indexes;
      break;
    }
    if (!needed) {
      needed = logsAfter(logs, -1n);
      await scanAll(needed);
    }

    // The second pass: each log again, chunk by chunk, each record decoded and applied as it is
    // read (no record is kept, and the checksums were verified by the first pass).
    let replayed = 0;
    // Every txn has a zxid one above the last: a hole means lost acknowledged writes (or a log
    // from elsewhere), so say exactly where instead of serving a state that never existed.
    let expected = snapshotZxid + 1n;
    const decoder = new TxnReplayDecoder();
    for (const i of needed) {
      const checked = scans.get(logs[i].name)!;
      // (a log the snapshot covers whole holds nothing to apply: not read again)
      if (checked.records === 0 || checked.lastZxid! <= snapshotZxid) continue;
      const file = join(this.logDir, logs[i].name);
      const replay: RecordVisitor = (buf, start, end, offset) => {
        const zxid = buf.readBigInt64BE(start);
        if (zxid <= snapshotZxid) return;
        if (zxid !== expected) {
          throw new ZooError(
            ZooErrorCode.SYSTEMERROR,
            `transaction log ${file} has a zxid gap at offset ${offset}: expected 0x${expected.toString(16)}, found 0x${zxid.toString(16)}. Acknowledged transactions may be missing, so Zoo will not start; restore the missing log or remove the later ones knowingly.`,
            { path: file },
          );
        }
        engine.applyTxn(decoder.decode(buf, start, end));
        expected = zxid + 1n;
        replayed++;
      };
      await scanLogFile(file, replay, { verify: false, end: checked.validBytes });
    }
    this.syncedZxid = engine.lastZxid;
    return { snapshotZxid, replayed, truncatedBytes };
  }

  private async files(dir: string, kind: 'log' | 'snapshot'): Promise<Array<{ name: string; zxid: bigint }>> {
    const out: Array<{ name: string; zxid: bigint }> = [];
    for (const name of await readdir(dir)) {
      if (!name.startsWith(`${kind}.`)) continue;
      const zxid = fileZxid(name);
      if (zxid !== null) out.push({ name, zxid });
    }
    return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
  }

  private async openLog(firstZxid: bigint): Promise<void> {
    await this.closeLog();
    const path = join(this.logDir, fileName('log', firstZxid));
    const log = await this.fs.open(path, 'log', { dsync: true });
    try {
      const { size } = await log.stat();
      // A log of this name may be there already (a crash right after it was created): go on
      // after its last record, not after the zeros that may follow it.
      const end = size === 0 ? 0 : await logEnd(path);
      if (end < LOG_HEADER_BYTES) {
        if (size > 0) await log.truncate(0);
        await writeFully(log, [logHeader()], 0);
        await log.datasync();
        await syncDir(this.logDir);
        this.durableSize = this.allocated = LOG_HEADER_BYTES;
      } else {
        if (size > end) await log.truncate(end);
        this.durableSize = this.allocated = end;
      }
    } catch (err) {
      // a log without its whole header would read as corrupt: it holds no txn, so remove it
      await log.close().catch(() => {});
      await this.fs.unlink(path).catch(() => {});
      throw err;
    }
    this.log = log;
    this.logPath = path;
  }

  /** Closes the open log, cut back to its records (no preallocated zeros left behind). */
  private async closeLog(): Promise<void> {
    const log = this.log;
    this.log = this.logPath = undefined;
    if (!log) return;
    if (this.allocated > this.durableSize) await log.truncate(this.durableSize).catch(() => {});
    await log.close();
  }

  // ---- appending ---------------------------------------------------------------------------------

  append(txn: Txn): void {
    // Broken (a failed write, until repair()): the server rolls back every txn past the durable
    // zxid once its next sync() reports the failure, this one included, so it is not kept.
    if (this.broken) return;
    // one buffer per record: a group commit of one txn (1×1) is then written as it is, not concatenated
    this.pending.push(logRecord(encodeTxn(txn)));
    if (this.pending.length === 1) this.firstPendingZxid = txn.zxid;
    this.pendingZxid = txn.zxid;
    this.sinceSnapshot++;
  }

  sync(): Promise<void> {
    // each sync gets its own outcome; a failed one does not poison the ones after repair()
    const next = this.chain.then(this.writePendingStep);
    this.chain = next.catch(ignore);
    return next;
  }

  /** writePending, bound once: sync() runs once per group commit. */
  private readonly writePendingStep = (): Promise<void> => this.writePending();

  private async writePending(): Promise<void> {
    if (this.broken) throw this.broken;
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const firstZxid = this.firstPendingZxid;
    const lastZxid = this.pendingZxid;
    this.pending = [];
    const started = performance.now();
    try {
      // A log file is created by its first write (named after its first txn), so restarts and
      // snapshots do not leave empty files behind.
      if (!this.log || this.rollRequested) {
        await this.openLog(firstZxid);
        this.rollRequested = false;
      }
      // One buffer, one write: with O_DSYNC every write syscall is a sync of its own, and writev
      // takes at most 1024 pieces (one per txn here).
      const batch = buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
      const log = this.log!;
      const end = this.durableSize + batch.length;
      if (end > this.allocated) {
        const size = this.preAlloc > 0 ? Math.ceil(end / this.preAlloc) * this.preAlloc : end;
        if (this.preAlloc > 0) await log.truncate(size);
        // set before the write: if it fails, what it left is cut off by repair() or closeLog()
        this.allocated = size;
      }
      // at the end of the records: the O_DSYNC write makes the new size durable too, if it needs it
      await writeFully(log, [batch], this.durableSize);
      if (!log.dsync) await log.datasync();
      this.durableSize = end;
      this.syncedZxid = lastZxid;
    } catch (err) {
      // Nothing of this write counts: the server takes these txns back and answers no one.
      // Bytes that did reach the file are cut off by repair() before anything else is written.
      this.broken = err instanceof Error ? err : new Error(String(err));
      this.failures++;
      this.pending = [];
      this.logger.error({ err, zxid: `0x${firstZxid.toString(16)}` }, 'transaction log write failed');
      // Cut what reached the file at once (best effort; repair() does it for sure), so a crash
      // from now on does not bring back txns nobody was told about.
      await this.log?.truncate(this.durableSize).then(() => {
        this.allocated = this.durableSize;
      }, () => {});
      throw this.broken;
    }
    this.options.onFsync?.(performance.now() - started);
  }

  durableZxid(): bigint {
    return this.syncedZxid;
  }

  /**
   * After a failed write: cuts the log back to what was durable, syncs it, and checks there is
   * room again. Resolves once txns may be appended again; rejects (and stays broken) if not.
   */
  repair(): Promise<void> {
    const attempt = this.chain.then(async () => {
      if (!this.broken) return;
      if (this.log) {
        await this.log.truncate(this.durableSize);
        this.allocated = this.durableSize;
        await this.log.datasync();
      }
      const free = await this.fs.freeBytes(this.logDir);
      const want = this.options.resumeFreeBytes ?? 1024 * 1024;
      if (free < want) throw Object.assign(new Error(`only ${free} bytes free in ${this.logDir} (want ${want} before writing again)`), { code: 'ENOSPC' });
      this.logger.info({ zxid: `0x${this.syncedZxid.toString(16)}`, file: this.logPath }, 'transaction log writable again');
      this.broken = undefined;
      this.pending = [];
      this.pendingZxid = this.syncedZxid;
    });
    this.chain = attempt.catch(() => {});
    return attempt;
  }

  maybeSnapshot(engine: ZooEngine): void {
    if (this.closed || this.sinceSnapshot < this.nextSnapshotAt) return;
    this.sinceSnapshot = 0;
    this.nextSnapshotAt = this.rollSnapCount();
    // Still writing the last one: skip this one and count afresh, as ZooKeeper does ("Too busy to
    // snap, skipping"). Waiting for it instead started the next snapshot the moment the last one
    // ended, so a server under heavy writes wrote snapshots back to back, and their writes
    // competed with the log's on the disk.
    if (this.snapshotting) {
      this.logger.warn('too busy to snapshot (the last one is still being written): skipping this one');
      return;
    }
    this.snapshotting = true;
    // New txns go to a new log file from the next group commit on.
    this.rollRequested = true;
    void this.writeSnapshot(engine)
      .catch((err) => this.logger.error({ err }, 'snapshot failed'))
      .finally(() => {
        this.snapshotting = false;
      });
  }

  /**
   * Writes a fuzzy snapshot, yielding to the event loop between chunks. It gets its final name
   * only once the log is durable up to the last txn it may hold, so a snapshot never holds a
   * txn the log does not (one that a failure then takes back); if the log fails meanwhile, the
   * snapshot is dropped.
   */
  async writeSnapshot(engine: ZooEngine): Promise<bigint> {
    if (this.broken) throw new Error(`no snapshot while the transaction log is not writable: ${this.broken.message}`);
    const failures = this.failures;
    // txns after this snapshot start a new log file, so recovery from it never reads the old one
    this.rollRequested = true;
    // (each chunk is checksummed and written before the next is made: they can share one buffer)
    const { zxid, chunks } = engine.snapshot(undefined, { reuseChunks: true });
    const final = join(this.dataDir, fileName('snapshot', zxid));
    const temp = `${final}.tmp`;
    const fh = await this.fs.open(temp, 'w');
    let crc = 0;
    try {
      try {
        for (const chunk of chunks) {
          if (this.failures !== failures) break;
          crc = crc32(chunk, crc);
          await writeFully(fh, [chunk]);
        }
        if (this.failures === failures) {
          await writeFully(fh, [snapshotTrailer(crc, engine.lastZxid)]);
          await fh.datasync();
          await this.sync();
        }
        // (every txn the engine applied was appended first, so that sync covered endZxid)
        if (this.failures !== failures) throw new Error('snapshot abandoned: the transaction log failed while it was written');
      } finally {
        await fh.close();
      }
    } catch (err) {
      await this.fs.unlink(temp).catch(() => {});
      throw err;
    }
    await rename(temp, final);
    await syncDir(this.dataDir);
    this.logger.info({ file: final }, 'snapshot written');
    if ((this.options.purgeIntervalHours ?? 0) > 0) await this.purge();
    return zxid;
  }

  /** Keeps the newest snapRetainCount snapshots and the logs they need; deletes the rest. */
  async purge(): Promise<void> {
    const snaps = await this.files(this.dataDir, 'snapshot');
    if (snaps.length <= this.retain) return;
    const keep = snaps.slice(-this.retain);
    const oldestKept = keep[0].zxid;
    for (const s of snaps.slice(0, -this.retain)) await this.fs.unlink(join(this.dataDir, s.name)).catch(() => {});
    const logs = await this.files(this.logDir, 'log');
    // the newest log that starts at or before the oldest kept snapshot is still needed
    let needed = 0;
    for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= oldestKept + 1n) needed = i;
    for (const l of logs.slice(0, needed)) await this.fs.unlink(join(this.logDir, l.name)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.sync().catch(() => {});
    // (closeLog also cuts off what a failed write left past the durable end: never acknowledged)
    await this.closeLog();
  }

  info(): StoreInfo {
    return { dataDir: this.dataDir, dataLogDir: this.logDir, logBytes: dirSize(this.logDir, 'log.'), snapshotBytes: dirSize(this.dataDir, 'snapshot.') };
  }
}

/**
 * Below this many bytes of logs to check, recovery checks them on its own thread: a few ms of
 * crc32, less than starting a worker thread costs.
 */
const LOG_CHECK_WORKER_MIN_BYTES = 8 * 1024 * 1024;

/** The chain's own rejection handler: each sync() caller gets the outcome itself. */
const ignore = (): void => {};

/** The logs that can hold txns after `zxid` (indexes into `logs`, sorted): the newest one starting at or before zxid+1, and all later ones. */
function logsAfter(logs: Array<{ zxid: bigint }>, zxid: bigint): number[] {
  let first = 0;
  for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= zxid + 1n) first = i;
  const out: number[] = [];
  for (let i = first; i < logs.length; i++) out.push(i);
  return out;
}

/** Where the records of a log file end (its header, for a log with none; 0 if the header is not whole). */
async function logEnd(path: string): Promise<number> {
  const scan = await scanLogFile(path);
  if (scan.kind === 'corrupt') throw new Error(`transaction log ${path} is corrupt at offset ${scan.validBytes}: ${scan.why}`);
  return scan.validBytes;
}

function dirSize(dir: string, prefix: string): number {
  try {
    return readdirSync(dir)
      .filter((n) => n.startsWith(prefix))
      .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);
  } catch {
    return 0;
  }
}

/** fsync a directory so a created or renamed file's entry survives a crash. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some filesystems do not allow fsync on directories
  } finally {
    await fh.close();
  }
}

export async function openTxnStore(
  options: FileStoreOptions,
): Promise<TxnStore & { writeSnapshot(engine: ZooEngine): Promise<bigint>; purge(): Promise<void>; repair(): Promise<void>; durableZxid(): bigint }> {
  const store = new FileTxnStore(options);
  await store.init();
  return store;
}
