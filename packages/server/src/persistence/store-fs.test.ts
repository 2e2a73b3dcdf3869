import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeStoreFs, writeFully } from './store-fs.js';
import { tempDirs } from '../../test/temp-dirs.js';

const tempDir = tempDirs('zoo-store-fs-');

describe('nodeStoreFs', () => {
  it('writes whole buffers at the positions given, on a file opened with O_DSYNC', async () => {
    const path = join(await tempDir(), 'log');
    const file = await nodeStoreFs.open(path, 'log', { dsync: true });
    expect(file.dsync).toBe(true);
    await writeFully(file, [Buffer.from('hello')], 0);
    await writeFully(file, [Buffer.from(' world')], 5);
    await writeFully(file, [Buffer.from('W')], 6);
    await file.close();
    expect(await readFile(path, 'utf8')).toBe('hello World');
  });

  it('close() waits for a write still in flight (its writes bypass the FileHandle, which would not wait)', async () => {
    // a FIFO whose reader we hold: a write bigger than the pipe's buffer blocks until it is read
    const fifo = join(await tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const file = await nodeStoreFs.open(fifo, 'log');
    const events: string[] = [];
    const big = Buffer.alloc(1 << 20, 1);
    const written = file.write(big).then(({ bytesWritten }) => events.push(`wrote ${bytesWritten}`));
    const closed = file.close().then(() => events.push('closed'));
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([]);
    // drain the pipe: the write completes, and only then the file closes
    let read = 0;
    const chunk = Buffer.alloc(64 * 1024);
    while (read < big.length) {
      try {
        read += (await reader.read(chunk, 0, chunk.length, null)).bytesRead;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await Promise.all([written, closed]);
    await reader.close();
    expect(events).toEqual([`wrote ${big.length}`, 'closed']);
  });
});
