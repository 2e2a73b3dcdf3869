import { systemClock, type Clock } from '@zoo/core';

/** After `errorThreshold` errors in a row an instance is skipped for `timeoutMs` (Curator's DownInstancePolicy). */
export class DownInstancePolicy {
  private readonly errors = new Map<string, number>();
  private readonly downUntil = new Map<string, number>();

  constructor(
    readonly errorThreshold = 2,
    readonly timeoutMs = 30_000,
    private readonly clock: Clock = systemClock,
  ) {}

  noteError(id: string): void {
    const n = (this.errors.get(id) ?? 0) + 1;
    this.errors.set(id, n);
    if (n >= this.errorThreshold) {
      this.downUntil.set(id, this.clock.now() + this.timeoutMs);
      this.errors.delete(id);
    }
  }

  noteSuccess(id: string): void {
    this.errors.delete(id);
    this.downUntil.delete(id);
  }

  isDown(id: string): boolean {
    const until = this.downUntil.get(id);
    if (until === undefined) return false;
    if (this.clock.now() >= until) {
      this.downUntil.delete(id);
      return false;
    }
    return true;
  }
}
