import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, OpCode, OPEN_ACL_UNSAFE, ZooEngine } from '@zoo/core';
import { FaultyFs } from '../../test/faulty-fs.js';
import { record, sampleLog } from '../../test/log-fixtures.js';
import { openTxnStore } from './file-store.js';
import { LOG_CHUNK_BYTES, LOG_HEADER_BYTES, logHeader, scanLogFile, type LogScan } from './log-format.js';
import { startLogChecks, type LogChecks } from './log-checker.js';

// The worker runs as built: Node runs no .ts in a worker thread. Without a build these tests fail (not skip).
const built = (ext: 'js' | 'cjs') => new URL(`../../dist/log-check-worker.${ext}`, import.meta.url);

let dir: string;
beforeAll(async () => {
  for (const ext of ['js', 'cjs'] as const) if (!existsSync(built(ext))) throw new Error(`${built(ext).pathname} is missing: build @zoo/server first (npm run build)`);
  dir = await mkdtemp(join(tmpdir(), 'zoo-log-checker-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pino logger at debug level whose lines are kept. */
function captured(): { logger: Logger; msgs: string[] } {
  const msgs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void msgs.push((JSON.parse(line) as { msg: string }).msg) });
  return { logger, msgs };
}

/** Log files of every kind a first pass tells apart, written to `dir`: name → path. */
async function logFiles(): Promise<Map<string, string>> {
  const { bytes, offsets } = sampleLog();
  const corrupt = Buffer.from(bytes);
  corrupt[offsets[17] + 12] ^= 0xff;
  const badLength = Buffer.from(bytes);
  badLength.writeInt32BE(3, offsets[5]);
  const lastDamaged = Buffer.from(bytes);
  lastDamaged[offsets[39] + 12] ^= 0xff;
  // more than one read chunk, with a record across the boundary, torn at the end
  const big: Buffer[] = [logHeader()];
  let size = LOG_HEADER_BYTES;
  for (let z = 1; size < LOG_CHUNK_BYTES + 300_000; z++) {
    const r = record(z, 997);
    big.push(r);
    size += r.length;
  }
  const bigLog = Buffer.concat(big);
  const cases: Record<string, Buffer> = {
    good: bytes,
    'zero-padded': Buffer.concat([bytes, Buffer.alloc(64 * 1024)]),
    'torn (cut in the last record)': bytes.subarray(0, offsets[39] + 12),
    'torn (cut, then zeros)': Buffer.concat([bytes.subarray(0, offsets[39] + 12), Buffer.alloc(300)]),
    'torn (garbage after the last record)': Buffer.concat([bytes, Buffer.from('garbage!garbage!')]),
    'torn (last record damaged)': lastDamaged,
    'corrupt (checksum)': corrupt,
    'corrupt (record length)': badLength,
    'header only': logHeader(),
    'header cut short': logHeader().subarray(0, 5),
    'not a log': Buffer.from('not a log at all'),
    'big, torn': bigLog.subarray(0, bigLog.length - 100),
    'big, corrupt in the second chunk': (() => {
      const b = Buffer.from(bigLog);
      b[LOG_CHUNK_BYTES + 5000] ^= 0x10;
      return b;
    })(),
  };
  const out = new Map<string, string>();
  let n = 0;
  for (const [name, b] of Object.entries(cases)) {
    const path = join(dir, `log.${(++n).toString(16)}`);
    await writeFile(path, b);
    out.set(name, path);
  }
  return out;
}

/** A check's outcome: its scan, or what it threw (message and code). */
async function outcome(checks: LogChecks, path: string): Promise<LogScan | { error: string; code?: string }> {
  try {
    return await checks.check(path);
  } catch (err) {
    return { error: (err as Error).message, code: (err as NodeJS.ErrnoException).code };
  }
}

async function inThread(path: string): Promise<LogScan | { error: string; code?: string }> {
  try {
    return await scanLogFile(path);
  } catch (err) {
    return { error: (err as Error).message, code: (err as NodeJS.ErrnoException).code };
  }
}

describe('log checks on a worker thread', () => {
  for (const ext of ['js', 'cjs'] as const) {
    it(`find what the in-thread scan finds, log by log (good, zero-padded, torn, corrupt, missing), with the ${ext} build of the worker`, async () => {
      const files = await logFiles();
      const missing = join(dir, 'log.ffff');
      const { logger, msgs } = captured();
      const worker = startLogChecks({ worker: built(ext), logger });
      const here = startLogChecks({ worker: false, logger: pino({ level: 'silent' }) });
      try {
        // all asked up front, as recovery does, then awaited in turn
        for (const path of [...files.values(), missing]) void worker.check(path);
        for (const [name, path] of files) {
          const want = await inThread(path);
          expect(await outcome(worker, path), name).toEqual(want);
          expect(await outcome(here, path), name).toEqual(want);
        }
        const gone = await outcome(worker, missing);
        expect(gone).toMatchObject({ code: 'ENOENT' });
        expect(gone).toEqual(await inThread(missing));
        // (the kinds the cases are meant to be)
        expect(await worker.check(files.get('zero-padded')!)).toMatchObject({ kind: 'ok', records: 40, lastZxid: 40n });
        expect(await worker.check(files.get('torn (cut in the last record)')!)).toMatchObject({ kind: 'torn', records: 39 });
        expect(await worker.check(files.get('corrupt (checksum)')!)).toMatchObject({ kind: 'corrupt', records: 17 });
        expect(await worker.check(files.get('big, corrupt in the second chunk')!)).toMatchObject({ kind: 'corrupt' });
        // answered by the worker, not by a fallback
        expect(worker.onWorker).toBe(true);
        expect(msgs).toContain('checking the transaction logs on a worker thread');
        expect(msgs.filter((m) => /on this thread/.test(m))).toEqual([]);
      } finally {
        worker.close();
        here.close();
      }
      expect(msgs).toContain('transaction logs checked on a worker thread');
    });
  }

  it('checks each log once: asking again gets the same check', async () => {
    const files = await logFiles();
    const checks = startLogChecks({ worker: built('js'), logger: pino({ level: 'silent' }) });
    try {
      const path = files.get('good')!;
      const first = checks.check(path);
      expect(checks.check(path)).toBe(first);
      await first;
    } finally {
      checks.close();
    }
  });
});

describe('log checks when the worker cannot do them', () => {
  const brokenWorkers: Record<string, string> = {
    'fails as it loads': "throw new Error('no workers here');\n",
    'exits on the first request': "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n",
  };

  it('with no worker file, checks on this thread from the start', async () => {
    const files = await logFiles();
    const { logger, msgs } = captured();
    const checks = startLogChecks({ worker: new URL('./no-such-worker.js', built('js')), logger });
    try {
      expect(checks.onWorker).toBe(false);
      for (const [name, path] of files) expect(await outcome(checks, path), name).toEqual(await inThread(path));
      expect(msgs).toEqual(['no transaction log check worker file: checking the logs on this thread']);
    } finally {
      checks.close();
    }
  });

  for (const [how, source] of Object.entries(brokenWorkers)) {
    it(`a worker that ${how}: what it had not answered is checked on this thread, with a debug line`, async () => {
      const files = await logFiles();
      const file = join(dir, `broken-${how.replace(/\W+/g, '-')}.mjs`);
      await writeFile(file, source);
      const { logger, msgs } = captured();
      const checks = startLogChecks({ worker: new URL(`file://${file}`), logger });
      try {
        for (const path of files.values()) void checks.check(path);
        for (const [name, path] of files) expect(await outcome(checks, path), name).toEqual(await inThread(path));
        expect(checks.onWorker).toBe(false);
        expect(msgs).toContain('transaction log check worker failed: checking the logs on this thread');
      } finally {
        checks.close();
      }
    });
  }
});

// ---- recovery: the same outcome whether the logs are checked on the worker or on this thread ----

function writer() {
  const engine = new ZooEngine({ clock: new FakeClock() });
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const create = (path: string) => engine.process(ctx, 1, { op: OpCode.create, path, data: Buffer.from(path), acl: [...OPEN_ACL_UNSAFE], flags: 0 }).txn!;
  return { engine, create };
}

/**
 * A data dir: log.1 with 10 creates, a snapshot, log.b with 10 more, a snapshot (covering log.b),
 * then (`tail`) log.15 with 5 more. Without the tail the newest snapshot needs log.b (as a
 * restart right after a snapshot does); with it, log.15 only.
 */
async function dataDir(tail: boolean): Promise<string> {
  const d = await mkdtemp(join(dir, 'data-'));
  const { engine, create } = writer();
  const store = await openTxnStore({ dataDir: d });
  await store.recover(new ZooEngine());
  for (let i = 0; i < 10; i++) store.append(create(`/a${i}`));
  await store.sync();
  await store.writeSnapshot(engine);
  for (let i = 0; i < 10; i++) store.append(create(`/b${i}`));
  await store.sync();
  await store.writeSnapshot(engine);
  if (tail) {
    for (let i = 0; i < 5; i++) store.append(create(`/c${i}`));
    await store.sync();
  }
  await store.close();
  return d;
}

type Damage = (d: string, logs: string[], snaps: string[]) => Promise<void>;
const flip = async (file: string, at: (size: number) => number) => {
  const b = await readFile(file);
  b[at(b.length)] ^= 0xff;
  await writeFile(file, b);
};
const first = () => LOG_HEADER_BYTES + 12; // inside the first record's payload
/** Sets the endZxid in a snapshot's trailer (its checksum covers the body only). */
const setEndZxid = async (file: string, endZxid: bigint) => {
  const b = await readFile(file);
  b.writeBigInt64BE(endZxid, b.length - 16);
  await writeFile(file, b);
};
const DAMAGES: Record<string, { tail: boolean; damage: Damage }> = {
  none: { tail: true, damage: async () => {} },
  'none, the newest snapshot covering the newest log': { tail: false, damage: async () => {} },
  'torn tail in the newest log': {
    tail: true,
    damage: async (d, logs) => {
      const b = await readFile(join(d, logs.at(-1)!));
      await writeFile(join(d, logs.at(-1)!), b.subarray(0, b.length - 7));
    },
  },
  'corrupt record in the log the newest snapshot covers': { tail: false, damage: (d, logs) => flip(join(d, logs.at(-1)!), first) },
  'corrupt record in the newest log': { tail: true, damage: (d, logs) => flip(join(d, logs.at(-1)!), first) },
  'corrupt record in logs no snapshot needs': { tail: true, damage: (d, logs) => flip(join(d, logs[0]), first) },
  'newest snapshot damaged (checksum)': { tail: true, damage: (d, _logs, snaps) => flip(join(d, snaps.at(-1)!), (n) => n - 16 - 5) },
  'newest snapshot damaged, and a log only the older one needs corrupt': {
    tail: true,
    damage: async (d, logs, snaps) => {
      await flip(join(d, snaps.at(-1)!), (n) => n - 16 - 5);
      await flip(join(d, logs[1]), first);
    },
  },
  'newest snapshot damaged, and corrupt both the log it needs and one only the older one needs': {
    tail: true,
    damage: async (d, logs, snaps) => {
      await flip(join(d, snaps.at(-1)!), (n) => n - 16 - 5);
      await flip(join(d, logs[1]), first);
      await flip(join(d, logs[2]), first);
    },
  },
  'both snapshots damaged, and the oldest log corrupt': {
    tail: true,
    damage: async (d, logs, snaps) => {
      for (const s of snaps) await flip(join(d, s), (n) => n - 16 - 5);
      await flip(join(d, logs[0]), first);
    },
  },
  'newest snapshot unfinished (no trailer)': {
    tail: true,
    damage: async (d, _logs, snaps) => {
      const b = await readFile(join(d, snaps.at(-1)!));
      await writeFile(join(d, snaps.at(-1)!), b.subarray(0, b.length - 3));
    },
  },
  // a fuzzy snapshot: txns up to its trailer's endZxid may be in it, so the log must reach that far
  'newest snapshot fuzzy, the log reaching its end': { tail: true, damage: (d, _logs, snaps) => setEndZxid(join(d, snaps.at(-1)!), 0x17n) },
  'newest snapshot fuzzy, newer than the durable log': { tail: true, damage: (d, _logs, snaps) => setEndZxid(join(d, snaps.at(-1)!), 0x30n) },
  'newest snapshot fuzzy and newer than the log, its needed log corrupt': {
    tail: true,
    damage: async (d, logs, snaps) => {
      await setEndZxid(join(d, snaps.at(-1)!), 0x30n);
      await flip(join(d, logs.at(-1)!), first);
    },
  },
  'newest snapshot fuzzy and damaged (checksum)': {
    tail: true,
    damage: async (d, _logs, snaps) => {
      await setEndZxid(join(d, snaps.at(-1)!), 0x17n);
      await flip(join(d, snaps.at(-1)!), (n) => n - 16 - 5);
    },
  },
  'no snapshot at all': {
    tail: true,
    damage: async (d, _logs, snaps) => {
      for (const s of snaps) await rm(join(d, s));
    },
  },
};

async function recoverIn(d: string, worker: URL | false, fs?: FaultyFs) {
  const { logger, msgs } = captured();
  const engine = new ZooEngine({ clock: new FakeClock() });
  const store = await openTxnStore({ dataDir: d, logCheckWorker: worker, logger, fs });
  let result: unknown;
  try {
    result = await store.recover(engine);
  } catch (err) {
    // (the same text, but for the data dir's own path)
    result = { error: (err as Error).message.replaceAll(d, '<dataDir>') };
  } finally {
    await store.close();
  }
  const files: Record<string, number> = {};
  for (const name of (await readdir(d)).sort()) files[name] = (await stat(join(d, name))).size;
  const nodes = [...engine.tree.nodes.keys()].sort();
  // (the lines that say where the check ran differ by design; every other line must not)
  const said = msgs.filter((m) => !/worker|this thread/.test(m));
  return { outcome: { result, zxid: engine.lastZxid, nodes, files, said }, msgs };
}

describe('recovery with the logs checked on the worker', () => {
  for (const [name, { tail, damage }] of Object.entries(DAMAGES)) {
    it(`ends as it does with them checked on this thread: ${name}`, async () => {
      const base = await dataDir(tail);
      const names = (await readdir(base)).sort((a, b) => (BigInt(`0x${a.split('.')[1]}`) < BigInt(`0x${b.split('.')[1]}`) ? -1 : 1));
      await damage(
        base,
        names.filter((n) => n.startsWith('log.')),
        names.filter((n) => n.startsWith('snapshot.')),
      );
      const copy = `${base}-copy`;
      await cp(base, copy, { recursive: true });
      const onWorker = await recoverIn(base, built('js'));
      const here = await recoverIn(copy, false);
      expect(onWorker.outcome).toEqual(here.outcome);
      // with a snapshot, the worker did the checks (none: nothing to overlap them with, so here)
      const expectWorker = name !== 'no snapshot at all';
      expect(onWorker.msgs.includes('checking the transaction logs on a worker thread')).toBe(expectWorker);
      expect(onWorker.msgs.filter((m) => /on this thread/.test(m))).toEqual([]);
      if (name === 'none') expect(onWorker.outcome.result).toMatchObject({ replayed: 5, truncatedBytes: 0 });
      // (the cases are what they say: a damaged log that is needed stops the start, one that is not does not)
      const stops = /corrupt record in the (log the newest|newest log)|a log only the older|both the log it needs|oldest log corrupt|its needed log corrupt/.test(name);
      if (stops) expect(onWorker.outcome.result).toMatchObject({ error: expect.stringMatching(/is corrupt at offset 8: checksum mismatch/) });
      else expect(onWorker.outcome.result).toMatchObject({ replayed: expect.any(Number) });
      if (name.includes('both the log it needs')) expect(onWorker.outcome.result).toMatchObject({ error: expect.stringContaining('<dataDir>/log.15 is corrupt') });
      if (name.endsWith('the log reaching its end')) expect(onWorker.outcome.result).toMatchObject({ snapshotZxid: 0x14n, replayed: 5 });
      if (name.endsWith('newer than the durable log')) {
        expect(onWorker.outcome.result).toMatchObject({ snapshotZxid: 0xan, replayed: 15 });
        expect(onWorker.outcome.said).toContain('skipping snapshot newer than the durable log');
      }
      if (name.startsWith('torn')) expect((onWorker.outcome.result as { truncatedBytes: number }).truncatedBytes).toBeGreaterThan(0);
      await rm(copy, { recursive: true, force: true });
    });
  }

  it('a store given its own file layer (a test injecting faults) checks the logs on this thread, through that layer', async () => {
    const d = await dataDir(true);
    const faulty = await recoverIn(d, built('js'), new FaultyFs());
    expect(faulty.outcome.result).toMatchObject({ replayed: 5 });
    expect(faulty.msgs.filter((m) => /worker/.test(m))).toEqual([]);
    const real = await recoverIn(d, built('js'));
    expect(real.msgs).toContain('checking the transaction logs on a worker thread');
  });
});
