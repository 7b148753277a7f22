// The half of a Sink both dialects share: queued writes, health, flush and close.
// Dialects add migrations, reads and the control queue.
import type { DaemonIdClaim, DaemonIdClaimant } from "./daemon-claim.ts";
import type { Sink, SinkHealth } from "./port.ts";
import type { BatchWriter } from "./queued-write.ts";
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
import { Spool } from "./spool.ts";
import { WriteQueue } from "./write-queue.ts";

export interface WritePathOptions {
  /** Append-only JSONL file for batches the database could not take. */
  readonly spoolPath: string;
  readonly capacityRows?: number;
  readonly batchRows?: number;
  readonly flushIntervalMs?: number;
  readonly retryIntervalMs?: number;
  readonly batchTimeoutMs?: number;
}

export const WRITE_PATH_DEFAULTS = {
  capacityRows: 100_000,
  batchRows: 1_000,
  flushIntervalMs: 20,
  retryIntervalMs: 2_000,
  /** Far above a healthy batch (milliseconds); a stop's flush waits one, inside the daemon's bounded stop (docs/SINKS.md). */
  batchTimeoutMs: 5_000,
} as const;

export abstract class QueuedSink implements Sink {
  abstract readonly kind: "sqlite" | "postgres";
  private readonly queue: WriteQueue;
  private closing: Promise<void> | null = null;

  protected constructor(writer: BatchWriter, options: WritePathOptions) {
    this.queue = new WriteQueue({
      writer,
      spool: new Spool(options.spoolPath),
      capacityRows: options.capacityRows ?? WRITE_PATH_DEFAULTS.capacityRows,
      batchRows: options.batchRows ?? WRITE_PATH_DEFAULTS.batchRows,
      flushIntervalMs: options.flushIntervalMs ?? WRITE_PATH_DEFAULTS.flushIntervalMs,
      retryIntervalMs: options.retryIntervalMs ?? WRITE_PATH_DEFAULTS.retryIntervalMs,
      batchTimeoutMs: options.batchTimeoutMs ?? WRITE_PATH_DEFAULTS.batchTimeoutMs,
    });
  }

  /** Applies migrations, then lets the queue write (and replay a spool left by an earlier run). */
  async migrate(): Promise<number> {
    const version = await this.applyMigrations();
    this.queue.start();
    return version;
  }

  writeStatus(row: StatusRow, options: { readonly history: boolean }): void {
    this.queue.enqueue({ type: "status", row, history: options.history });
  }

  writeOperation(operation: OperationRow): void {
    this.queue.enqueue({ type: "operation", row: operation });
  }

  writeDailyState(state: DailyState): void {
    this.queue.enqueue({ type: "daily_state", state });
  }

  completeControl(id: number, result: string, consumedAtMs: number): void {
    this.queue.enqueue({ type: "control_result", id, result, consumedAtMs });
  }

  health(): SinkHealth {
    const { queueDepth, spooledRows, failedWrites, writtenRows, lostRows, lastError, reachable } = this.queue.health();
    return { kind: this.kind, queueDepth, spooledRows, failedWrites, writtenRows, lostRows, lastError, reachable };
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Flushes (to the database or the spool), then closes; calling it again is harmless. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.closeConnection();
    })();
    return this.closing;
  }

  protected abstract applyMigrations(): Promise<number>;
  protected abstract closeConnection(): Promise<void>;

  abstract loadDailyState(daemonId: string, tradingDay: string): Promise<DailyState | null>;
  abstract readStatusCurrent(daemonId?: string): Promise<StatusRow[]>;
  abstract queryOperations(query: OperationQuery): Promise<StoredOperation[]>;
  abstract queryHistory(query: HistoryQuery): Promise<StatusRow[]>;
  abstract issueControl(request: ControlRequest): Promise<number>;
  abstract claimControl(daemonId: string, claimedAtMs: number): Promise<ControlRow[]>;
  abstract getControl(id: number): Promise<ControlRow | null>;
  abstract saveBacktestRun(run: BacktestRunRow): Promise<void>;
  abstract listBacktestRuns(limit: number): Promise<BacktestRunRow[]>;
  abstract getBacktestRun(runId: string): Promise<BacktestRunRow | null>;
  abstract saveBars(bars: readonly Bar[]): Promise<void>;
  abstract loadBars(symbol: string, barSeconds: number, sinceMs: number, untilMs: number): Promise<Bar[]>;
  abstract claimDaemonId(claimant: DaemonIdClaimant): Promise<DaemonIdClaim>;
  abstract releaseDaemonId(daemonId: string, token: string): Promise<void>;
  abstract ping(): Promise<boolean>;
}
