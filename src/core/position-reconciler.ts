// Keeps the hedge book honest against the broker's stock position reports without double
// counting. The book (broker baseline + own fills by execId) is what delta uses; a report is
// only compared with it. Executions and reports cross in both orders, so a disagreement is
// report lag until it outlives `settleMs` with no order in flight and no own fill in that
// time; then it is a change made outside gs (a manual trade): the report is adopted, or, with
// the "block" policy, held back as a hard block until the operator decides.
import type { HedgeBook } from "./hedge-book.ts";
import type { HardBlock } from "./hedger-inputs.ts";
import type { OrderTracker } from "./order-tracker.ts";

export class PositionReconciler {
  /** Last reported stock position, null before the first report. */
  reportedShares: number | null = null;
  /** Since when the last report has disagreed with the book (null: agrees, or no report). */
  mismatchSinceMs: number | null = null;
  /** Reports adopted as outside changes (settled); an operator's adoptReport is not one. */
  adoptedCount = 0;
  /** Policy "block": the settled outside change held back from the book (a hard block), null when none is. */
  heldBack: HardBlock | null = null;
  /** The reported and book shares heldBack describes. */
  private heldBackNumbers: readonly [number, number] = [0, 0];
  /** Corrections whose replaced execution the daemon is still looking up: their share change is not an outside one. */
  correctionsAwaited = 0;
  private reportedAvgCost = 0;
  private lastExecTsMs: number | null = null;

  constructor(
    private readonly settleMs: number,
    private readonly book: HedgeBook,
    private readonly orders: OrderTracker,
    private readonly outsideChange: "adopt" | "block",
  ) {}

  /** A broker report; the first one becomes the book's baseline. */
  onReport(shares: number, avgCost: number, nowMs: number): void {
    const first = this.reportedShares === null;
    this.reportedShares = shares;
    this.reportedAvgCost = avgCost;
    if (first) {
      this.book.setPosition(shares, avgCost);
      return;
    }
    if (shares === this.book.shares) this.agreed();
    else if (this.mismatchSinceMs === null) this.mismatchSinceMs = nowMs;
    else this.settle(nowMs);
  }

  /** An own execution reached the book: a report that ran ahead of it is explained now. */
  onExecutionApplied(tsEventMs: number): void {
    this.lastExecTsMs = tsEventMs;
    if (this.reportedShares === this.book.shares) this.agreed();
  }

  /**
   * Adopts the report once the disagreement outlived the settle time with nothing in flight.
   * Called on reports and on every evaluation (a broker may report a manual trade once and
   * then stay silent).
   */
  settle(nowMs: number): void {
    const since = this.mismatchSinceMs;
    const reported = this.reportedShares;
    if (since === null || reported === null || nowMs - since < this.settleMs) return;
    if (this.orders.liveCount !== 0 || this.orders.pendingShares !== 0 || this.correctionsAwaited !== 0) return;
    // Execution times are the broker's clock: one stamped "in the future" (skew, a replayed
    // clock) must not hold adoption off until that moment, so the distance counts both ways.
    if (this.lastExecTsMs !== null && Math.abs(nowMs - this.lastExecTsMs) < this.settleMs) return;
    if (this.outsideChange === "block") {
      this.holdBack(reported);
      return;
    }
    this.book.setPosition(reported, this.reportedAvgCost);
    this.adoptedCount++;
    this.mismatchSinceMs = null;
  }

  /** The operator accepts the last report as the book's position now; false before any report. */
  adoptReport(): boolean {
    if (this.reportedShares === null) return false;
    this.book.setPosition(this.reportedShares, this.reportedAvgCost);
    this.agreed();
    return true;
  }

  private agreed(): void {
    this.mismatchSinceMs = null;
    this.heldBack = null;
  }

  /** A new block only when the numbers changed: settle runs on every evaluation while it stands. */
  private holdBack(reported: number): void {
    const book = this.book.shares;
    if (this.heldBack !== null && this.heldBackNumbers[0] === reported && this.heldBackNumbers[1] === book) return;
    this.heldBackNumbers = [reported, book];
    this.heldBack = {
      code: "reconcile_mismatch",
      message:
        `broker reports ${reported} hedge shares, the book ${book}: a change made outside gs, held back (strategy.outside_stock_change = "block"); ` +
        "put the account back, or take the broker's position as the hedge with gs ctl accept-position --confirm",
    };
  }
}
