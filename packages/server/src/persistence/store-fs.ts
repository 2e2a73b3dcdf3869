import { constants, write } from 'node:fs';
import { open, statfs, unlink } from 'node:fs/promises';

/** The few file operations the store makes: node:fs/promises, or a fault-injecting stand-in in tests. */
export interface StoreFile {
  /**
   * Writes are durable when they return (the file was opened with O_DSYNC): a write then costs
   * one trip through the thread pool instead of two (write, then fdatasync), which is most of a
   * commit's latency when the event loop is busy. datasync() is still valid, and cheap.
   */
  readonly dsync: boolean;
  /** At `position`, or at the file's current offset without one. */
  writev(buffers: Buffer[], position?: number): Promise<{ bytesWritten: number }>;
  write(buffer: Buffer, position?: number): Promise<{ bytesWritten: number }>;
  /** Cuts or extends (with a hole: no blocks are allocated) the file to `length` bytes. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface StoreFs {
  /**
   * `log`: create if missing, keep what is there, write at positions; `w`: create or truncate
   * (snapshots). `dsync` asks for writes that are durable on return; the file's `dsync` says
   * whether the platform gave it.
   */
  open(path: string, flags: 'log' | 'w', options?: { dsync?: boolean }): Promise<StoreFile>;
  unlink(path: string): Promise<void>;
  /** Bytes free to an unprivileged writer on the filesystem holding `dir` (Infinity if unknown). */
  freeBytes(dir: string): Promise<number>;
}

/** O_DSYNC where the platform has it (Linux, macOS); elsewhere writes are followed by datasync(). */
const O_DSYNC: number | undefined = (constants as { O_DSYNC?: number }).O_DSYNC;

export const nodeStoreFs: StoreFs = {
  open: async (path, flags, options) => {
    const dsyncFlag = options?.dsync === true ? (O_DSYNC ?? 0) : 0;
    const base = flags === 'log' ? 0 : constants.O_TRUNC;
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | base | dsyncFlag, 0o666);
    const dsync = dsyncFlag !== 0;
    // write() goes through fs.write's callback on the raw fd: FileHandle.write makes a
    // promise-based request with a stats array and a result object for every call, ~2 KB of
    // heap per commit (issue #12: young-generation pauses land in the p99 of a 1×1 load).
    // The FileHandle does not see those writes, so close() waits for the one in flight.
    let writing: Promise<unknown> | undefined;
    return {
      dsync,
      write: (buffer, position) => {
        const done = new Promise<{ bytesWritten: number }>((resolve, reject) =>
          write(fh.fd, buffer, 0, buffer.length, position ?? null, (err, bytesWritten) => (err ? reject(err) : resolve({ bytesWritten }))),
        );
        writing = done;
        return done;
      },
      writev: (buffers, position) => fh.writev(buffers, position),
      datasync: () => fh.datasync(),
      truncate: (length) => fh.truncate(length),
      stat: () => fh.stat(),
      close: () => {
        const close = () => fh.close();
        return writing ? writing.then(close, close) : close();
      },
    };
  },
  unlink: (path) => unlink(path),
  freeBytes: async (dir) => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  },
};

/**
 * Writes every byte of `buffers` (at `position` and on, if given): writev and write may write
 * fewer bytes than asked without an error (a filling disk, a signal), so loop on what is left. A
 * call that writes nothing is an error: the caller must not take the data as written.
 */
export async function writeFully(file: StoreFile, buffers: Buffer[], position?: number): Promise<void> {
  // one buffer, the usual case (a commit calls this each time), makes no arrays of parts
  let parts = buffers.length === 1 ? buffers : buffers.filter((b) => b.length > 0);
  let at = position;
  while (parts.length > 0 && parts[0].length > 0) {
    const { bytesWritten } = parts.length === 1 ? await file.write(parts[0], at) : await file.writev(parts, at);
    if (!(bytesWritten > 0)) throw Object.assign(new Error('write made no progress (0 bytes written)'), { code: 'EIO' });
    if (at !== undefined) at += bytesWritten;
    let skip = bytesWritten;
    let i = 0;
    while (i < parts.length && skip >= parts[i].length) skip -= parts[i++].length;
    if (i === parts.length) return;
    // (a copy before changing it: parts may still be the caller's array)
    parts = parts.slice(i);
    if (skip > 0) parts[0] = parts[0].subarray(skip);
  }
}
