import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { receivedError, type LogCheckAnswer, type LogCheckRequest } from './log-check-protocol.js';
import { scanLogFile, type LogScan } from './log-format.js';

/** The first pass over transaction logs (scanLogFile with no visitor), each log checked once. */
export interface LogChecks {
  /** The check of the log at `path`: started now unless it was already; a failure is thrown by every call for it. */
  check(path: string): Promise<LogScan>;
  /** Whether the checks run on a worker thread (false once it could not be started or failed). */
  readonly onWorker: boolean;
  /** Ends the worker (checks still running there are dropped: call once nothing is waiting on one). */
  close(): void;
}

/**
 * Where the worker's file is in the built package: next to the module that runs this, with the
 * same extension (dist/index.js → dist/log-check-worker.js, dist/index.cjs → .cjs; dist/bin.js
 * too). The CJS build gets import.meta.url from __filename (tsup's shims).
 */
export function defaultLogCheckWorker(): URL {
  const here = new URL(import.meta.url);
  return new URL(`./log-check-worker${extname(here.pathname)}`, here);
}

/**
 * Checks logs on a worker thread, so that the restore of a snapshot on this one overlaps them
 * (a 200 MB log takes ~0.2 s of crc32). `worker: false`, or a worker that cannot be started
 * (its file missing, a runtime without workers, this module run from source by a test runner),
 * checks them on this thread as they are asked for, as before; a worker that fails later hands
 * what it had not answered back to this thread. The worker mechanism never fails a check.
 */
export function startLogChecks(options: { worker: URL | false; logger: Logger }): LogChecks {
  const { logger } = options;
  const checks = new Map<string, Promise<LogScan>>();
  const waiting = new Map<number, { path: string; resolve: (scan: LogScan) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  let answered = 0;
  let worker = options.worker ? spawn(options.worker, logger) : undefined;

  /** Checks on this thread one after the other, as the store did before the worker. */
  let inThread: Promise<unknown> = Promise.resolve();
  const checkHere = (path: string): Promise<LogScan> => {
    const scan = inThread.then(() => scanLogFile(path));
    inThread = scan.catch(() => {});
    return scan;
  };

  const fallBack = (why: unknown): void => {
    const failed = worker;
    if (!failed) return;
    worker = undefined;
    failed.removeAllListeners().on('error', () => {});
    void failed.terminate().catch(() => {});
    logger.debug({ err: why, files: waiting.size }, 'transaction log check worker failed: checking the logs on this thread');
    for (const [id, job] of waiting) {
      waiting.delete(id);
      checkHere(job.path).then(job.resolve, job.reject);
    }
  };

  if (worker) {
    const w = worker;
    w.on('message', (answer: LogCheckAnswer) => {
      const job = waiting.get(answer.id);
      if (!job) return;
      waiting.delete(answer.id);
      answered++;
      // (idle, the worker must not keep the process alive; while this thread waits on it, it does)
      if (waiting.size === 0) w.unref();
      if ('scan' in answer) job.resolve(answer.scan);
      else job.reject(receivedError(answer.error));
    });
    w.on('error', fallBack);
    w.on('messageerror', fallBack);
    w.on('exit', (code) => fallBack(new Error(`the worker exited (code ${code})`)));
  }

  return {
    check(path) {
      let scan = checks.get(path);
      if (scan) return scan;
      if (worker) {
        const id = nextId++;
        scan = new Promise<LogScan>((resolve, reject) => waiting.set(id, { path, resolve, reject }));
        if (waiting.size === 1) worker.ref();
        worker.postMessage({ id, path } satisfies LogCheckRequest);
      } else {
        scan = checkHere(path);
      }
      // asked for up front, a check may be needed by no one: its failure is thrown only to those who await it
      scan.catch(() => {});
      checks.set(path, scan);
      return scan;
    },
    get onWorker() {
      return worker !== undefined;
    },
    close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      logger.debug({ files: answered }, 'transaction logs checked on a worker thread');
      // (what it may still report while it ends is of no use to anyone)
      w.removeAllListeners().on('error', () => {});
      void w.terminate().catch(() => {});
    },
  };
}

/** The worker, unref'd (started but idle), or undefined with a debug line if it cannot be started here. */
function spawn(file: URL, logger: Logger): Worker | undefined {
  const path = file.protocol === 'file:' ? fileURLToPath(file) : file.href;
  // run from source (a .ts file under a test runner) Node cannot load it: no worker to wait for
  if (!/\.[cm]?js$/.test(path) || !existsSync(path)) {
    logger.debug({ file: path }, 'no transaction log check worker file: checking the logs on this thread');
    return undefined;
  }
  try {
    // None of the process's flags: the worker needs none, and some stop it from starting
    // (`node --input-type=module -e ...` hands it --input-type, which a worker file rejects).
    const worker = new Worker(file, { execArgv: [] });
    worker.unref();
    logger.debug({ file: path }, 'checking the transaction logs on a worker thread');
    return worker;
  } catch (err) {
    logger.debug({ err, file: path }, 'cannot start the transaction log check worker: checking the logs on this thread');
    return undefined;
  }
}
