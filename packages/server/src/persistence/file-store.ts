import { readdirSync, statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import pino, { type Logger } from 'pino';
import { decodeTxn, encodeTxn, type Txn, type ZooEngine } from '@zoo/core';
import { fileName, fileZxid, logHeader, readSnapshotFile, recordHeader, scanLog, snapshotTrailer, type LogRecord } from './log-format.js';
import type { RecoveryReport, StoreInfo, TxnStore } from './txn-store.js';

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
}

/**
 * The durable store: an append-only transaction log with group commit (every txn appended
 * while a write+fdatasync is in flight goes into the next single write+fdatasync), fuzzy
 * snapshots written in the background, recovery, and purge.
 */
class FileTxnStore implements TxnStore {
  readonly durable = true;
  private readonly dataDir: string;
  private readonly logDir: string;
  private readonly logger: Logger;
  private readonly snapCount: number;
  private readonly retain: number;
  private pending: Buffer[] = [];
  private pendingZxid = 0n;
  private firstPendingZxid = -1n;
  private log?: FileHandle;
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
    const scans = new Map<string, LogRecord[]>();
    let truncatedBytes = 0;

    /** Validates one log (truncating a torn tail of the newest one) and keeps its records. */
    const scan = async (i: number): Promise<LogRecord[]> => {
      const { name } = logs[i];
      const known = scans.get(name);
      if (known) return known;
      const path = join(this.logDir, name);
      const bytes = await readFile(path);
      const result = scanLog(bytes);
      if (result.kind === 'corrupt') {
        throw new Error(`transaction log ${path} is corrupt at offset ${result.offset}: ${result.why}. Committed records follow it, so Zoo will not start; restore the file or remove it knowingly.`);
      }
      if (result.kind === 'torn') {
        // Only the newest log with records can have a torn tail: a crash interrupts one write.
        for (let j = i + 1; j < logs.length; j++) {
          if ((await scan(j)).length > 0) throw new Error(`transaction log ${path} ends with a damaged record (${result.why}) but later logs hold records`);
        }
        truncatedBytes = bytes.length - result.validBytes;
        this.logger.warn({ file: path, at: result.validBytes, bytes: truncatedBytes, why: result.why }, 'truncating torn tail of the transaction log');
        await truncate(path, result.validBytes);
      }
      scans.set(name, result.records);
      return result.records;
    };

    /** The logs that can hold txns after `zxid`: the newest one starting at or before zxid+1, and all later ones. */
    const logsAfter = async (zxid: bigint): Promise<LogRecord[][]> => {
      let first = 0;
      for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= zxid + 1n) first = i;
      const out: LogRecord[][] = [];
      for (let i = first; i < logs.length; i++) out.push(await scan(i));
      return out;
    };
    const lastZxidOf = (groups: LogRecord[][]): bigint => {
      for (let i = groups.length - 1; i >= 0; i--) if (groups[i].length) return groups[i][groups[i].length - 1].zxid;
      return 0n;
    };

    // The newest snapshot that is whole and that the durable log reaches past (see
    // snapshotTrailer); logs entirely before it are not read at all.
    let snapshotZxid = 0n;
    let needed: LogRecord[][] | undefined;
    for (const snap of (await this.files(this.dataDir, 'snapshot')).reverse()) {
      const path = join(this.dataDir, snap.name);
      const parsed = readSnapshotFile(await readFile(path));
      if ('error' in parsed) {
        this.logger.warn({ file: path, why: parsed.error }, 'skipping invalid snapshot');
        continue;
      }
      const groups = await logsAfter(snap.zxid);
      if (parsed.endZxid > snap.zxid && parsed.endZxid > lastZxidOf(groups)) {
        this.logger.warn({ file: path }, 'skipping snapshot newer than the durable log');
        continue;
      }
      engine.restoreSnapshot(parsed.body);
      snapshotZxid = snap.zxid;
      needed = groups;
      break;
    }
    needed ??= await logsAfter(-1n);

    let replayed = 0;
    for (const records of needed) {
      for (const record of records) {
        if (record.zxid <= snapshotZxid) continue;
        engine.applyTxn(decodeTxn(record.payload));
        replayed++;
      }
    }
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
    await this.log?.close();
    const path = join(this.logDir, fileName('log', firstZxid));
    this.log = await open(path, 'a');
    const { size } = await this.log.stat();
    if (size === 0) {
      await this.log.write(logHeader());
      await this.log.datasync();
      await syncDir(this.logDir);
    }
  }

  // ---- appending ---------------------------------------------------------------------------------

  append(txn: Txn): void {
    const payload = encodeTxn(txn);
    this.pending.push(recordHeader(payload), payload);
    if (this.pending.length === 2) this.firstPendingZxid = txn.zxid;
    this.pendingZxid = txn.zxid;
    this.sinceSnapshot++;
  }

  sync(): Promise<void> {
    this.chain = this.chain.then(() => this.writePending());
    return this.chain;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const firstZxid = this.firstPendingZxid;
    this.pending = [];
    const started = performance.now();
    // A log file is created by its first write (named after its first txn), so restarts and
    // snapshots do not leave empty files behind.
    if (!this.log || this.rollRequested) {
      this.rollRequested = false;
      await this.openLog(firstZxid);
    }
    await this.log!.writev(buffers);
    await this.log!.datasync();
    this.options.onFsync?.(performance.now() - started);
  }

  maybeSnapshot(engine: ZooEngine): void {
    if (this.snapshotting || this.closed || this.sinceSnapshot < this.nextSnapshotAt) return;
    this.sinceSnapshot = 0;
    this.nextSnapshotAt = this.rollSnapCount();
    this.snapshotting = true;
    // New txns go to a new log file from the next group commit on.
    this.rollRequested = true;
    void this.writeSnapshot(engine)
      .catch((err) => this.logger.error({ err }, 'snapshot failed'))
      .finally(() => {
        this.snapshotting = false;
      });
  }

  /** Writes a fuzzy snapshot, yielding to the event loop between chunks. */
  async writeSnapshot(engine: ZooEngine): Promise<bigint> {
    // txns after this snapshot start a new log file, so recovery from it never reads the old one
    this.rollRequested = true;
    const { zxid, chunks } = engine.snapshot();
    const final = join(this.dataDir, fileName('snapshot', zxid));
    const temp = `${final}.tmp`;
    const fh = await open(temp, 'w');
    let crc = 0;
    try {
      for (const chunk of chunks) {
        crc = crc32(chunk, crc);
        await fh.write(chunk);
      }
      await fh.write(snapshotTrailer(crc, engine.lastZxid));
      await fh.datasync();
    } finally {
      await fh.close();
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
    for (const s of snaps.slice(0, -this.retain)) await unlink(join(this.dataDir, s.name)).catch(() => {});
    const logs = await this.files(this.logDir, 'log');
    // the newest log that starts at or before the oldest kept snapshot is still needed
    let needed = 0;
    for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= oldestKept + 1n) needed = i;
    for (const l of logs.slice(0, needed)) await unlink(join(this.logDir, l.name)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.sync().catch(() => {});
    await this.log?.close();
    this.log = undefined;
  }

  info(): StoreInfo {
    return { dataDir: this.dataDir, dataLogDir: this.logDir, logBytes: dirSize(this.logDir, 'log.'), snapshotBytes: dirSize(this.dataDir, 'snapshot.') };
  }
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

export async function openTxnStore(options: FileStoreOptions): Promise<TxnStore & { writeSnapshot(engine: ZooEngine): Promise<bigint>; purge(): Promise<void> }> {
  const store = new FileTxnStore(options);
  await store.init();
  return store;
}
