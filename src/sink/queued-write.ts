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

/** A queued write with its enqueue sequence number: the spool replays in this order. */
export interface SequencedWrite {
  readonly seq: number;
  readonly write: QueuedWrite;
}

export interface ControlResult {
  readonly id: number;
  readonly result: string;
  readonly consumedAtMs: number;
}

/** Everything one transaction writes. Upserted rows are coalesced to the latest per key. */
export interface BatchPlan {
  readonly statusCurrent: readonly StatusRow[];
  readonly statusHistory: readonly StatusRow[];
  readonly operations: readonly OperationRow[];
  readonly dailyStates: readonly DailyState[];
  readonly controlResults: readonly ControlResult[];
  readonly rowCount: number;
}

/**
 * Splits a batch by table. status_current keeps the newest row per daemon; status_history
 * keeps one snapshot per daemon and millisecond, the last one written (the state after
 * everything recorded in that millisecond).
 */
export function planBatch(writes: readonly SequencedWrite[]): BatchPlan {
  const statusCurrent = new Map<string, StatusRow>();
  const dailyStates = new Map<string, DailyState>();
  const statusHistory = new Map<string, StatusRow>();
  const operations: OperationRow[] = [];
  const controlResults: ControlResult[] = [];
  for (const { write } of writes) {
    switch (write.type) {
      case "status": {
        const previous = statusCurrent.get(write.row.daemonId);
        if (previous === undefined || previous.tsMs <= write.row.tsMs) {
          statusCurrent.set(write.row.daemonId, write.row);
        }
        if (write.history) statusHistory.set(`${write.row.daemonId}\u0000${write.row.tsMs}`, write.row);
        break;
      }
      case "operation":
        operations.push(write.row);
        break;
      case "daily_state": {
        const key = `${write.state.daemonId}\u0000${write.state.tradingDay}`;
        const previous = dailyStates.get(key);
        if (previous === undefined || previous.updatedAtMs <= write.state.updatedAtMs) {
          dailyStates.set(key, write.state);
        }
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
