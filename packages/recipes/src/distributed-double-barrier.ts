import { randomUUID } from 'node:crypto';
import { CreateMode, validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type ZooSession } from '@zoo/client';
import { createParentContainers } from '@zoo/lock';
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
 * leave() it has nothing left to wait for and returns.
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
    let ourNodeShouldExist = true;
    let result = true;
    for (;;) {
      options.signal?.throwIfAborted();
      const client = await this.client();
      let children: string[];
      try {
        children = (await client.getChildren(this.barrierPath)).children;
      } catch (err) {
        if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
        children = [];
      }
      const members = children.filter((c) => c !== READY).sort();
      if (members.length === 0) break;
      const ours = members.indexOf(this.ourName);
      // our node went with an expired session: nothing of ours to wait for
      if (ours < 0 && ourNodeShouldExist) break;
      if (members.length === 1) {
        if (ourNodeShouldExist) await this.deleteOurs();
        break;
      }
      const woken = wakeOn(this.session, options.signal);
      let stat;
      if (ours === 0) {
        stat = await client.exists(joinPath(this.barrierPath, members[members.length - 1]), { watch: woken.wake });
      } else {
        stat = await client.exists(joinPath(this.barrierPath, members[0]), { watch: woken.wake });
        if (ourNodeShouldExist) await this.deleteOurs();
        ourNodeShouldExist = false;
      }
      if (!stat) {
        woken.cancel();
        continue;
      }
      if (!(await woken.wait(deadline - Date.now()))) {
        result = false;
        break;
      }
    }
    try {
      await this.session.client.delete(this.readyPath);
    } catch (err) {
      if (!(err instanceof ZooError && (err.code === ZooErrorCode.NONODE || err.code === ZooErrorCode.NOTEMPTY))) throw err;
    }
    return result;
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
