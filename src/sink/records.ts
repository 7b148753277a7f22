// Rows that cross the Sink port. All timestamps are UTC epoch milliseconds.
// Quantities are whole shares/contracts; money is USD. Where a row is a core value plus
// bookkeeping, it extends core's type instead of mirroring it.
import type { OhlcvBar } from "../core/bar.ts";
import type { DaemonLifecycleState } from "../core/daemon-fsm.ts";
import type { HedgerDailyState } from "../core/daily-state.ts";
import type { LegSnapshot } from "../core/hedger-snapshot.ts";

/** The daemon's life-cycle state, as core's transition table names it. */
export type DaemonState = DaemonLifecycleState;

export interface BlockReason {
  /** Stable machine code, e.g. `circuit_breaker`, `stale_data`, `broker_not_connected`. */
  readonly code: string;
  readonly message: string;
}

/** One row of status_current (latest per daemon) and status_history (appended). */
export interface StatusRow {
  readonly daemonId: string;
  readonly tsMs: number;
  readonly state: DaemonState;
  /** Hedge execution state (idle, sending, working, ...). */
  readonly hedgeState: string;
  readonly symbol: string;
  readonly spot: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly portfolioDeltaShares: number | null;
  readonly optionDeltaShares: number | null;
  readonly hedgeShares: number;
  /** Signed shares of working (unfilled) hedge orders. */
  readonly pendingShares: number;
  readonly legsCount: number;
  readonly dailyHedgeCount: number;
  readonly dailyRealizedPnlUsd: number;
  readonly unrealizedPnlUsd: number | null;
  readonly dataAgeMs: number | null;
  readonly brokerConnected: boolean;
  readonly paused: boolean;
  readonly blockReasons: readonly BlockReason[];
  readonly configHash: string;
  readonly heartbeatIntervalS: number;
  /**
   * Everything else (legs with greeks, broker client id/server version, next retry,
   * realised vs implied vol, PnL split, pid, version...). Kept as JSON so history can
   * grow new fields without schema or writer changes.
   */
  readonly details: StatusDetails;
}

/**
 * One option leg as shown in status: core's leg snapshot (greeks per contract, sign not
 * applied). `outsideSelection` is optional because rows written before it existed lack it.
 */
export type StatusLeg = Omit<LegSnapshot, "outsideSelection"> & { readonly outsideSelection?: boolean };

/**
 * The known keys of StatusRow.details. Every key is optional so that old history rows
 * stay readable; readers must tolerate unknown extra keys (the schema grows here).
 */
export interface StatusDetails {
  readonly pid?: number;
  readonly version?: string;
  readonly brokerName?: "sim" | "ib";
  readonly brokerClientId?: number | null;
  readonly brokerServerVersion?: number | null;
  readonly nextRetryTsMs?: number | null;
  readonly marketDataKind?: "live" | "delayed" | "frozen" | null;
  /** True when a hard guard (circuit breaker, reconciliation mismatch) blocks trading: lamp red. */
  readonly hardBlock?: boolean;
  readonly legs?: readonly StatusLeg[];
  /** Portfolio gamma in shares per $1 move. */
  readonly gammaShares?: number | null;
  /** Portfolio theta, USD per calendar day. */
  readonly thetaUsdPerDay?: number | null;
  readonly vegaUsd?: number | null;
  /** Annualised realised vol of the underlying today, from the ticks seen. */
  readonly realizedVolToday?: number | null;
  /** Position-weighted implied vol of the legs. */
  readonly impliedVol?: number | null;
  /** sqrt(2*|theta|/gamma): the daily move that pays the day's theta. */
  readonly breakevenMoveUsd?: number | null;
  readonly breakevenMovePct?: number | null;
  /** Today's PnL split: hedge (scalping) PnL and option mark-to-market. */
  readonly scalpingPnlUsd?: number | null;
  readonly optionMtmPnlUsd?: number | null;
  /** Today's PnL as the circuit breaker judges it (scalping + option MTM - commissions), today's commissions, and the breaker's loss limit (null: none). */
  readonly dailyPnlUsd?: number | null;
  readonly dailyCommissionsUsd?: number | null;
  readonly dailyLossLimitUsd?: number | null;
  readonly dailyHedgeLimit?: number;
  /** Shares of the symbol held outside the strategy (strategy.external_shares): in the account, never hedged or traded. */
  readonly externalShares?: number;
  /** The daemon's sink: rows queued in memory, rows spooled while the database was down, failed batches. */
  readonly sinkQueueDepth?: number;
  readonly sinkSpooledRows?: number;
  readonly sinkFailedWrites?: number;
  /** Rows dropped because database and spool both failed (absent while none were), and the sink's last error then. */
  readonly sinkLostRows?: number;
  readonly sinkLastError?: string | null;
  readonly lastDecision?: { readonly type: string; readonly code: string | null; readonly tsMs: number } | null;
  readonly [extra: string]: unknown;
}

export type OperationType =
  | "hedge_intent"
  | "order_sent"
  | "order_ack"
  | "order_warning"
  | "partial_fill"
  | "fill"
  /** A broker's correction of a recorded fill: the corrected values; commission_usd is the difference it makes. */
  | "fill_correction"
  | "commission"
  | "reject"
  | "cancel_request"
  | "cancel"
  | "control"
  | "reconcile"
  | "state_change";

export interface OperationRow {
  /** Client-generated unique id (`<daemonId>:<startMs>:<seq>`): replays after an outage are idempotent. */
  readonly opId: string;
  readonly tsMs: number;
  readonly daemonId: string;
  readonly type: OperationType;
  readonly orderRef: string | null;
  readonly brokerOrderId: number | null;
  /** Unique across the table when set: the same execution is never recorded twice. */
  readonly execId: string | null;
  readonly side: "BUY" | "SELL" | null;
  readonly quantityShares: number | null;
  readonly price: number | null;
  readonly commissionUsd: number | null;
  readonly reason: string | null;
  readonly payload: Readonly<Record<string, unknown>> | null;
}

/** A stored operation, with the sink's sequence id (monotonic, used for cursors). */
export interface StoredOperation extends OperationRow {
  readonly id: number;
}

export type ControlCommand = "stop" | "pause" | "resume" | "flatten" | "retry_broker" | "accept_position";

export interface ControlRequest {
  /** Target daemon id. */
  readonly daemonId: string;
  readonly command: ControlCommand;
  readonly args: Readonly<Record<string, unknown>>;
  readonly issuedBy: string;
  readonly tsMs: number;
}

export interface ControlRow extends ControlRequest {
  readonly id: number;
  readonly consumedAtMs: number | null;
  readonly result: string | null;
}

/**
 * Per-day counters that must survive restarts (limits, cooldown, circuit breaker and today's
 * PnL marks): core's HedgerDailyState plus who wrote it and when. The marks are null on rows
 * written before they were stored (migration 004).
 */
export interface DailyState extends HedgerDailyState {
  readonly daemonId: string;
  readonly updatedAtMs: number;
}

export interface Bar extends OhlcvBar {
  readonly symbol: string;
  /** Bar size in seconds (60, 300, ...). */
  readonly barSeconds: number;
}

export interface BacktestRunRow {
  readonly runId: string;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly configHash: string;
  readonly dataFingerprint: string;
  readonly fromDay: string;
  readonly toDay: string;
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface TimeRange {
  readonly sinceMs?: number;
  readonly untilMs?: number;
}

export interface OperationQuery extends TimeRange {
  readonly daemonId?: string;
  readonly types?: readonly OperationType[];
  readonly orderRef?: string;
  /** Cursor: only rows with id < beforeId (newest-first pagination). */
  readonly beforeId?: number;
  /** Cursor: only rows with id > afterId, and then oldest first (forward pagination, as /events reads). */
  readonly afterId?: number;
  readonly limit: number;
}

export interface HistoryQuery extends TimeRange {
  readonly daemonId?: string;
  readonly limit: number;
}
