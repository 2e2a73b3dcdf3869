import { nodeStoreFs, type StoreFile, type StoreFs } from '../src/persistence/store-fs.js';

/** What the next matching call does instead of its normal work. */
export type Fault =
  /** write/writev: write only this many bytes (at most), with no error */
  | { kind: 'short'; bytes: number }
  /** write/writev: write this many bytes, then fail with ENOSPC (a disk filling mid-write) */
  | { kind: 'enospc'; after: number }
  /** any call: fail with EIO */
  | { kind: 'eio' }
  /** datasync (or the sync inside an O_DSYNC write): never complete */
  | { kind: 'hang' };

type Op = 'write' | 'datasync' | 'open' | 'truncate';

/**
 * A StoreFs over the real files whose calls fail on demand, for the store's unit tests and
 * the server's. `fail(op, fault, times)` arms the next `times` calls of that op (Infinity:
 * until cleared); `free` is what freeBytes reports.
 */
export class FaultyFs implements StoreFs {
  free = Number.POSITIVE_INFINITY;
  readonly calls: Record<Op, number> = { write: 0, datasync: 0, open: 0, truncate: 0 };
  private readonly armed = new Map<Op, { fault: Fault; left: number; match: string }>();
  private readonly hung: Array<() => void> = [];

  /** Arms the next `times` calls of `op` on files whose path contains `match`. */
  fail(op: Op, fault: Fault, times = 1, match = ''): void {
    this.armed.set(op, { fault, left: times, match });
  }

  clear(op?: Op): void {
    if (op) this.armed.delete(op);
    else this.armed.clear();
  }

  /** Lets every hung datasync complete. */
  releaseHung(): void {
    for (const resolve of this.hung.splice(0)) resolve();
  }

  private take(op: Op, path: string): Fault | undefined {
    this.calls[op]++;
    const a = this.armed.get(op);
    if (!a || !path.includes(a.match)) return undefined;
    if (--a.left <= 0) this.armed.delete(op);
    return a.fault;
  }

  async open(path: string, flags: 'log' | 'w', options?: { dsync?: boolean }): Promise<StoreFile> {
    if (this.take('open', path)?.kind === 'eio') throw errno('EIO', 'open', path);
    const file = await nodeStoreFs.open(path, flags, options);
    // The sync a datasync() makes, or the one an O_DSYNC write makes before it returns: a
    // 'datasync' fault hits it either way, so the same tests cover both kinds of file.
    const sync = async (): Promise<void> => {
      const fault = this.take('datasync', path);
      if (fault?.kind === 'eio') throw errno('EIO', 'fdatasync', path);
      if (fault?.kind === 'hang') return new Promise<void>((resolve) => this.hung.push(resolve));
    };
    const write = async (buffers: Buffer[], position?: number): Promise<{ bytesWritten: number }> => {
      const fault = this.take('write', path);
      const all = Buffer.concat(buffers);
      if (!fault) {
        const done = await file.write(all, position);
        if (file.dsync) await sync();
        return done;
      }
      if (fault.kind === 'eio') throw errno('EIO', 'write', path);
      const n = Math.min(all.length, fault.kind === 'short' ? fault.bytes : fault.kind === 'enospc' ? fault.after : all.length);
      if (n > 0) await file.write(all.subarray(0, n), position);
      if (fault.kind === 'enospc') throw errno('ENOSPC', 'write', path);
      if (file.dsync && n > 0) await sync();
      return { bytesWritten: n };
    };
    return {
      dsync: file.dsync,
      write: (buffer, position) => write([buffer], position),
      writev: (buffers, position) => write(buffers, position),
      datasync: async () => {
        await sync();
        return file.datasync();
      },
      truncate: async (length) => {
        if (this.take('truncate', path)?.kind === 'eio') throw errno('EIO', 'ftruncate', path);
        return file.truncate(length);
      },
      stat: () => file.stat(),
      close: () => file.close(),
    };
  }

  unlink(path: string): Promise<void> {
    return nodeStoreFs.unlink(path);
  }

  async freeBytes(): Promise<number> {
    return this.free;
  }
}

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = { EIO: 'i/o error', ENOSPC: 'no space left on device' };
  return Object.assign(new Error(`${code}: ${messages[code] ?? code}, ${syscall} '${path}'`), { code, syscall, path });
}
