import type { LogScan } from './log-format.js';

/** What log-checker.ts asks its worker: the first pass over the log at `path`. */
export interface LogCheckRequest {
  id: number;
  path: string;
}

/** The fields of an Error that scanLogFile can throw (an fs error's too), as they cross threads. */
export interface SentError {
  name: string;
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

/** The worker's answer to one request: the scan, or what it threw. */
export type LogCheckAnswer = { id: number; scan: LogScan } | { id: number; error: SentError };

/** The Error a SentError stands for, as the caller of scanLogFile would have got it on its own thread. */
export function receivedError(sent: SentError): Error {
  const err: NodeJS.ErrnoException = new Error(sent.message);
  if (sent.name !== 'Error') err.name = sent.name;
  if (sent.code !== undefined) err.code = sent.code;
  if (sent.errno !== undefined) err.errno = sent.errno;
  if (sent.syscall !== undefined) err.syscall = sent.syscall;
  if (sent.path !== undefined) err.path = sent.path;
  return err;
}
