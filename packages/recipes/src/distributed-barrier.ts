import { validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type ZooSession } from '@zoo/client';
import { createParentContainers } from '@zoo/lock';
import { parentOf } from './paths.js';

export interface WaitOptions {
  /** Give up after this long (resolves false). Default: wait forever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Curator's DistributedBarrier: waiters block while the barrier node exists.
 *
 *   <barrierPath>   PERSISTENT (parents as containers) while the barrier is set
 *
 * setBarrier() creates it (already set is fine), removeBarrier() deletes it (already gone is
 * fine), waitOnBarrier() resolves true once it does not exist (an exists watch; a reconnect or
 * a new session looks again, also when the look itself hit a disconnection), or false on
 * timeout.
 */
export class DistributedBarrier {
  constructor(
    private readonly session: ZooSession,
    readonly barrierPath: string,
  ) {
    validatePath(barrierPath);
  }

  async setBarrier(): Promise<void> {
    const client = await this.client();
    try {
      await client.create(this.barrierPath, null);
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS) return;
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      await createParentContainers(client, parentOf(this.barrierPath));
      await this.setBarrier();
    }
  }

  async removeBarrier(): Promise<void> {
    try {
      await (await this.client()).delete(this.barrierPath);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
    }
  }

  /** Resolves true when the barrier is (or becomes) removed, false after timeoutMs. */
  async waitOnBarrier(options: WaitOptions = {}): Promise<boolean> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const client = await this.client();
      const woken = wakeOn(this.session, options.signal);
      let stat;
      try {
        stat = await client.exists(this.barrierPath, { watch: woken.wake });
      } catch (err) {
        // disconnected: look again after the reconnect (or on the new session), as Curator's retry loop would
        if (!isDisconnection(err)) {
          woken.cancel();
          throw err;
        }
        if (!(await woken.wait(deadline - Date.now()))) return false;
        continue;
      }
      if (!stat) {
        woken.cancel();
        return true;
      }
      if (!(await woken.wait(deadline - Date.now()))) return false;
    }
  }

  private async client() {
    return this.session.started ? this.session.client : this.session.start();
  }
}

/**
 * A one-shot wake-up for the barrier recipes: fired by a watch, a reconnect, a new session or
 * the abort signal; wait(ms) resolves false if nothing came in time (and rejects on abort).
 */
export function wakeOn(session: ZooSession, signal?: AbortSignal): { wake: () => void; cancel: () => void; wait(ms: number): Promise<boolean> } {
  let fire!: (woken: boolean) => void;
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<boolean>((r) => (fire = r));
  const wake = () => fire(true);
  const onAbort = () => fire(true);
  const cancel = () => {
    clearTimeout(timer);
    session.off('reconnected', wake);
    session.off('session', wake);
    signal?.removeEventListener('abort', onAbort);
  };
  session.on('reconnected', wake);
  session.on('session', wake);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    wake,
    cancel,
    async wait(ms: number) {
      if (ms <= 0) {
        cancel();
        return false;
      }
      if (Number.isFinite(ms)) timer = setTimeout(() => fire(false), Math.min(ms, 2 ** 31 - 1));
      const woken = await fired;
      cancel();
      signal?.throwIfAborted();
      return woken;
    },
  };
}
