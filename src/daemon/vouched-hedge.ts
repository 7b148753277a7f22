// The hedge position gs vouches for when it reconciles with the broker, at start and on each
// reconnect. Only a clean reconciliation or the operator's accept-position moves it to the
// broker's number. While a mismatch blocks trading the book, and so every status row, holds
// the broker's shares: a restart that vouched for the last status row would clear the block
// by itself. So a start after a blocked reconciliation vouches for what that one expected,
// and a first start (nothing on record) vouches for no hedge shares at all.
import type { Hedger } from "../core/hedger.ts";
import type { Sink } from "../sink/port.ts";
import type { StatusRow } from "../sink/records.ts";
import type { OperationRecorder } from "./operation-recorder.ts";
import type { ReconcileResult } from "./reconcile.ts";

export interface VouchedPosition {
  readonly hedgeShares: number;
  /** False on a daemon's first start: gs has no record, and no shares of its own. */
  readonly onRecord: boolean;
  /** The SeenExecutions mark it holds for: executions this process saw before it are in `hedgeShares`. */
  readonly seenMark: number;
  /** Executions seen after the mark that the blocked reconciliation setting it counted in. */
  readonly countedExecIds: ReadonlySet<string>;
}

const NONE_COUNTED: ReadonlySet<string> = new Set();
/** Loaded at start: this process has seen no execution yet. */
const FIRST_START: VouchedPosition = { hedgeShares: 0, onRecord: false, seenMark: 0, countedExecIds: NONE_COUNTED };

export class VouchedHedge {
  /** Null once a reconciliation came out clean: the Hedger's book is then what gs vouches for. */
  private pinned: VouchedPosition | null = FIRST_START;

  /** From the sink at start: the last blocked reconciliation's expectation, else the last status row. */
  async load(sink: Sink, daemonId: string, last: StatusRow | null): Promise<void> {
    const [newest] = await sink.queryOperations({ daemonId, types: ["reconcile"], limit: 1 });
    const blocked = newest?.reason === "mismatch" ? expectedHedgeOf(newest.payload) : null;
    // A first start's block stays one (its message names the first start's ways out).
    if (blocked !== null) this.pinned = { ...FIRST_START, hedgeShares: blocked, onRecord: newest?.payload?.firstStart !== true };
    else this.pinned = last === null ? FIRST_START : { ...FIRST_START, hedgeShares: last.hedgeShares, onRecord: true };
  }

  /** What the broker's stock (less external shares) must show now; `seenMark` is now's mark (the book holds every execution seen). */
  now(bookShares: number, seenMark: number): VouchedPosition {
    return this.pinned ?? { hedgeShares: bookShares, onRecord: true, seenMark, countedExecIds: NONE_COUNTED };
  }

  /** After a reconciliation that expected these hedge shares (fills found at the broker or reported while it ran included). */
  reconciled(result: Pick<ReconcileResult, "expectedHedgeShares" | "hardBlock" | "seenMark" | "countedExecIds">): void {
    const { expectedHedgeShares, seenMark, countedExecIds } = result;
    this.pinned = result.hardBlock === null ? null : { hedgeShares: expectedHedgeShares, onRecord: this.pinned?.onRecord ?? true, seenMark, countedExecIds };
  }

  /**
   * accept-position: the broker's stock (less external shares) becomes the hedge and the
   * reconciliation block goes. Only a reconciliation block can be accepted; returns the
   * operator's result text.
   */
  accept(hedger: Hedger, recorder: OperationRecorder): string {
    if (hedger.activeHardBlock?.code !== "reconcile_mismatch") return "ignored: no reconciliation block to accept";
    const before = this.pinned?.hedgeShares ?? hedger.book.shares;
    const hedgeShares = hedger.adoptReportedPosition();
    if (hedgeShares === null) return "rejected: the broker has not reported the stock position yet";
    hedger.setHardBlock(null);
    this.pinned = null;
    const externalShares = hedger.params.externalShares;
    recorder.record("reconcile", {
      reason: "accepted",
      quantityShares: hedgeShares,
      payload: { acceptedHedgeShares: hedgeShares, previousExpectedHedgeShares: before, externalShares, brokerStockShares: hedgeShares + externalShares },
    });
    return `accepted the broker's position: ${hedgeShares} hedge shares of ${hedger.params.strategy.symbol}${externalShares === 0 ? "" : ` (plus ${externalShares} external)`}; block cleared${hedger.paused ? ", still paused" : ""}`;
  }
}

/** A reconcile row's expected hedge shares (rows from before external shares carry the stock only, which then was the hedge). */
function expectedHedgeOf(payload: Readonly<Record<string, unknown>> | null): number | null {
  const value = payload?.expectedHedgeShares ?? payload?.expectedStockShares;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
