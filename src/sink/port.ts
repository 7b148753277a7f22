// The one Sink interface. `sqlite/` and `postgres/` pass the same contract suite.
//
// Writes (write*) are fire-and-forget: they enqueue into a bounded in-process queue that
// is flushed in batches, so the trading path never awaits disk or network. If the database
// is unreachable, batches are spooled to a local append-only file and replayed in order
// when it is back (idempotent by opId / execId / primary keys): nothing lost, nothing twice.
// Reads and the control queue are awaited: they are never on the tick -> order path.
import type { DaemonIdClaim, DaemonIdClaimant } from "./daemon-claim.ts";
import type {
  BacktestRunRow,
  Bar,
  ControlRequest,
  ControlRow,
  DailyState,
  HistoryQuery,
  OperationQuery,
  OperationRow,
  StatusRow,
  StoredOperation,
} from "./records.ts";

export interface SinkHealth {
  readonly kind: "sqlite" | "postgres";
  /** Rows waiting in memory. */
  readonly queueDepth: number;
  /** Rows waiting in the spool file for the database to come back. */
  readonly spooledRows: number;
  /** Batches that failed to write (each then went to the spool). */
  readonly failedWrites: number;
  readonly writtenRows: number;
  /** Rows dropped because the database and the spool both failed and memory was at capacity. */
  readonly lostRows: number;
  readonly lastError: string | null;
  readonly reachable: boolean;
}

export interface Sink {
  readonly kind: "sqlite" | "postgres";

  /** Applies pending migrations from sql/<dialect>/ idempotently; returns the schema version. */
  migrate(): Promise<number>;

  // --- queued writes (never awaited on the trading path) -------------------------------
  /** Upserts status_current for row.daemonId; with `history` also appends to status_history. */
  writeStatus(row: StatusRow, options: { readonly history: boolean }): void;
  writeOperation(operation: OperationRow): void;
  writeDailyState(state: DailyState): void;
  /** Marks a control row consumed with its result. */
  completeControl(id: number, result: string, consumedAtMs: number): void;

  // --- awaited reads and control queue -----------------------------------------------
  loadDailyState(daemonId: string, tradingDay: string): Promise<DailyState | null>;
  readStatusCurrent(daemonId?: string): Promise<StatusRow[]>;
  queryOperations(query: OperationQuery): Promise<StoredOperation[]>;
  queryHistory(query: HistoryQuery): Promise<StatusRow[]>;
  issueControl(request: ControlRequest): Promise<number>;
  /** Unconsumed commands for this daemon, oldest first; each is returned to one claimant only. */
  claimControl(daemonId: string, claimedAtMs: number): Promise<ControlRow[]>;
  getControl(id: number): Promise<ControlRow | null>;
  saveBacktestRun(run: BacktestRunRow): Promise<void>;
  /** Newest first (started_at_ms). */
  listBacktestRuns(limit: number): Promise<BacktestRunRow[]>;
  getBacktestRun(runId: string): Promise<BacktestRunRow | null>;
  saveBars(bars: readonly Bar[]): Promise<void>;
  loadBars(symbol: string, barSeconds: number, sinceMs: number, untilMs: number): Promise<Bar[]>;

  // --- the daemon id's claim (awaited: at start-up and beside the heartbeat, never on the trading path)
  /** Takes or renews the claim in one atomic statement: of racing claimants exactly one wins. */
  claimDaemonId(claimant: DaemonIdClaimant): Promise<DaemonIdClaim>;
  /** Frees the claim if `token` still holds it (a clean stop): a waiting twin takes over at once. */
  releaseDaemonId(daemonId: string, token: string): Promise<void>;

  /** True when the database answers a trivial query now. */
  ping(): Promise<boolean>;
  health(): SinkHealth;
  /** Resolves when everything queued so far is in the database (or the spool, if it is down). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
