// Stock position changes made outside gs, as core settles them: each adoption (the book moved
// without an order of ours) and each change held back as a hard block (outside_stock_change =
// "block") leaves one `reconcile` row and a log line, however often the daemon looks.
import type { HardBlock } from "../core/hedger-inputs.ts";
import type { Hedger } from "../core/hedger.ts";
import type { DaemonLog } from "./daemon-log.ts";
import type { OperationRecorder } from "./operation-recorder.ts";

export interface OutsideChangeLogDeps {
  readonly hedger: Hedger;
  readonly recorder: OperationRecorder;
  readonly log: DaemonLog;
  readonly stateName: () => string;
}

export class OutsideChangeLog {
  /** Core's count of adopted changes already recorded. */
  private adoptionsRecorded = 0;
  /** The held-back block already recorded (core renews it when the numbers change). */
  private heldBackRecorded: HardBlock | null = null;

  constructor(private readonly deps: OutsideChangeLogDeps) {}

  /** After core had a chance to settle a disagreement (an evaluation or a tick). */
  update(nowMs: number): void {
    const { hedger, recorder, log, stateName } = this.deps;
    const symbol = hedger.params.strategy.symbol;
    if (hedger.positions.adoptedCount !== this.adoptionsRecorded) {
      this.adoptionsRecorded = hedger.positions.adoptedCount;
      const hedgeShares = hedger.book.shares;
      recorder.record("reconcile", {
        reason: "position_adopted",
        quantityShares: hedgeShares,
        payload: { brokerStockShares: hedgeShares, marketTsMs: nowMs, cause: "stock position changed outside gs (manual trade) and stayed changed past the settle time" },
      });
      log.log("warn", stateName(), `adopted a stock position changed outside gs: now ${hedgeShares} shares`, { symbol });
    }
    const heldBack = hedger.positions.heldBack;
    if (heldBack !== null && heldBack !== this.heldBackRecorded) {
      recorder.record("reconcile", {
        reason: "position_held_back",
        quantityShares: hedger.positions.reportedShares,
        payload: { brokerHedgeShares: hedger.positions.reportedShares, bookHedgeShares: hedger.book.shares, externalShares: hedger.params.externalShares, marketTsMs: nowMs, message: heldBack.message },
      });
      log.log("error", stateName(), `hard block: ${heldBack.message}`, { symbol });
    }
    this.heldBackRecorded = heldBack;
  }
}
