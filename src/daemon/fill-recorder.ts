// Joins execution reports with their commission reports (IB sends them separately, in either
// order) and records each fill once: into the Hedger's book at once, into the operations trail
// when its commission is known or has not come within COMMISSION_WAIT_MS. A correction of a
// recorded execution is recorded as a fill_correction row naming both exec ids, with the
// difference it makes to the commissions. A correction of an execution not seen yet waits for
// the trail's record of it (a chain of corrections, for the first's), and one that came before
// its original waits for it a while, so the trail holds one fill row per trade.
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
  /** Its commission, when it came while the row waits for the original it stands for. */
  commission: CommissionReport | null;
  /** A correction that came before the execution it corrects: its row waits for that one (up to COMMISSION_WAIT_MS) to be recorded as its correction. */
  awaitsOriginal: boolean;
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
  /** The fill `execId` of `orderRef` as the operations trail has it (an earlier run's), null when it has none. Must settle: it rejects at a deadline when the database hangs. */
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
  /** Corrections not applied yet (their trail lookup, or an earlier correction's, under way): settled once applied. */
  private readonly unapplied = new Map<string, Promise<void>>();
  /** Exec ids of executions not reported yet, and the correction that came first and stands for each. */
  private readonly standIns = new Map<string, string>();

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
    const { execId, correctsExecId } = execution;
    if (!this.deps.ids.ownsOrderRef(execution.orderRef) || this.recorded.has(execId) || this.fromTrail.has(execId) || this.unapplied.has(execId)) return;
    this.seen.note(execution);
    if (correctsExecId === undefined) {
      this.deps.hedger.onExecution(execution);
      if (this.standIns.has(execId)) return this.originalAfterCorrection(execution);
    } else {
      // A correction of a correction still being applied waits for it: the book must hold what it replaces.
      const earlier = this.unapplied.get(correctsExecId);
      if (earlier !== undefined) return this.applyAfter(earlier, execution);
      const replaced = this.remembered(correctsExecId);
      if (replaced === null) return this.applyAfter(this.lookUpReplaced(execution, correctsExecId), execution);
      this.deps.hedger.onCorrection(execution, replaced);
    }
    this.awaitCommission(execution);
  }

  /** The book has the execution: its row waits for its commission (which may have come first), and a stand-in's for its original. */
  private awaitCommission(execution: ExecutionReport, awaitsOriginal = false): void {
    const commission = this.earlyCommissions.get(execution.execId) ?? null;
    this.earlyCommissions.delete(execution.execId);
    if (commission !== null && !awaitsOriginal) return this.recordLive(execution, commission);
    this.pendingExecutions.set(execution.execId, { execution, seenAtWallMs: this.deps.wallNowMs(), commission, awaitsOriginal });
  }

  /**
   * Applies the correction once `earlier` (the lookup of what it replaces, or the application of
   * the correction it corrects) settled. Meanwhile the hedger takes the position's change for no
   * outside one. Never rejects: a chain of corrections waits on it.
   */
  private applyAfter(earlier: Promise<unknown>, execution: ExecutionReport): void {
    const { hedger } = this.deps;
    hedger.positions.correctionsAwaited++;
    const applied = earlier.then(
      () => this.applyAwaited(execution),
      () => this.applyAwaited(execution),
    );
    this.unapplied.set(execution.execId, applied);
  }

  private applyAwaited(execution: ExecutionReport): void {
    this.deps.hedger.positions.correctionsAwaited--;
    this.unapplied.delete(execution.execId);
    const correctsExecId = execution.correctsExecId!;
    const replaced = this.fromTrail.has(execution.execId) ? this.fromTrail.get(execution.execId)! : this.remembered(correctsExecId);
    this.deps.hedger.onCorrection(execution, replaced);
    this.awaitCommission(execution, replaced === null && this.standsIn(correctsExecId, execution.execId));
  }

  /**
   * A correction of an execution this process does not remember: the trail may have it (an
   * earlier run's fill). It settles with the trail's record, or null without one or when the
   * trail cannot answer (then the correction is an ordinary execution report, and the position
   * check settles what it changed).
   */
  private lookUpReplaced(execution: ExecutionReport, correctsExecId: string): Promise<void> {
    this.fromTrail.set(execution.execId, null);
    return this.deps
      .findRecordedFill(execution.orderRef, correctsExecId)
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.log.log("warn", this.deps.stateName(), `execution ${correctsExecId}, corrected by ${execution.execId}, could not be read from the records (${message}): the correction is taken as an execution of its own, and the position check settles what it changed`, { orderRef: execution.orderRef });
        return null;
      })
      .then((replaced) => void this.fromTrail.set(execution.execId, replaced));
  }

  /** Notes that `correctionExecId` stands for `execId`, not reported yet, unless it already was: true when it does. */
  private standsIn(execId: string, correctionExecId: string): boolean {
    if (this.remembered(execId) !== null) return false;
    this.standIns.set(execId, correctionExecId);
    return true;
  }

  /**
   * The execution a correction stood for came after it: recorded as the fill, and the
   * correction's row (waiting for it) as its correction, so the trail counts the trade once.
   * When the correction's row could wait no longer it was recorded as the fill: then this one
   * adds nothing.
   */
  private originalAfterCorrection(execution: ExecutionReport): void {
    const correctionExecId = this.standIns.get(execution.execId)!;
    this.standIns.delete(execution.execId);
    const correction = this.pendingExecutions.get(correctionExecId);
    if (correction === undefined) {
      this.recordedCommissions.add(execution.execId); // superseded by the correction's, already recorded
      this.deps.log.log("warn", this.deps.stateName(), `execution ${execution.execId} came after ${correctionExecId}, its correction, was recorded as the fill: not counted again`, { orderRef: execution.orderRef });
      return;
    }
    this.awaitCommission(execution);
    correction.awaitsOriginal = false;
    if (correction.commission === null) return;
    this.pendingExecutions.delete(correctionExecId);
    this.recordLive(correction.execution, correction.commission);
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
    if (pending?.awaitsOriginal) {
      pending.commission = commission;
      return;
    }
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
      this.recordLive(pending.execution, pending.commission);
    }
  }

  /** Records everything still waiting (used on stop so no fill is lost). */
  drain(): void {
    for (const [execId, pending] of this.pendingExecutions) {
      this.pendingExecutions.delete(execId);
      this.recordLive(pending.execution, pending.commission);
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
      this.record(pendingCorrected.execution, null, this.replacedOf(pendingCorrected.execution), `replaced by correction ${execution.execId} before its commission came`);
    }
    const replaced = this.replacedOf(execution);
    const standsFor = replaced === null && correctsExecId !== undefined && this.standIns.get(correctsExecId) === execution.execId ? `stands for ${correctsExecId}, which was not reported` : null;
    this.record(execution, commission, replaced, commission ? standsFor : "commission_not_reported");
  }

  /** What the row of a correction states the difference to: the corrected execution's row, or the trail's record of it. */
  private replacedOf(execution: ExecutionReport): ReplacedExecution | null {
    const correctsExecId = execution.correctsExecId;
    const corrected = correctsExecId === undefined ? undefined : this.recorded.get(correctsExecId);
    if (corrected === undefined) return this.fromTrail.get(execution.execId) ?? null;
    return { execId: corrected.execution.execId, shares: corrected.execution.shares, price: corrected.execution.price, commissionUsd: corrected.commissionUsd };
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
