// A flatten is a goal, not one order: close this strategy's hedge shares and check that they
// are closed. After each closing order is final (filled, partly filled then cancelled on
// timeout, rejected) the book is looked at again and the rest is sent, a bounded number of
// times; a flatten that cannot finish says so loudly (error log, a `reconcile` row
// `flatten_abandoned`, a red status reason) instead of leaving shares behind in silence.
import type { Broker } from "../broker/port.ts";
import type { HedgeDecision } from "../core/hedge-decision.ts";
import type { Hedger } from "../core/hedger.ts";
import type { BlockReason } from "../sink/records.ts";
import type { DaemonLog } from "./daemon-log.ts";
import type { OperationRecorder } from "./operation-recorder.ts";

/** How long a flatten waits for the executions of shares the broker already reported filled (market time). */
export const FLATTEN_EXECUTIONS_WAIT_MS = 120_000;
/** Closing orders one flatten sends at most: each partial fill, timeout or reject costs one. */
export const FLATTEN_MAX_ORDERS = 3;

export type FlattenCloseDecision = Extract<HedgeDecision, { type: "hedge" }>;

export interface FlattenGoalDeps {
  readonly hedger: Hedger;
  readonly broker: Pick<Broker, "isConnected">;
  readonly recorder: OperationRecorder;
  readonly log: DaemonLog;
  readonly marketNowMs: () => number;
  readonly stateName: () => string;
  /**
   * RUNNING or PAUSED: the book is reconciled with the broker. While reconciling it is the book
   * before the reconnect, and while stopping nothing may go out: the flatten waits.
   */
  readonly ordersAllowed: () => boolean;
  /** Own orders not yet final: the book is only sized once they are. */
  readonly ordersInFlight: () => number;
  /** Sends a closing order (purpose flatten). */
  readonly send: (decision: FlattenCloseDecision, nowMs: number) => void;
}

/** Why a flatten ended unfinished by the operator's or the daemon's hand. */
export type FlattenEndCause = "resumed" | "stopped";
type FlattenCause = "executions_missing" | "orders_exhausted" | "hard_block" | FlattenEndCause;

const END_REASONS: Readonly<Record<FlattenEndCause, string>> = {
  resumed: "resumed by the operator",
  stopped: "the daemon stopped",
};

export class FlattenGoal {
  private active = false;
  private ordersSent = 0;
  /** Since when (market time) the flatten has waited for executions of shares reported filled. */
  private executionsWaitSinceMs: number | null = null;
  /** Why the last flatten did not finish; shown in status until the next flatten or resume. */
  private failure: string | null = null;

  constructor(private readonly deps: FlattenGoalDeps) {}

  /**
   * Why a flatten must not start now, or null. Under a hard block (a reconciliation mismatch, a
   * stock change held back) the book's hedge shares are disputed: a closing order sized from
   * them could trade shares gs has no record of, or open a position on the other side.
   */
  refusal(): string | null {
    const block = this.deps.hedger.activeHardBlock;
    if (block === null) return null;
    return (
      `flatten refused while the hard block ${block.code} is active: gs's hedge shares are disputed, so a closing order could trade shares that are not this strategy's. ` +
      `Resolve the block first, then flatten. The block: ${block.message}`
    );
  }

  start(): void {
    this.active = true;
    this.ordersSent = 0;
    this.executionsWaitSinceMs = null;
    this.failure = null;
  }

  /**
   * Ends a flatten not finished. Resumed: the hedger takes over the position (and an earlier
   * failure is cleared). Stopped: the status keeps saying that the shares were not closed.
   */
  end(cause: FlattenEndCause): void {
    if (cause === "resumed") this.failure = null;
    if (!this.active) return;
    const { hedgeShares, pendingShares } = this.deps.hedger.snapshot(this.deps.marketNowMs());
    // The last closing order may have filled while the stop waited for its cancel: that is done, not abandoned.
    if (hedgeShares === 0 && pendingShares === 0) return this.finish();
    this.active = false;
    const message = `flatten ended before it finished (${END_REASONS[cause]}) with ${hedgeShares} hedge shares left`;
    if (cause === "stopped") this.failure = message;
    this.deps.log.log("warn", this.deps.stateName(), message);
    this.deps.recorder.record("reconcile", { reason: "flatten_abandoned", quantityShares: hedgeShares, payload: { cause, message, ordersSent: this.ordersSent } });
  }

  /** A flatten an earlier process did not finish: status says so until the next flatten or resume. */
  carryOver(failure: string): void {
    if (!this.active) this.failure = failure;
  }

  /**
   * Sends the next closing order once the daemon is RUNNING or PAUSED, nothing is in flight,
   * every fill is in the book (a broker may report an order final before its executions: core
   * then still counts them as pending), and the broker and a quote are there; finishes when the
   * hedge shares are zero. The daemon calls it again once a reconciliation is applied.
   */
  progress(): void {
    if (!this.active || !this.deps.ordersAllowed() || this.deps.ordersInFlight() > 0 || !this.deps.broker.isConnected()) return;
    const { hedger } = this.deps;
    const nowMs = this.deps.marketNowMs();
    const block = hedger.activeHardBlock;
    if (block !== null) {
      this.fail("hard_block", `flatten abandoned: the hard block ${block.code} became active, so the hedge shares are disputed; nothing more was sent. ${block.message}`, null);
      return;
    }
    const snapshot = hedger.snapshot(nowMs);
    if (snapshot.pendingShares !== 0) {
      this.executionsWaitSinceMs ??= nowMs;
      if (nowMs - this.executionsWaitSinceMs < FLATTEN_EXECUTIONS_WAIT_MS) return;
      const message =
        `flatten abandoned: the broker reported ${Math.abs(snapshot.pendingShares)} shares filled whose executions did not arrive within ${FLATTEN_EXECUTIONS_WAIT_MS / 1000} s, ` +
        `so the hedge book (${snapshot.hedgeShares} shares) cannot size the closing order; nothing was sent. Check the account in TWS, then flatten again`;
      this.fail("executions_missing", message, snapshot.pendingShares, { pendingShares: snapshot.pendingShares, hedgeShares: snapshot.hedgeShares });
      return;
    }
    this.executionsWaitSinceMs = null;
    if (snapshot.hedgeShares === 0) return this.finish();
    if (snapshot.spot === null) return;
    if (this.ordersSent >= FLATTEN_MAX_ORDERS) {
      const message =
        `flatten did not finish: ${this.ordersSent} closing orders went out (partly filled, cancelled on timeout or rejected) and ${snapshot.hedgeShares} hedge shares are left; ` +
        `nothing more is sent. Check the orders in TWS (market hours? a stale quote?), then flatten again or close the shares by hand`;
      this.fail("orders_exhausted", message, snapshot.hedgeShares, { hedgeShares: snapshot.hedgeShares });
      return;
    }
    this.ordersSent += 1;
    this.deps.send(
      {
        type: "hedge",
        side: snapshot.hedgeShares > 0 ? "SELL" : "BUY",
        quantityShares: Math.abs(snapshot.hedgeShares),
        forced: true,
        deltaShares: snapshot.portfolioDeltaShares ?? snapshot.hedgeShares,
        spot: snapshot.spot,
      },
      nowMs,
    );
  }

  private finish(): void {
    this.active = false;
    this.deps.log.log("info", this.deps.stateName(), "flatten: no hedge shares left", { closingOrders: this.ordersSent });
    this.deps.recorder.record("reconcile", { reason: "flatten_done", quantityShares: 0, payload: { ordersSent: this.ordersSent } });
  }

  /** What status shows: a flatten under way, or one that could not finish. */
  blockReasons(): BlockReason[] {
    if (this.failure !== null) return [{ code: "flatten_failed", message: this.failure }];
    if (this.active) return [{ code: "flatten_in_progress", message: `flatten under way (closing order ${this.ordersSent} of at most ${FLATTEN_MAX_ORDERS})` }];
    return [];
  }

  private fail(cause: FlattenCause, message: string, quantityShares: number | null, details: Readonly<Record<string, unknown>> = {}): void {
    this.active = false;
    this.executionsWaitSinceMs = null;
    this.failure = message;
    this.deps.log.log("error", this.deps.stateName(), message);
    this.deps.recorder.record("reconcile", { reason: "flatten_abandoned", quantityShares, payload: { cause, message, ordersSent: this.ordersSent, ...details } });
  }
}
