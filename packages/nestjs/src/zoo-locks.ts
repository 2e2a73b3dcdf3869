import { Injectable } from '@nestjs/common';
import { ZooSession } from '@zoo/client';
import { LeaderLatch, Mutex, ReadWriteLock, Semaphore } from '@zoo/lock';

/** The lock factory the module injects. */
@Injectable()
export class ZooLocks {
  constructor(private readonly session: ZooSession) {}

  mutex(path: string): Mutex {
    return new Mutex(this.session, path);
  }

  readWriteLock(path: string): ReadWriteLock {
    return new ReadWriteLock(this.session, path);
  }

  semaphore(path: string, maxLeases: number): Semaphore {
    return new Semaphore(this.session, path, maxLeases);
  }

  leaderLatch(path: string, id?: string): LeaderLatch {
    return new LeaderLatch(this.session, path, id);
  }
}
