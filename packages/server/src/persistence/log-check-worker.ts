import { parentPort } from 'node:worker_threads';
import { scanLogFile } from './log-format.js';
import type { LogCheckAnswer, LogCheckRequest } from './log-check-protocol.js';

/**
 * The worker thread of log-checker.ts: the first pass over a transaction log (header, every
 * record's checksum, torn tail or corruption) for each path it is sent, one at a time in the
 * order asked (one disk, and the restore on the other thread reads the snapshot meanwhile).
 */
const port = parentPort;
if (port) {
  let queue = Promise.resolve();
  port.on('message', (request: LogCheckRequest) => {
    queue = queue.then(async () => {
      let answer: LogCheckAnswer;
      try {
        answer = { id: request.id, scan: await scanLogFile(request.path) };
      } catch (err) {
        // (an Error's own fields, such as an fs error's code, do not survive postMessage: sent one by one)
        const e: NodeJS.ErrnoException = err instanceof Error ? err : new Error(String(err));
        answer = { id: request.id, error: { name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path } };
      }
      port.postMessage(answer);
    });
  });
}
