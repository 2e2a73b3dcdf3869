import { ZooError, ZooErrorCode } from '@zoo/core';
import { DistributedQueue, type PutOptions } from './distributed-queue.js';

/**
 * Curator's DistributedDelayQueue: a DistributedQueue whose items are consumed no earlier
 * than a given time (ms since the epoch), earliest first.
 *
 *   <queuePath>/queue-|<epoch>|<seq>   <epoch> = the due time in upper-case hex, at least
 *                                      8 digits, between two '|'
 *
 * Consumers sort by due time (Curator's order; equal times in no promised order) and skip
 * items not yet due, sleeping until the first one is. Names without a readable due time are
 * due at once, as in Curator. Clocks of producers and consumers must agree.
 */
export class DistributedDelayQueue<T> extends DistributedQueue<T> {
  /** Queues `item` to be consumed at or after `dueAt` (ms since the epoch, or a Date). */
  override async put(item: T, dueAt?: number | Date | PutOptions, options: PutOptions = {}): Promise<boolean> {
    return this.putNode(delayName(dueAt), [item], options);
  }

  override async putMulti(items: readonly T[], dueAt?: number | Date | PutOptions, options: PutOptions = {}): Promise<boolean> {
    return this.putNode(delayName(dueAt), items, options);
  }

  protected override sortItems(names: string[]): void {
    const now = Date.now();
    names.sort((a, b) => Math.sign(dueTime(a, now) - dueTime(b, now)));
  }

  protected override delayOf(name: string): number {
    return dueTime(name, 0) - Date.now();
  }
}

function delayName(dueAt: unknown): string {
  const epoch = dueAt instanceof Date ? dueAt.getTime() : dueAt;
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch <= 0) {
    throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: a delay queue item needs a due time (ms since the epoch > 0), got ${String(dueAt)}`);
  }
  return `|${epoch.toString(16).toUpperCase().padStart(8, '0')}|`;
}

/** The due time in a name (between the last two '|'), or `fallback` when there is none. */
function dueTime(name: string, fallback: number): number {
  const end = name.lastIndexOf('|');
  const start = end > 0 ? name.lastIndexOf('|', end - 1) : -1;
  if (start > 0 && end > start + 1) {
    const hex = name.slice(start + 1, end);
    if (/^[0-9a-fA-F]+$/.test(hex)) return parseInt(hex, 16);
  }
  return fallback;
}
