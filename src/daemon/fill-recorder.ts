// Joins execution reports with their commission reports (IB sends them separately, in either
// order) and records each fill once: into the Hedger's book at once, into the operations trail
// when its commission is known or has not come within COMMISSION_WAIT_MS.
import type { Hedger } from "../core/hedger.ts";
import type { CommissionReport, ExecutionReport } from "../core/order.ts";
import type { DaemonLog } from "./daemon-log.ts";
import type { OperationRecorder } from "./operation-recorder.ts";
import { executionFields } from "./operation-recorder.ts";
import type { DaemonIds } from "./order-ref.ts";
import { SeenExecutions } from "./seen-executions.ts";

/** A commission that has not shown up this long after its execution is recorded as missing. */
const COMMISSION_WAIT_MS = 5_000;

interface PendingExecution {
  readonly execution: ExecutionReport;
  readonly seenAtWallMs: number;
}

export interface FillRecorderDeps {
  readonly hedger: Hedger;
  readonly ids: DaemonIds;
  readonly recorder: OperationRecorder;
  readonly log: DaemonLog;
  readonly wallNowMs: () => number;
  readonly stateName: () => string;
  /** A fill or commission changed the daily counters: persist them. */
  readonly onDailyStateChanged: () => void;
}

/**
 * Orders whose size is remembered at most. A filled order leaves at its last execution; one that
 * ended part-filled stays (its final status may under-report a last execution) until this many
 * newer orders pushed it out, long after its executions came.
 */
const MAX_EXPECTED_ORDERS = 500;

/** An own order sent by this process, kept until its executions are recorded. */
interface ExpectedOrder {
  readonly quantityShares: number;
  recordedShares: number;
}

export class FillRecorder {
  /**
   * Kept apart from the loop's working orders: a final status may come before the executions
   * (and commissions decide when a fill is recorded), yet each row needs the order's size to
   * say whether it completed the order.
   */
  private readonly expectedOrders = new Map<string, ExpectedOrder>();
  private readonly pendingExecutions = new Map<string, PendingExecution>();
  private readonly earlyCommissions = new Map<string, CommissionReport>();
  private readonly recordedExecIds = new Set<string>();
  /** Exec ids whose commission is recorded: TWS reports a commission again with a resent execution. */
  private readonly recordedCommissions = new Set<string>();

  constructor(private readonly deps: FillRecorderDeps) {}

  /** Own executions that reached this process (recorded, waiting for their commission, or found by a reconciliation). */
  readonly seen = new SeenExecutions();

  /**
   * The commission of an execution this process has not been handed yet, taken out to record
   * with it: a broker may send it after its executions answer, while the reconciliation goes on.
   */
  takeEarlyCommission(execId: string): CommissionReport | null {
    const commission = this.earlyCommissions.get(execId) ?? null;
    this.earlyCommissions.delete(execId);
    return commission;
  }

  /** Recorded elsewhere (reconciliation found it at the broker), with its commission or not. */
  markRecorded(execution: ExecutionReport, withCommission: boolean): void {
    this.seen.note(execution);
    this.recordedExecIds.add(execution.execId);
    if (withCommission) this.recordedCommissions.add(execution.execId);
  }

  /** An own order went out: its executions are recorded against its size. */
  expectOrder(orderRef: string, quantityShares: number): void {
    this.expectedOrders.set(orderRef, { quantityShares, recordedShares: 0 });
    if (this.expectedOrders.size > MAX_EXPECTED_ORDERS) {
      const oldest = this.expectedOrders.keys().next().value;
      if (oldest !== undefined) this.expectedOrders.delete(oldest);
    }
  }

  /** The order never reached the broker, or reconciliation recorded what was left of it. */
  forgetOrder(orderRef: string): void {
    this.expectedOrders.delete(orderRef);
  }

  onExecution(execution: ExecutionReport): void {
    if (!this.deps.ids.ownsOrderRef(execution.orderRef) || this.recordedExecIds.has(execution.execId)) return;
    this.seen.note(execution);
    this.deps.hedger.onExecution(execution);
    const commission = this.earlyCommissions.get(execution.execId);
    if (commission) {
      this.earlyCommissions.delete(execution.execId);
      this.record(execution, commission);
      return;
    }
    this.pendingExecutions.set(execution.execId, { execution, seenAtWallMs: this.deps.wallNowMs() });
  }

  onCommission(commission: CommissionReport): void {
    if (this.recordedCommissions.has(commission.execId)) return;
    const pending = this.pendingExecutions.get(commission.execId);
    if (pending) {
      this.pendingExecutions.delete(commission.execId);
      this.record(pending.execution, commission);
      return;
    }
    if (this.recordedExecIds.has(commission.execId)) {
      // The fill was recorded without it (commission came late): record it on its own.
      this.recordedCommissions.add(commission.execId);
      this.deps.hedger.onCommission(commission);
      this.deps.recorder.record("commission", { execId: null, commissionUsd: commission.commissionUsd, reason: `late commission for ${commission.execId}` });
      this.deps.onDailyStateChanged();
      return;
    }
    this.earlyCommissions.set(commission.execId, commission);
  }

  /** Executions whose commission never came are recorded without it after a grace period. */
  recordMissingCommissions(): void {
    const wallNowMs = this.deps.wallNowMs();
    for (const [execId, pending] of this.pendingExecutions) {
      if (wallNowMs - pending.seenAtWallMs < COMMISSION_WAIT_MS) continue;
      this.pendingExecutions.delete(execId);
      this.record(pending.execution, null);
    }
  }

  /** Records everything still waiting (used on stop so no fill is lost). */
  drain(): void {
    for (const [execId, pending] of this.pendingExecutions) {
      this.pendingExecutions.delete(execId);
      this.record(pending.execution, null);
    }
  }

  private record(execution: ExecutionReport, commission: CommissionReport | null): void {
    if (commission) {
      this.deps.hedger.onCommission(commission);
      this.recordedCommissions.add(execution.execId);
    }
    this.recordedExecIds.add(execution.execId);
    const expected = this.expectedOrders.get(execution.orderRef);
    // An order of a previous run (its size unknown here) is complete as far as it is known.
    const orderShares = expected?.quantityShares ?? execution.cumulativeShares;
    const complete = execution.cumulativeShares >= orderShares;
    if (expected) {
      expected.recordedShares += execution.shares;
      if (expected.recordedShares >= expected.quantityShares) this.expectedOrders.delete(execution.orderRef);
    }
    this.deps.recorder.record(complete ? "fill" : "partial_fill", executionFields(execution, commission, commission ? null : "commission_not_reported", { orderShares }));
    this.deps.log.log("info", this.deps.stateName(), `${complete ? "fill" : "partial fill"} ${execution.side} ${execution.shares} @ ${execution.price}`, {
      orderRef: execution.orderRef,
      commissionUsd: commission?.commissionUsd ?? null,
    });
    this.deps.onDailyStateChanged();
  }
}
