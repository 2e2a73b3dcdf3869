/** The limits behind admission control, all in ZooServerOptions (and zoo.cfg). */
export interface AdmissionLimits {
  /** Requests read but not yet answered, over all connections (ZooKeeper's globalOutstandingLimit). */
  globalOutstandingLimit: number;
  /** Bytes of replies and notifications held for one client above which its requests are no longer read. */
  clientOutputSoftLimit: number;
  /** Bytes held for all clients above which no client holding output is read. */
  globalOutputLimit: number;
  /** Bytes held for one client that, if still exceeded after `clientOutputTimeoutMs`, close its connection. */
  clientOutputHardLimit: number;
  clientOutputTimeoutMs: number;
}

export const DEFAULT_ADMISSION_LIMITS: Readonly<AdmissionLimits> = {
  globalOutstandingLimit: 1000,
  clientOutputSoftLimit: 1024 * 1024,
  globalOutputLimit: 64 * 1024 * 1024,
  clientOutputHardLimit: 16 * 1024 * 1024,
  clientOutputTimeoutMs: 10_000,
};

/** What admission control is doing now, for observers (a snapshot). */
export interface AdmissionStats {
  readonly limits: Readonly<AdmissionLimits>;
  /** Requests read whose replies have not been handed to their socket. */
  readonly outstanding: number;
  /** Output held for clients, bytes. */
  readonly outputBytes: number;
  /** Connections waiting for a server-wide limit to clear. */
  readonly waiting: number;
  /** Times a connection stopped reading with requests left to run. */
  readonly throttled: number;
  /** Connections closed for holding output over the hard limit too long. */
  readonly slowClientsClosed: number;
}

/** A connection that stopped reading for admission and wants to hear when to try again. */
export interface AdmissionWaiter {
  resumeReading(): void;
}

/**
 * The server-wide half of admission control: how many requests are read but not answered and
 * how many output bytes are held for clients, and who waits for either to fall. Each connection
 * keeps its own counts and reports changes here (plain counters: this is on every request's path).
 */
export class Admission {
  readonly limits: Readonly<AdmissionLimits>;
  /** Requests read whose replies have not been handed to their socket. */
  outstanding = 0;
  /** Output held for clients (queued frames and socket buffers), as last reported. */
  outputBytes = 0;
  /** Times a connection stopped reading for admission (mntr/metrics). */
  throttled = 0;
  /** Connections closed for holding output over the hard limit too long. */
  slowClientsClosed = 0;
  private readonly waitingOutstanding = new Set<AdmissionWaiter>();
  private readonly waitingOutput = new Set<AdmissionWaiter>();
  private wakeScheduled = false;

  constructor(limits: Partial<AdmissionLimits> = {}) {
    const merged = { ...DEFAULT_ADMISSION_LIMITS };
    for (const key of Object.keys(merged) as Array<keyof AdmissionLimits>) {
      const value = limits[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${value}`);
      merged[key] = value;
    }
    if (merged.clientOutputHardLimit < merged.clientOutputSoftLimit)
      throw new RangeError(`clientOutputHardLimit (${merged.clientOutputHardLimit}) must not be below clientOutputSoftLimit (${merged.clientOutputSoftLimit})`);
    this.limits = merged;
  }

  /** The limits as ZooServerOptions spells them (undefined = default). */
  static fromOptions(options: Partial<AdmissionLimits>): Admission {
    const { globalOutstandingLimit, clientOutputSoftLimit, globalOutputLimit, clientOutputHardLimit, clientOutputTimeoutMs } = options;
    return new Admission({ globalOutstandingLimit, clientOutputSoftLimit, globalOutputLimit, clientOutputHardLimit, clientOutputTimeoutMs });
  }

  /** May a connection holding `held` output bytes read one more request? */
  admits(held: number): boolean {
    const l = this.limits;
    if (this.outstanding >= l.globalOutstandingLimit) return false;
    if (held >= l.clientOutputSoftLimit) return false;
    // over the global budget, only clients that hold nothing (they read what they get) go on
    return held === 0 || this.outputBytes < l.globalOutputLimit;
  }

  /** `waiter` stopped reading until the server-wide counts fall below their limits. */
  wait(waiter: AdmissionWaiter): void {
    if (this.outstanding >= this.limits.globalOutstandingLimit) this.waitingOutstanding.add(waiter);
    else this.waitingOutput.add(waiter);
  }

  forget(waiter: AdmissionWaiter): void {
    this.waitingOutstanding.delete(waiter);
    this.waitingOutput.delete(waiter);
  }

  /**
   * Replies left or output drained: once a limit is no longer reached, its waiters try again
   * (in the next turn, after the I/O that freed it). Waiters are woken only when their limit
   * has cleared, so slow readers parked on a full output budget are not polled.
   */
  released(): void {
    if (this.wakeScheduled || this.outstanding >= this.limits.globalOutstandingLimit) return;
    if (this.waitingOutstanding.size === 0 && (this.waitingOutput.size === 0 || this.outputBytes >= this.limits.globalOutputLimit)) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const waiters = [...this.waitingOutstanding];
      this.waitingOutstanding.clear();
      if (this.outputBytes < this.limits.globalOutputLimit) {
        waiters.push(...this.waitingOutput);
        this.waitingOutput.clear();
      }
      for (const w of waiters) w.resumeReading();
    });
  }

  stats(): AdmissionStats {
    return { limits: this.limits, outstanding: this.outstanding, outputBytes: this.outputBytes, waiting: this.waitingCount, throttled: this.throttled, slowClientsClosed: this.slowClientsClosed };
  }

  get waitingCount(): number {
    return this.waitingOutstanding.size + this.waitingOutput.size;
  }
}
