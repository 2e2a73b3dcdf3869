import { open, statfs, unlink } from 'node:fs/promises';

/** The few file operations the store makes: node:fs/promises, or a fault-injecting stand-in in tests. */
export interface StoreFile {
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
  write(buffer: Buffer): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface StoreFs {
  /** `a` (append, for logs) or `w` (create/truncate, for snapshots). */
  open(path: string, flags: 'a' | 'w'): Promise<StoreFile>;
  unlink(path: string): Promise<void>;
  /** Bytes free to an unprivileged writer on the filesystem holding `dir` (Infinity if unknown). */
  freeBytes(dir: string): Promise<number>;
}

export const nodeStoreFs: StoreFs = {
  open: (path, flags) => open(path, flags),
  unlink: (path) => unlink(path),
  freeBytes: async (dir) => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  },
};

/**
 * Writes every byte of `buffers`: writev and write may write fewer bytes than asked without an
 * error (a filling disk, a signal), so loop on what is left. A call that writes nothing is an
 * error: the caller must not take the data as written.
 */
export async function writeFully(file: StoreFile, buffers: Buffer[]): Promise<void> {
  let parts = buffers.filter((b) => b.length > 0);
  while (parts.length > 0) {
    const { bytesWritten } = parts.length === 1 ? await file.write(parts[0]) : await file.writev(parts);
    if (!(bytesWritten > 0)) throw Object.assign(new Error('write made no progress (0 bytes written)'), { code: 'EIO' });
    let skip = bytesWritten;
    let i = 0;
    while (i < parts.length && skip >= parts[i].length) skip -= parts[i++].length;
    parts = parts.slice(i);
    if (skip > 0) parts[0] = parts[0].subarray(skip);
  }
}
