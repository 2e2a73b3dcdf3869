import { Injectable } from '@nestjs/common';
import { ZooSession } from '@zoo/client';
import { LeaderLatch } from '@zoo/lock';

/** The elections this app joined for its @OnLeader methods. */
@Injectable()
export class ZooLeaders {
  private readonly latches = new Map<string, LeaderLatch>();

  constructor(private readonly session: ZooSession) {}

  async join(path: string): Promise<void> {
    if (this.latches.has(path)) return;
    const latch = new LeaderLatch(this.session, path);
    this.latches.set(path, latch);
    await latch.start();
  }

  isLeader(path: string): boolean {
    return this.latches.get(path)?.isLeader ?? false;
  }

  async close(): Promise<void> {
    await Promise.all([...this.latches.values()].map((l) => l.close()));
    this.latches.clear();
  }
}
