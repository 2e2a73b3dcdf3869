export { Mutex, withLock, type AcquireOptions } from './mutex.js';
export { Lease } from './lease.js';
export { ReadWriteLock } from './read-write-lock.js';
export { Semaphore } from './semaphore.js';
export { LeaderLatch } from './leader-latch.js';
export { LeaderSelector, runAsLeader } from './leader-selector.js';
export { runWithLock, runAsElected, type RunOptions } from './run-locked.js';
export { LockInternals, standardPredicate, type LockPredicate, type AcquiredNode } from './lock-internals.js';
export { sortBySequence, sequenceOf } from './sequence.js';
