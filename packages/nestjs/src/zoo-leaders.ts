import { Injectable, Logger } from '@nestjs/common';
import { LeaderLatch } from '@zoo/lock';
import { ZooConnection } from './zoo-connection.js';

/**
 * The elections this app joined for its @OnLeader methods. Each LeaderLatch runs again on the
 * new session after an expiry (leadership is lost meanwhile, as with Curator).
 */
@Injectable()
export class ZooLeaders {
  private readonly latches = new Map<string, LeaderLatch>();
  private readonly logger = new Logger('ZooModule');

  constructor(private readonly connection: ZooConnection) {}

  /** Joins the election at `path` once connected (resolves when joined). */
  async join(path: string): Promise<void> {
    if (this.latches.has(path)) return;
    const latch = new LeaderLatch(this.connection.session, path);
    latch.on('error', (err: Error) => this.logger.warn(`election at ${path}: ${err.message}`));
    this.latches.set(path, latch);
    await this.connection.whenConnected();
    if (this.latches.get(path) === latch) await latch.start();
  }

  isLeader(path: string): boolean {
    return this.latches.get(path)?.isLeader ?? false;
  }

  /** The latch of an election this app joined (for its events: `isLeader`, `notLeader`). */
  latch(path: string): LeaderLatch | undefined {
    return this.latches.get(path);
  }

  async close(): Promise<void> {
    const latches = [...this.latches.values()];
    this.latches.clear();
    await Promise.all(latches.map((l) => l.close()));
  }
}
