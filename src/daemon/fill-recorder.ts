// Joins execution reports with their commission reports (IB sends them separately, in either
// order) and records each fill once: into the Hedger's book at once, into the operations trail
// when its commission is known or has not come within COMMISSION_WAIT_MS. A correction of a
// recorded execution is recorded as a fill_correction row naming both exec ids, with the
// difference it makes to the commissions.
import type { Hedger } from "../core/hedger.ts";
import type { CommissionReport, ExecutionReport, RecordedFill } from "../core/order.ts";
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

/** An execution a correction replaces, as recorded: what the correction row states the difference to. */
export type ReplacedExecution = RecordedFill;

/** A recorded execution: its fields, and the commission its rows carry. */
interface RecordedExecution {
  readonly execution: ExecutionReport;
  commissionUsd: number | null;
  /** The exec id of the correction that replaced it, once one did. */
  replacedBy: string | null;
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
  /** The fill `execId` of `orderRef` as the operations trail has it (an earlier run's), null when it has none. */
  readonly findRecordedFill: (orderRef: string, execId: string) => Promise<RecordedFill | null>;
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
  private readonly recorded = new Map<string, RecordedExecution>();
  /** Exec ids whose commission is recorded: TWS reports a commission again with a resent execution. */
  private readonly recordedCommissions = new Set<string>();
  /** Corrections whose replaced execution is being looked up in the trail, with what the lookup found once it has. */
  private readonly fromTrail = new Map<string, RecordedFill | null>();

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

  /**
   * An execution a reconciliation found at the broker, missing from the records: recorded and
   * applied together, so a fill row never exists without its shares in the book. `replaced`: the
   * recorded execution it corrects, if any (then it is recorded as a correction).
   */
  recordFound(execution: ExecutionReport, commission: CommissionReport | null, replaced: ReplacedExecution | null): void {
    this.seen.note(execution);
    this.deps.hedger.onCorrection(execution, replaced);
    this.record(execution, commission, replaced, "reconcile: execution found at the broker, missing from the records");
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
    if (!this.deps.ids.ownsOrderRef(execution.orderRef) || this.recorded.has(execution.execId) || this.fromTrail.has(execution.execId)) return;
    this.seen.note(execution);
    if (execution.correctsExecId === undefined) this.deps.hedger.onExecution(execution);
    else {
      const replaced = this.remembered(execution.correctsExecId);
      if (replaced === null) return this.lookUpReplaced(execution, execution.correctsExecId);
      this.deps.hedger.onCorrection(execution, replaced);
    }
    this.awaitCommission(execution);
  }

  /** The book has the execution: its row waits for its commission (which may have come first). */
  private awaitCommission(execution: ExecutionReport): void {
    const commission = this.earlyCommissions.get(execution.execId);
    if (commission) {
      this.earlyCommissions.delete(execution.execId);
      this.recordLive(execution, commission);
      return;
    }
    this.pendingExecutions.set(execution.execId, { execution, seenAtWallMs: this.deps.wallNowMs() });
  }

  /**
   * A correction of an execution this process does not remember: the trail may have it (an
   * earlier run's fill). Until the answer the book stays as it is and the hedger takes the
   * position's change for no outside one; without a record the correction is an ordinary
   * execution report (the position check settles what it changed).
   */
  private lookUpReplaced(execution: ExecutionReport, correctsExecId: string): void {
    const { hedger, log } = this.deps;
    this.fromTrail.set(execution.execId, null);
    hedger.positions.correctionsAwaited++;
    void this.deps
      .findRecordedFill(execution.orderRef, correctsExecId)
      .catch((error: unknown) => {
        log.log("warn", this.deps.stateName(), `execution ${correctsExecId}, corrected by ${execution.execId}, could not be read from the records (${error instanceof Error ? error.message : String(error)}): the position check settles what the correction changed`, { orderRef: execution.orderRef });
        return null;
      })
      .then((replaced) => {
        hedger.positions.correctionsAwaited--;
        this.fromTrail.set(execution.execId, replaced);
        hedger.onCorrection(execution, replaced);
        this.awaitCommission(execution);
      });
  }

  /** An execution this process saw, as recorded or pending its commission; null when it saw none. */
  private remembered(execId: string): RecordedFill | null {
    const recorded = this.recorded.get(execId);
    if (recorded) return { execId, shares: recorded.execution.shares, price: recorded.execution.price, commissionUsd: recorded.commissionUsd };
    const execution = this.pendingExecutions.get(execId)?.execution ?? this.seen.report(execId);
    return execution === undefined ? null : { execId, shares: execution.shares, price: execution.price, commissionUsd: null };
  }

  onCommission(commission: CommissionReport): void {
    if (this.recordedCommissions.has(commission.execId)) return;
    const pending = this.pendingExecutions.get(commission.execId);
    if (pending) {
      this.pendingExecutions.delete(commission.execId);
      this.recordLive(pending.execution, commission);
      return;
    }
    const recorded = this.recorded.get(commission.execId);
    if (recorded) {
      // The fill was recorded without it (commission came late): record it on its own.
      this.recordedCommissions.add(commission.execId);
      this.deps.hedger.onCommission(commission);
      const addUsd = this.lateCommissionUsd(recorded, commission.commissionUsd);
      if (addUsd === null) return;
      this.deps.recorder.record("commission", { execId: null, commissionUsd: addUsd, reason: `late commission for ${commission.execId}`, payload: { executedAtMs: recorded.execution.tsEventMs, execId: commission.execId, executionCommissionUsd: commission.commissionUsd } });
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
      this.recordLive(pending.execution, null);
    }
  }

  /** Records everything still waiting (used on stop so no fill is lost). */
  drain(): void {
    for (const [execId, pending] of this.pendingExecutions) {
      this.pendingExecutions.delete(execId);
      this.recordLive(pending.execution, null);
    }
  }

  /**
   * What a late commission adds to the recorded commissions: all of it for a plain execution;
   * for one a correction replaced, nothing once the correction's commission is recorded (null)
   * and else its own, and for a correction its own less the corrected execution's.
   */
  private lateCommissionUsd(recorded: RecordedExecution, commissionUsd: number): number | null {
    const replacedBy = recorded.replacedBy === null ? undefined : this.recorded.get(recorded.replacedBy);
    if (replacedBy !== undefined && replacedBy.commissionUsd !== null) return null;
    recorded.commissionUsd = commissionUsd;
    const correctsExecId = recorded.execution.correctsExecId;
    const corrected = correctsExecId === undefined ? undefined : this.recorded.get(correctsExecId);
    return corrected?.replacedBy === recorded.execution.execId ? commissionUsd - (corrected.commissionUsd ?? 0) : commissionUsd;
  }

  /** A live execution's row; one correcting an execution this process knows is recorded as its correction, after it. */
  private recordLive(execution: ExecutionReport, commission: CommissionReport | null): void {
    const correctsExecId = execution.correctsExecId;
    const pendingCorrected = correctsExecId === undefined ? undefined : this.pendingExecutions.get(correctsExecId);
    if (pendingCorrected) {
      this.pendingExecutions.delete(pendingCorrected.execution.execId);
      this.record(pendingCorrected.execution, null, null, `replaced by correction ${execution.execId} before its commission came`);
    }
    const corrected = correctsExecId === undefined ? undefined : this.recorded.get(correctsExecId);
    const replaced = corrected === undefined ? (this.fromTrail.get(execution.execId) ?? null) : { execId: corrected.execution.execId, shares: corrected.execution.shares, price: corrected.execution.price, commissionUsd: corrected.commissionUsd };
    this.record(execution, commission, replaced, commission ? null : "commission_not_reported");
  }

  private record(execution: ExecutionReport, commission: CommissionReport | null, replaced: ReplacedExecution | null, reason: string | null): void {
    if (commission) {
      this.deps.hedger.onCommission(commission);
      this.recordedCommissions.add(execution.execId);
    }
    this.recorded.set(execution.execId, { execution, commissionUsd: commission?.commissionUsd ?? null, replacedBy: null });
    if (replaced !== null) {
      const corrected = this.recorded.get(replaced.execId);
      if (corrected) corrected.replacedBy = execution.execId;
      this.recordCorrection(execution, commission, replaced, reason);
      return;
    }
    const expected = this.expectedOrders.get(execution.orderRef);
    // An order of a previous run (its size unknown here) is complete as far as it is known.
    const orderShares = expected?.quantityShares ?? execution.cumulativeShares;
    const complete = execution.cumulativeShares >= orderShares;
    if (expected) {
      expected.recordedShares += execution.shares;
      if (expected.recordedShares >= expected.quantityShares) this.expectedOrders.delete(execution.orderRef);
    }
    this.deps.recorder.record(complete ? "fill" : "partial_fill", executionFields(execution, commission, reason, { orderShares }));
    this.deps.log.log("info", this.deps.stateName(), `${complete ? "fill" : "partial fill"} ${execution.side} ${execution.shares} @ ${execution.price}`, {
      orderRef: execution.orderRef,
      commissionUsd: commission?.commissionUsd ?? null,
    });
    this.deps.onDailyStateChanged();
  }

  /** The audit row of a correction: the corrected values, the commission it adds, and what it replaced. */
  private recordCorrection(execution: ExecutionReport, commission: CommissionReport | null, replaced: ReplacedExecution, reason: string | null): void {
    const expected = this.expectedOrders.get(execution.orderRef);
    if (expected) expected.recordedShares += execution.shares - replaced.shares;
    const fields = executionFields(execution, commission, reason ?? `corrects ${replaced.execId}`, {
      correctsExecId: replaced.execId,
      replacedShares: replaced.shares,
      replacedPrice: replaced.price,
      replacedCommissionUsd: replaced.commissionUsd,
      correctedCommissionUsd: commission?.commissionUsd ?? null,
    });
    this.deps.recorder.record("fill_correction", { ...fields, commissionUsd: commission === null ? null : commission.commissionUsd - (replaced.commissionUsd ?? 0) });
    this.deps.log.log("warn", this.deps.stateName(), `execution ${replaced.execId} corrected by the broker: ${execution.execId} ${execution.side} ${execution.shares} @ ${execution.price} replaces ${replaced.shares} @ ${replaced.price}`, {
      orderRef: execution.orderRef,
    });
    this.deps.onDailyStateChanged();
  }
}
