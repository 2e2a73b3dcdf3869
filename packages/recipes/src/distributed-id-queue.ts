import { ZooError, ZooErrorCode } from '@zoo/core';
import { DistributedQueue, type PutOptions } from './distributed-queue.js';

/**
 * Curator's DistributedIdQueue: a DistributedQueue whose items carry an id, so queued items
 * can be found and removed before they are consumed.
 *
 *   <queuePath>/queue-|<id>|<seq>   '/' and '|' in the id become '_'
 *
 * Consumption order is FIFO (the names compared with the id cut out); a requeued item keeps
 * its id. remove(id) takes every queued item with that id (through the lock path in
 * lock-safe mode, so an item being consumed is not removed under its consumer).
 */
export class DistributedIdQueue<T> extends DistributedQueue<T> {
  override async put(item: T, id?: string | PutOptions, options: PutOptions = {}): Promise<boolean> {
    return this.putNode(idName(id), [item], options);
  }

  override async putMulti(items: readonly T[], id?: string | PutOptions, options: PutOptions = {}): Promise<boolean> {
    return this.putNode(idName(id), items, options);
  }

  /** Removes the queued items with this id; resolves how many it removed. */
  async remove(id: string): Promise<number> {
    let count = 0;
    for (const name of await this.itemNames()) if (parseId(name).id === id && (await this.tryRemove(name))) count++;
    return count;
  }

  /** True while an item with this id is queued. */
  async isQueued(id: string): Promise<boolean> {
    return (await this.itemNames()).some((name) => parseId(name).id === id);
  }

  protected override sortItems(names: string[]): void {
    names.sort((a, b) => {
      const x = parseId(a).rest;
      const y = parseId(b).rest;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }

  protected override requeueSuffix(name: string): string {
    return `|${parseId(name).id}|`;
  }
}

function idName(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: an id queue item needs a non-empty id, got ${String(id)}`);
  return `|${id.replace(/[/|]/g, '_')}|`;
}

/** The id between the first two '|' and the name without it (Curator: the whole name if malformed). */
function parseId(name: string): { id: string; rest: string } {
  const first = name.indexOf('|');
  const second = first < 0 ? -1 : name.indexOf('|', first + 1);
  if (first < 0 || second < 0) return { id: name, rest: name };
  return { id: name.slice(first + 1, second), rest: name.slice(0, first) + name.slice(second + 1) };
}
