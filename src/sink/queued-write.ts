// What the write queue carries: one value per `write*` call on the Sink, and the
// per-batch plan a dialect writer applies in one transaction.
import type { DailyState, OperationRow, StatusRow } from "./records.ts";

export type QueuedWrite =
  | { readonly type: "status"; readonly row: StatusRow; readonly history: boolean }
  | { readonly type: "operation"; readonly row: OperationRow }
  | { readonly type: "daily_state"; readonly state: DailyState }
  | {
      readonly type: "control_result";
      readonly id: number;
      readonly result: string;
      readonly consumedAtMs: number;
    };

/** Which run of a writer made a write, and its place in that run: orders upserts without the wall clock. */
export interface WriterStamp {
  /** Random per sink instance (one daemon run). */
  readonly writerRunId: string;
  /** The write's enqueue sequence in that run. */
  readonly writerSeq: number;
}

/** Spool lines written before writer stamps existed: a run of their own, ordered by arrival. */
const UNSTAMPED: WriterStamp = { writerRunId: "", writerSeq: 0 };

/**
 * A queued write with its enqueue sequence number: the spool replays in this order. `seq`
 * may be renumbered (a dead process's spool adopted after ours); `origin` never changes.
 */
export interface SequencedWrite {
  readonly seq: number;
  readonly write: QueuedWrite;
  readonly origin?: WriterStamp;
}

export type Stamped<Row> = Row & WriterStamp;

export interface ControlResult {
  readonly id: number;
  readonly result: string;
  readonly consumedAtMs: number;
}

/** Everything one transaction writes. Upserted rows are coalesced to the latest per key. */
export interface BatchPlan {
  readonly statusCurrent: readonly Stamped<StatusRow>[];
  readonly statusHistory: readonly StatusRow[];
  readonly operations: readonly OperationRow[];
  readonly dailyStates: readonly Stamped<DailyState>[];
  readonly controlResults: readonly ControlResult[];
  readonly rowCount: number;
}

/**
 * Splits a batch (in sequence order) by table. status_current and daily_state keep the last
 * row written per key (not the one with the latest wall-clock time: the clock may have
 * stepped back); status_history keeps one snapshot per daemon and millisecond, the last one
 * written (the state after everything recorded in that millisecond).
 */
export function planBatch(writes: readonly SequencedWrite[]): BatchPlan {
  const statusCurrent = new Map<string, Stamped<StatusRow>>();
  const dailyStates = new Map<string, Stamped<DailyState>>();
  const statusHistory = new Map<string, StatusRow>();
  const operations: OperationRow[] = [];
  const controlResults: ControlResult[] = [];
  for (const { write, origin = UNSTAMPED } of writes) {
    switch (write.type) {
      case "status": {
        statusCurrent.set(write.row.daemonId, { ...write.row, ...origin });
        if (write.history) statusHistory.set(`${write.row.daemonId}\u0000${write.row.tsMs}`, write.row);
        break;
      }
      case "operation":
        operations.push(write.row);
        break;
      case "daily_state": {
        dailyStates.set(`${write.state.daemonId}\u0000${write.state.tradingDay}`, { ...write.state, ...origin });
        break;
      }
      case "control_result":
        controlResults.push({ id: write.id, result: write.result, consumedAtMs: write.consumedAtMs });
        break;
      default: {
        const unreachable: never = write;
        throw new Error(`unknown queued write ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return {
    statusCurrent: [...statusCurrent.values()],
    statusHistory: [...statusHistory.values()],
    operations,
    dailyStates: [...dailyStates.values()],
    controlResults,
    rowCount: writes.length,
  };
}

/** A dialect's batch writer: applies one plan in one transaction. */
export interface BatchWriter {
  write(plan: BatchPlan): Promise<void>;
  /**
   * True when the error means "database unreachable or busy" (spool and retry later),
   * false when the rows themselves were refused (retrying the same rows cannot help).
   */
  isUnavailable(error: unknown): boolean;
}
