// Writes operation rows (the audit trail) and, with each one, a status_history row, so the
// history shows the state right after every intent, order, fill and command. Writes are
// queued by the sink: recording never blocks the trading path. The status row is the daemon's
// to write (none once another process holds the id); the operation is this process's own record
// of what it did, kept even then (the cancels and fills of its stop).
import type { CommissionReport, ExecutionReport } from "../core/order.ts";
import type { OperationRow, OperationType } from "../sink/records.ts";
import type { Sink } from "../sink/port.ts";
import type { Clock } from "./clock.ts";
import type { DaemonIds } from "./order-ref.ts";

export type OperationFields = Partial<Omit<OperationRow, "opId" | "tsMs" | "daemonId" | "type">>;

export class OperationRecorder {
  constructor(
    private readonly sink: Sink,
    private readonly ids: DaemonIds,
    private readonly wallClock: Clock,
    /** Writes the status_history row that goes with an operation. */
    private readonly writeHistoryRow: () => void,
  ) {}

  record(type: OperationType, fields: OperationFields = {}): OperationRow {
    const operation: OperationRow = {
      opId: this.ids.nextOpId(),
      tsMs: this.wallClock.nowMs(),
      daemonId: this.ids.daemonId,
      type,
      orderRef: fields.orderRef ?? null,
      brokerOrderId: fields.brokerOrderId ?? null,
      execId: fields.execId ?? null,
      side: fields.side ?? null,
      quantityShares: fields.quantityShares ?? null,
      price: fields.price ?? null,
      commissionUsd: fields.commissionUsd ?? null,
      reason: fields.reason ?? null,
      payload: fields.payload ?? null,
    };
    this.sink.writeOperation(operation);
    this.writeHistoryRow();
    return operation;
  }
}

/** The fields of a fill row: what the broker executed, at its price, with its commission. */
export function executionFields(execution: ExecutionReport, commission: CommissionReport | null, reason: string | null, payload: Readonly<Record<string, unknown>>): OperationFields {
  return {
    orderRef: execution.orderRef,
    brokerOrderId: execution.brokerOrderId,
    execId: execution.execId,
    side: execution.side,
    quantityShares: execution.shares,
    price: execution.price,
    commissionUsd: commission?.commissionUsd ?? null,
    reason,
    payload: { cumulativeShares: execution.cumulativeShares, executedAtMs: execution.tsEventMs, ...payload },
  };
}
