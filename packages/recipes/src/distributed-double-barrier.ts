import { randomUUID } from 'node:crypto';
import { CreateMode, validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type ZooSession } from '@zoo/client';
import { createParentContainers, guaranteedDelete } from '@zoo/lock';
import { wakeOn, type WaitOptions } from './distributed-barrier.js';
import { joinPath } from './paths.js';

const READY = 'ready';

/**
 * Curator's DistributedDoubleBarrier: `memberCount` participants enter together and leave
 * together.
 *
 *   <barrierPath>          PERSISTENT container parents, created on the first enter
 *   <barrierPath>/<uuid>   EPHEMERAL, one per participant, from enter() until leave()
 *   <barrierPath>/ready    PERSISTENT, created by the participant whose enter() sees
 *                          memberCount nodes; deleted by each leave() at its end
 *
 * enter(): look for `ready` (with a watch), create our node, and unless `ready` was already
 * there count the children: enough → create `ready`; else wait for `ready` to appear.
 * leave(): the ZooKeeper recipe: sorted member nodes (without `ready`); alone → delete ours,
 * done; lowest → watch the highest; else delete ours and watch the lowest; repeat until none
 * are left. Both resolve false on timeout (our node stays, as in Curator). A participant
 * whose session expires while waiting in enter() gets its node back on the new session; in
 * leave() it has nothing left to wait for and returns. Both ride out connection loss (they
 * look again after the reconnect).
 */
export class DistributedDoubleBarrier {
  private readonly ourName = randomUUID();

  constructor(
    private readonly session: ZooSession,
    readonly barrierPath: string,
    readonly memberCount: number,
  ) {
    validatePath(barrierPath);
    if (!Number.isInteger(memberCount) || memberCount <= 0) throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: memberCount must be a positive integer, got ${memberCount}`);
  }

  /** Our member node's path. */
  get ourPath(): string {
    return joinPath(this.barrierPath, this.ourName);
  }

  private get readyPath(): string {
    return joinPath(this.barrierPath, READY);
  }

  /** Resolves true once memberCount participants have entered, false after timeoutMs. */
  async enter(options: WaitOptions = {}): Promise<boolean> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const client = await this.client();
    let woken = wakeOn(this.session, options.signal);
    let ready;
    try {
      ready = await client.exists(this.readyPath, { watch: woken.wake });
      await this.createOurs();
    } catch (err) {
      woken.cancel();
      throw err;
    }
    if (ready) {
      woken.cancel();
      return true;
    }
    for (;;) {
      try {
        if (await this.lookOnce()) {
          woken.cancel();
          return true;
        }
      } catch (err) {
        // disconnected: wait for the reconnect or the next session, then look again
        if (!isDisconnection(err)) {
          woken.cancel();
          throw err;
        }
      }
      if (!(await woken.wait(deadline - Date.now()))) return false;
      woken = wakeOn(this.session, options.signal);
      try {
        // the watch is one-shot: set it again before looking
        await this.session.client.exists(this.readyPath, { watch: woken.wake });
      } catch (err) {
        if (!isDisconnection(err)) {
          woken.cancel();
          throw err;
        }
      }
    }
  }

  /** One look while entering: true once `ready` exists (creating it when we complete the count). */
  private async lookOnce(): Promise<boolean> {
    const client = this.session.client;
    // our node went with an expired session while we waited: we have not entered yet, so put it back
    if (!(await client.exists(this.ourPath))) await this.createOurs();
    if (await client.exists(this.readyPath)) return true;
    const { children } = await client.getChildren(this.barrierPath);
    if (children.length < this.memberCount) return false;
    await client.create(this.readyPath, null).catch((err) => {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
    });
    return true;
  }

  /** Resolves true once every participant has left, false after timeoutMs. */
  async leave(options: WaitOptions = {}): Promise<boolean> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const state = { ourNodeShouldExist: true };
    let result = true;
    for (;;) {
      options.signal?.throwIfAborted();
      let step: 'done' | 'again' | 'timeout';
      try {
        step = await this.leaveStep(state, deadline, options.signal);
      } catch (err) {
        if (!isDisconnection(err)) throw err;
        // disconnected: look again after the reconnect (or on the next session)
        if (this.session.client.state === 'connected') {
          await new Promise((r) => setTimeout(r, 100));
          step = 'again';
        } else step = (await wakeOn(this.session, options.signal).wait(deadline - Date.now())) ? 'again' : 'timeout';
      }
      if (step === 'again') continue;
      if (step === 'timeout') result = false;
      break;
    }
    try {
      await guaranteedDelete(this.session.client, this.readyPath);
    } catch (err) {
      // NOTEMPTY and the like: someone re-entered already
      if (!(err instanceof ZooError)) throw err;
    }
    return result;
  }

  /** One round of the leave protocol: done, look again, or out of time. */
  private async leaveStep(state: { ourNodeShouldExist: boolean }, deadline: number, signal?: AbortSignal): Promise<'done' | 'again' | 'timeout'> {
    const client = await this.client();
    let children: string[];
    try {
      children = (await client.getChildren(this.barrierPath)).children;
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      children = [];
    }
    const members = children.filter((c) => c !== READY).sort();
    if (members.length === 0) return 'done';
    const ours = members.indexOf(this.ourName);
    // our node went with an expired session: nothing of ours to wait for
    if (ours < 0 && state.ourNodeShouldExist) return 'done';
    if (members.length === 1) {
      if (state.ourNodeShouldExist) await this.deleteOurs();
      return 'done';
    }
    const woken = wakeOn(this.session, signal);
    try {
      let stat;
      if (ours === 0) {
        stat = await client.exists(joinPath(this.barrierPath, members[members.length - 1]), { watch: woken.wake });
      } else {
        stat = await client.exists(joinPath(this.barrierPath, members[0]), { watch: woken.wake });
        if (state.ourNodeShouldExist) await this.deleteOurs();
        state.ourNodeShouldExist = false;
      }
      if (!stat) {
        woken.cancel();
        return 'again';
      }
    } catch (err) {
      woken.cancel();
      throw err;
    }
    return (await woken.wait(deadline - Date.now())) ? 'again' : 'timeout';
  }

  private async createOurs(): Promise<void> {
    const client = this.session.client;
    try {
      await client.create(this.ourPath, null, { mode: CreateMode.EPHEMERAL });
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS) return;
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      await createParentContainers(client, this.barrierPath);
      await client.create(this.ourPath, null, { mode: CreateMode.EPHEMERAL });
    }
  }

  private async deleteOurs(): Promise<void> {
    try {
      await this.session.client.delete(this.ourPath);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
    }
  }

  private async client() {
    return this.session.started ? this.session.client : this.session.start();
  }
}
