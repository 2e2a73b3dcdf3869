import { ZooError, ZooErrorCode } from '@zoo/core';

/**
 * A call given up on by the caller: its `signal` was aborted (code APIERROR) or its
 * `timeoutMs` passed (code OPERATIONTIMEOUT, retryable like the Java client's timeout). When
 * `sent` is true the request had reached the wire, so the server may still apply it; its late
 * reply is read and dropped.
 */
export class ZooAbortError extends ZooError {
  constructor(
    readonly timedOut: boolean,
    readonly sent: boolean,
    /** The signal's reason (or the TimeoutError), as `fetch` reports it. */
    readonly reason: unknown,
    message: string,
    options: { path?: string; op?: string },
  ) {
    super(timedOut ? ZooErrorCode.OPERATIONTIMEOUT : ZooErrorCode.APIERROR, message, { ...options, cause: reason });
  }
}

/** AbortSignal.timeout() and our own timer both say "timed out" with a TimeoutError. */
export function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name === 'TimeoutError';
}
