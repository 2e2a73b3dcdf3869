/** One step that takes back part of a live txn: a function, or an object that knows how (see undo-steps.ts). */
export type UndoStep = (() => void) | { undo(): void };

/**
 * The undo steps of the live txns applied but not yet known durable, oldest first. Kept flat —
 * every step in one array, and per txn its zxid and where its steps start — in arrays that are
 * reused rather than made per txn: the journal sees every write, and an entry object and a
 * steps array per txn were garbage on each one.
 */
export class UndoJournal {
  private readonly zxids: bigint[] = [];
  private readonly starts: number[] = [];
  private readonly steps: Array<UndoStep | undefined> = [];
  /** Txns kept (entries of zxids and starts in use). */
  private txns = 0;
  /** Steps kept (entries of steps in use). */
  private stepCount = 0;

  /** Starts the entry of a txn: the steps pushed from now on belong to it. */
  begin(zxid: bigint): void {
    this.zxids[this.txns] = zxid;
    this.starts[this.txns] = this.stepCount;
    this.txns++;
  }

  /** Adds a step to the txn begun last. */
  push(step: UndoStep): void {
    this.steps[this.stepCount++] = step;
  }

  /** The log holds every txn up to `zxid`: drops their steps. */
  dropThrough(zxid: bigint): void {
    let n = 0;
    while (n < this.txns && this.zxids[n] <= zxid) n++;
    if (n === 0) return;
    const from = n === this.txns ? this.stepCount : this.starts[n];
    const left = this.stepCount - from;
    this.steps.copyWithin(0, from, this.stepCount);
    // (cleared, so the dropped steps and what they hold can be collected)
    this.steps.fill(undefined, left, this.stepCount);
    for (let i = n; i < this.txns; i++) {
      this.zxids[i - n] = this.zxids[i];
      this.starts[i - n] = this.starts[i] - from;
    }
    this.txns -= n;
    this.stepCount = left;
  }

  /** Takes back every txn after `zxid`, newest first (each one's steps in reverse); returns how many. */
  undoAfter(zxid: bigint): number {
    let undone = 0;
    while (this.txns > 0 && this.zxids[this.txns - 1] > zxid) {
      const start = this.starts[--this.txns];
      for (let i = this.stepCount - 1; i >= start; i--) {
        const step = this.steps[i]!;
        this.steps[i] = undefined;
        if (typeof step === 'function') step();
        else step.undo();
      }
      this.stepCount = start;
      undone++;
    }
    return undone;
  }
}
