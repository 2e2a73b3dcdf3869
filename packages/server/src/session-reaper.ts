/**
 * Expires sessions on the tick boundaries their deadlines are rounded to, as ZooKeeper's
 * SessionTrackerImpl sleeps until its ExpiryQueue's next expiration time: a session is closed
 * when its bucket comes due, not up to a polling period later.
 */
export class SessionReaper {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  /**
   * @param waitTime ms until the next boundary (the engine's msUntilSessionExpiry)
   * @param expire closes the sessions that are due
   */
  constructor(
    private readonly waitTime: () => number,
    private readonly expire: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    // a timer that fires a little early finds nothing due and comes back for the rest
    this.timer = setTimeout(() => {
      try {
        this.expire();
      } finally {
        this.schedule();
      }
    }, this.waitTime());
    this.timer.unref();
  }
}
