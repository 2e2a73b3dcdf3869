import { ZooError, ZooErrorCode } from '@zoo/core';

/**
 * When to try again (Curator's RetryPolicy): given the attempt number (0 for the first
 * retry) and the time since the first try, the delay before the next try, or null to stop.
 */
export interface RetryPolicy {
  nextDelay(attempt: number, elapsedMs: number): number | null;
}

/** Exponential backoff with jitter: base × random(1..2^attempt), capped. */
export class ExponentialBackoffRetry implements RetryPolicy {
  constructor(
    readonly baseSleepMs = 100,
    readonly maxRetries = 10,
    readonly maxSleepMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {
    if (maxRetries < 0 || baseSleepMs < 0) throw new RangeError('ExponentialBackoffRetry: baseSleepMs and maxRetries must be >= 0');
  }

  nextDelay(attempt: number): number | null {
    if (attempt >= this.maxRetries) return null;
    const factor = 1 + Math.floor(this.random() * 2 ** Math.min(attempt + 1, 30));
    return Math.min(this.baseSleepMs * factor, this.maxSleepMs);
  }
}

export class RetryNTimes implements RetryPolicy {
  constructor(
    readonly n: number,
    readonly sleepMs: number,
  ) {}

  nextDelay(attempt: number): number | null {
    return attempt < this.n ? this.sleepMs : null;
  }
}

export class RetryUntilElapsed implements RetryPolicy {
  constructor(
    readonly maxElapsedMs: number,
    readonly sleepMs: number,
  ) {}

  nextDelay(_attempt: number, elapsedMs: number): number | null {
    return elapsedMs + this.sleepMs <= this.maxElapsedMs ? this.sleepMs : null;
  }
}

const RETRYABLE = new Set<number>([ZooErrorCode.CONNECTIONLOSS, ZooErrorCode.OPERATIONTIMEOUT, ZooErrorCode.SESSIONMOVED, ZooErrorCode.REQUESTTIMEOUT]);

/** Errors worth retrying: the request may not have reached the server, or its answer was lost. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ZooError && RETRYABLE.has(err.code);
}

/**
 * The connection or the session was lost: work a reconnect (or the next session) redoes, not
 * an error to report from background work such as watch-driven re-reads.
 */
export function isDisconnection(err: unknown): err is ZooError {
  return err instanceof ZooError && (err.code === ZooErrorCode.CONNECTIONLOSS || err.code === ZooErrorCode.SESSIONEXPIRED);
}

/**
 * Runs `fn` and retries it on connection loss and timeouts, by the policy. Only for
 * idempotent work: a create whose reply was lost may have happened.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy = new ExponentialBackoffRetry(), options: { signal?: AbortSignal } = {}): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const delay = policy.nextDelay(attempt, Date.now() - started);
      if (delay === null) throw err;
      await sleep(delay, options.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
