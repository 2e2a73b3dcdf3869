import { EventEmitter } from 'node:events';
import type { ZooClient } from '@zoo/client';
import type { AcquiredNode } from './lock-internals.js';
import { sequenceOf } from './sequence.js';

/**
 * Proof of holding a lock (or a semaphore lease). `fencingToken` (the node's czxid) grows with
 * every acquisition across the ensemble: pass it to downstream systems so they can refuse a
 * stale holder. If the session expires while held, `lost` is emitted and `signal` aborts.
 */
export class Lease extends EventEmitter implements AsyncDisposable {
  readonly path: string;
  readonly fencingToken: bigint;
  readonly sequence: number;
  private readonly controller = new AbortController();
  private released = false;
  private readonly onState: (state: string) => void;

  constructor(
    node: AcquiredNode,
    private readonly onRelease: (lease: Lease) => Promise<void>,
  ) {
    super();
    this.path = node.path;
    this.fencingToken = node.czxid;
    this.sequence = sequenceOf(node.name);
    this.onState = (state: string) => {
      if (state === 'expired' || state === 'closed') this.lose(new Error(`lock node ${this.path} is gone: session ${state}`));
    };
    node.client.on('state', this.onState);
    this.client = node.client;
  }

  private readonly client: ZooClient;

  /** Aborted when the lease is lost (session expired) or released. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isHeld(): boolean {
    return !this.released && !this.controller.signal.aborted;
  }

  private lose(reason: Error): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(reason);
    this.client.off('state', this.onState);
    if (!this.released) this.emit('lost', reason);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.client.off('state', this.onState);
    try {
      await this.onRelease(this);
    } finally {
      this.controller.abort(new Error('released'));
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
