import type { Clock } from '../clock.js';
import { CONTAINER_OWNER } from '../tree/node-type.js';
import { sessionPassword } from './session-password.js';

export interface Session {
  readonly id: bigint;
  timeout: number;
  readonly passwd: Buffer;
  /** The tick bucket the session expires at, ms since epoch. */
  expiresAt: number;
  /** closeSession or expiry is under way: requests are refused. */
  closing: boolean;
}

/**
 * Session ids, timeouts and expiry (ZooKeeper's SessionTrackerImpl + ExpiryQueue). Deadlines
 * are rounded up to the next tick, so expiry is checked per bucket of sessions rather than
 * per session; at most maxSessionTimeout/tickTime buckets are ever live.
 */
export class SessionTracker {
  readonly sessions = new Map<bigint, Session>();
  private readonly buckets = new Map<number, Set<bigint>>();
  private nextId: bigint;
  /** The tick boundary the reaper looks at next (ExpiryQueue's nextExpirationTime). */
  private nextExpiration: number;

  constructor(
    private readonly clock: Clock,
    private readonly tickTime: number,
    private readonly serverId = 0,
  ) {
    this.nextId = SessionTracker.initialId(clock.now(), serverId);
    this.nextExpiration = this.roundToTick(clock.now());
  }

  /** `((now << 24) >>> 8) | (serverId << 56)`, as ZooKeeper seeds its ids. */
  static initialId(now: number, serverId: number): bigint {
    const shifted = BigInt.asUintN(64, BigInt(now) << 24n) >> 8n;
    return BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
  }

  /** Allocates the id of a new session (the session itself is added by its createSession txn). */
  allocateId(): bigint {
    let id = this.nextId++;
    if (id === CONTAINER_OWNER) id = this.nextId++;
    return id;
  }

  get(id: bigint): Session | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Adds (or re-adds, on replay) a session with a fresh deadline. */
  add(id: bigint, timeout: number): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = { id, timeout, passwd: sessionPassword(id), expiresAt: 0, closing: false };
      this.sessions.set(id, session);
    }
    session.timeout = timeout;
    // Keep allocations ahead of any id we learn from a snapshot or the log.
    if (id >= this.nextId && (id >> 56n) === BigInt(this.serverId)) this.nextId = id + 1n;
    this.touch(id, timeout);
    return session;
  }

  /** Pushes the session's deadline out to now + timeout (rounded up to the next tick). */
  touch(id: bigint, timeout?: number): boolean {
    const session = this.sessions.get(id);
    if (!session || session.closing) return false;
    if (timeout !== undefined) session.timeout = timeout;
    const deadline = this.roundToTick(this.clock.now() + session.timeout);
    if (deadline === session.expiresAt) return true;
    this.unbucket(session);
    session.expiresAt = deadline;
    let bucket = this.buckets.get(deadline);
    if (!bucket) this.buckets.set(deadline, (bucket = new Set()));
    bucket.add(id);
    return true;
  }

  /** Marks the session as closing: no more requests, no more touches. */
  setClosing(id: bigint): void {
    const session = this.sessions.get(id);
    if (session) session.closing = true;
  }

  remove(id: bigint): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.unbucket(session);
    this.sessions.delete(id);
  }

  /**
   * Ms until the reaper should call `expired()` again: the next tick boundary after its last
   * look. Deadlines are tick boundaries, so looking exactly then expires each session on its
   * deadline (ZooKeeper's ExpiryQueue.getWaitTime), not up to a polling period late.
   */
  waitTime(): number {
    return Math.max(0, this.nextExpiration - this.clock.now());
  }

  /** Sessions whose deadline has passed (not yet closing). */
  expired(): Session[] {
    const now = this.clock.now();
    if (now >= this.nextExpiration) this.nextExpiration = this.roundToTick(now);
    const out: Session[] = [];
    for (const [deadline, ids] of this.buckets) {
      if (deadline > now) continue;
      for (const id of ids) {
        const session = this.sessions.get(id);
        if (session && !session.closing) out.push(session);
      }
    }
    return out;
  }

  private unbucket(session: Session): void {
    const bucket = this.buckets.get(session.expiresAt);
    if (!bucket) return;
    bucket.delete(session.id);
    if (bucket.size === 0) this.buckets.delete(session.expiresAt);
  }

  private roundToTick(time: number): number {
    return (Math.floor(time / this.tickTime) + 1) * this.tickTime;
  }
}
