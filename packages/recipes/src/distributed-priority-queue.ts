import type { ZooSession } from '@zoo/client';
import { ZooError, ZooErrorCode } from '@zoo/core';
import { DistributedQueue, type PutOptions, type QueueOptions } from './distributed-queue.js';

/**
 * Curator's DistributedPriorityQueue: a DistributedQueue whose item names carry a priority,
 * lower first, FIFO within a priority.
 *
 *   <queuePath>/queue-<p><seq>   <p> = "1" + 8 upper-case hex digits for priority >= 0,
 *                                "0" + the 32-bit two's complement in hex for priority < 0
 *                                (so names sort by priority), then the 10-digit sequence
 *
 * The consumer re-reads the children after each item, so an urgent item put while a batch is
 * being consumed goes next (Curator's refreshOnWatch). A requeued item comes back as a plain
 * `queue-<seq>` node, as in Curator.
 */
export class DistributedPriorityQueue<T> extends DistributedQueue<T> {
  constructor(session: ZooSession, queuePath: string, options: QueueOptions<T>) {
    super(session, queuePath, options);
    this.refreshAfterEachItem = true;
  }

  override async put(item: T, priorityOrOptions?: number | PutOptions, options: PutOptions = {}): Promise<boolean> {
    return typeof priorityOrOptions === 'number' ? this.putNode(priorityName(priorityOrOptions), [item], options) : this.putNode(priorityName(0), [item], priorityOrOptions ?? {});
  }

  override async putMulti(items: readonly T[], priorityOrOptions?: number | PutOptions, options: PutOptions = {}): Promise<boolean> {
    return typeof priorityOrOptions === 'number' ? this.putNode(priorityName(priorityOrOptions), items, options) : this.putNode(priorityName(0), items, priorityOrOptions ?? {});
  }
}

/** Curator's priority part of the name. */
export function priorityName(priority: number): string {
  if (!Number.isInteger(priority) || priority < -(2 ** 31) || priority >= 2 ** 31) {
    throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: priority must be a 32-bit integer, got ${priority}`);
  }
  return (priority >= 0 ? '1' : '0') + (priority >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
