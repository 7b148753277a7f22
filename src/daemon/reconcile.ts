// Startup (and reconnect) reconciliation: before the daemon arms, the broker's view of the
// account is compared with what gs recorded. Own orders of a previous run are cancelled (this
// process's own working orders are not: after a reconnect their reports go on), executions
// the sink never saw are found, and a stock position nobody can explain becomes a hard block
// (lamp red) instead of a guess. Nothing found is recorded here: the result is applied and
// recorded as one step (HedgeLoop.applyReconciliation), so a reconciliation that fails or is
// abandoned half-way leaves no fill row behind that the retry would then take as already known.
import type { Broker } from "../broker/port.ts";
import type { HedgerParams } from "../core/hedger-params.ts";
import type { Position } from "../core/instrument.ts";
import type { CommissionReport, ExecutionReport, OrderSide } from "../core/order.ts";
import type { Sink } from "../sink/port.ts";
import type { StoredOperation } from "../sink/records.ts";
import type { ReplacedExecution } from "./fill-recorder.ts";
import type { Clock } from "./clock.ts";
import { recordedFillOf } from "./recorded-fill.ts";
import type { OperationRecorder } from "./operation-recorder.ts";
import type { DaemonIds } from "./order-ref.ts";
import type { PositionsAnswerMarks } from "./positions-answer-marks.ts";
import type { SeenExecutions } from "./seen-executions.ts";
import type { VouchedPosition } from "./vouched-hedge.ts";

const LOOKBACK_MS = 7 * 86_400_000;
const ORDER_CANCEL_POLL_MS = 200;

export interface ReconcileDeps {
  readonly broker: Broker;
  readonly sink: Sink;
  readonly ids: DaemonIds;
  readonly recorder: OperationRecorder;
  readonly wallClock: Clock;
  readonly marketNowMs: () => number;
  /** How long to wait for a previous run's orders to be cancelled. */
  readonly cancelWaitMs: number;
  /** Executions this process saw (their rows may still be on the way to the sink), in arrival order. */
  readonly seen: Pick<SeenExecutions, "has" | "before" | "between" | "report">;
  /** Where the broker's positions answer was taken among the executions and position reports received. */
  readonly positionsAnswer: Pick<PositionsAnswerMarks, "requested" | "answered">;
  /** Own orders this process sent and still follows: left working, never cancelled as a previous run's. */
  readonly tracksOrder: (orderRef: string) => boolean;
}

export interface BrokerExecution {
  readonly execution: ExecutionReport;
  readonly commission: CommissionReport | null;
}

/** A missing execution, and the known execution it corrects (then it is recorded as a correction of it). */
export interface MissingExecution extends BrokerExecution {
  readonly replaced: ReplacedExecution | null;
}

export interface ReconcileResult {
  readonly positions: readonly Position[];
  /** Executions of own orders neither the sink nor this process had seen (to record as fills when applied). */
  readonly missingExecutions: readonly MissingExecution[];
  /** Own orders still working at the broker after reconciliation: those this process still follows. */
  readonly openOrderRefs: ReadonlySet<string>;
  /** Shares the broker executed per own orderRef, from its executions. */
  readonly filledSharesByOrderRef: ReadonlyMap<string, number>;
  /** The hedge shares the broker had to show: the vouched ones plus own fills not in them (found at the broker or reported while reconciling). */
  readonly expectedHedgeShares: number;
  /** The SeenExecutions mark where the broker took `positions`: executions seen before it are in `expectedHedgeShares`, those after are not. */
  readonly seenMark: number;
  /** The AccountPositions mark at the same moment: reports after it are newer than `positions`. */
  readonly reportMark: number;
  /** Executions counted into `expectedHedgeShares` on top of the vouched position. */
  readonly countedExecIds: ReadonlySet<string>;
  readonly hardBlock: { readonly code: "reconcile_mismatch"; readonly message: string } | null;
  /** What the operator should know though nothing blocks (orders of this daemon id for another symbol). */
  readonly warnings: readonly string[];
  /** The `reconcile` operation to record when the result is applied. */
  readonly record: { readonly reason: "ok" | "mismatch"; readonly quantityShares: number; readonly payload: Readonly<Record<string, unknown>> };
}

/**
 * `vouched`: the hedge position gs believes it holds (see vouched-hedge.ts); the account's
 * stock must be that plus own fills found at the broker plus `externalShares`.
 */
export async function reconcile(deps: ReconcileDeps, params: Pick<HedgerParams, "strategy" | "externalShares">, vouched: VouchedPosition): Promise<ReconcileResult> {
  const { strategy: { symbol }, externalShares } = params;
  const { broker } = deps;
  const { cancelled, openOrderRefs, otherSymbolOrderRefs } = await cancelPreviousRunOrders(deps);
  const { executions, otherSymbolExecutionRefs } = await ownExecutions(deps, symbol);
  const otherSymbolRefs = [...new Set([...otherSymbolOrderRefs, ...otherSymbolExecutionRefs])];
  const warnings = otherSymbolRefs.length === 0 ? [] : [sameDaemonIdWarning(deps.ids.daemonId, symbol, otherSymbolRefs)];
  deps.positionsAnswer.requested();
  const positions = await broker.positions();
  // Own executions reported live up to the answer are in it; those behind it (even in the same socket chunk) are not.
  const { seenMark, reportMark } = deps.positionsAnswer.answered();
  const live = deps.seen.between(vouched.seenMark, seenMark).filter((execution) => execution.symbol === symbol);
  const brokerShares = positions
    .filter((position) => position.contract.secType === "STK" && position.contract.symbol === symbol)
    .reduce((sum, position) => sum + position.quantity, 0);
  const recorded = await recordedExecIds(deps, vouched, [...executions.map((entry) => entry.execution), ...live]);
  const known = new KnownExecutions(executions, deps.seen, recorded.all);
  const missing = executions
    .filter((entry) => !recorded.all.has(entry.execution.execId) && !deps.seen.has(entry.execution.execId))
    .map((entry) => ({ ...entry, replaced: known.replacedBy(entry.execution) }));
  // Each execution once: neither seen before the vouched position was taken nor already in what an earlier run vouched for.
  const counted = new Map<string, ExecutionReport>();
  for (const execution of [...executions.map((entry) => entry.execution), ...live]) {
    const { execId } = execution;
    if (!deps.seen.before(execId, vouched.seenMark) && !vouched.countedExecIds.has(execId) && !recorded.byEarlierRuns.has(execId)) counted.set(execId, execution);
  }
  // A correction counts by what it changes: the execution it replaces is counted too or already in the vouched position.
  const missingShares = [...counted.values()].reduce((sum, execution) => sum + signedShares(execution.side, execution.shares) - known.replacedSignedShares(execution), 0);
  const expectedHedgeShares = vouched.hedgeShares + missingShares;
  const expected = expectedHedgeShares + externalShares;
  const hardBlock = expected === brokerShares ? null : { code: "reconcile_mismatch" as const, message: mismatchMessage(symbol, brokerShares, externalShares, vouched, missingShares) };
  const record = {
    reason: hardBlock ? ("mismatch" as const) : ("ok" as const),
    quantityShares: brokerShares,
    payload: {
      brokerStockShares: brokerShares,
      expectedStockShares: expected,
      expectedHedgeShares,
      externalShares,
      firstStart: !vouched.onRecord,
      positions: positions.map((position) => ({ contract: position.contract, quantity: position.quantity })),
      cancelledOrderRefs: cancelled,
      recordedMissingExecIds: missing.map(({ execution }) => execution.execId),
      liveExecIds: live.map((execution) => execution.execId),
      otherSymbolOrderRefs: otherSymbolRefs,
    },
  };
  const filledSharesByOrderRef = new Map<string, number>();
  for (const { execution } of executions) {
    const replaced = known.replacedBy(execution);
    filledSharesByOrderRef.set(execution.orderRef, (filledSharesByOrderRef.get(execution.orderRef) ?? 0) + execution.shares - (replaced?.shares ?? 0));
  }
  return { positions, missingExecutions: missing, openOrderRefs, filledSharesByOrderRef, expectedHedgeShares, seenMark, reportMark, countedExecIds: new Set(counted.keys()), hardBlock, warnings, record };
}

const ACCEPT_HINT = "gs ctl accept-position --confirm";

function mismatchMessage(symbol: string, brokerShares: number, externalShares: number, vouched: VouchedPosition, missingShares: number): string {
  const external = externalShares === 0 ? "" : ` plus ${externalShares} external (strategy.external_shares)`;
  if (!vouched.onRecord) {
    const unrecorded = brokerShares - externalShares - missingShares;
    const explained = [missingShares === 0 ? "" : `${missingShares} from gs's own fills found at the broker`, externalShares === 0 ? "" : `${externalShares} external`].filter((part) => part !== "");
    return (
      `first start: the account holds ${brokerShares} shares of ${symbol}` +
      (explained.length === 0 ? ` and gs has no record of them; ` : ` (explained: ${explained.join(", ")}), so ${unrecorded} shares have no record; `) +
      `if they are not this strategy's, set strategy.external_shares = ${externalShares + unrecorded} and restart; if they are its hedge, take them with ${ACCEPT_HINT}`
    );
  }
  return (
    `broker holds ${brokerShares} shares of ${symbol}, expected ${vouched.hedgeShares + missingShares + externalShares} ` +
    `(recorded hedge ${vouched.hedgeShares} plus ${missingShares} from fills found at the broker${external}); ` +
    `fix the account and restart; or declare shares held outside the strategy in strategy.external_shares (now ${externalShares}) and restart; ` +
    `or take the broker's position as the hedge with ${ACCEPT_HINT}`
  );
}

function sameDaemonIdWarning(daemonId: string, symbol: string, orderRefs: readonly string[]): string {
  return (
    `the account has orders or executions of daemon id ${daemonId} for another symbol than ${symbol} (${orderRefs.slice(0, 5).join(", ")}${orderRefs.length > 5 ? ", ..." : ""}); ` +
    `gs leaves them alone. If another daemon trades that symbol, give each daemon its own status.daemon_id`
  );
}

async function cancelPreviousRunOrders(deps: ReconcileDeps): Promise<{ cancelled: string[]; openOrderRefs: ReadonlySet<string>; otherSymbolOrderRefs: string[] }> {
  const { broker, ids, recorder, wallClock } = deps;
  const openOrders = await broker.openOrders();
  const otherSymbolOrderRefs = openOrders.filter((order) => ids.isSameIdOtherSymbol(order.orderRef)).map((order) => order.orderRef);
  const open = openOrders.filter((order) => ids.ownsOrderRef(order.orderRef));
  const own = open.filter((order) => !deps.tracksOrder(order.orderRef));
  for (const order of own) {
    broker.cancelOrder(order.orderRef);
    recorder.record("cancel_request", {
      orderRef: order.orderRef,
      brokerOrderId: order.brokerOrderId,
      side: order.side,
      quantityShares: order.quantityShares,
      reason: "reconcile: order of a previous run",
    });
  }
  const deadlineMs = wallClock.nowMs() + deps.cancelWaitMs;
  let remaining = own.map((order) => order.orderRef);
  while (remaining.length > 0 && wallClock.nowMs() < deadlineMs) {
    await new Promise<void>((resolve) => wallClock.setTimer(ORDER_CANCEL_POLL_MS, resolve));
    const open = new Set((await broker.openOrders()).map((order) => order.orderRef));
    remaining = remaining.filter((orderRef) => open.has(orderRef));
  }
  if (remaining.length > 0) throw new Error(`orders of a previous run were still working after ${deps.cancelWaitMs} ms: ${remaining.join(", ")}`);
  const followed = open.filter((order) => deps.tracksOrder(order.orderRef)).map((order) => order.orderRef);
  return { cancelled: own.map((order) => order.orderRef), openOrderRefs: new Set(followed), otherSymbolOrderRefs };
}

/** Own executions are of the strategy's symbol too: an orderRef is only what the order said. */
async function ownExecutions(deps: ReconcileDeps, symbol: string): Promise<{ executions: BrokerExecution[]; otherSymbolExecutionRefs: string[] }> {
  const all = await deps.broker.executionsSince(deps.marketNowMs() - LOOKBACK_MS);
  const executions = all.filter((entry) => deps.ids.ownsOrderRef(entry.execution.orderRef) && entry.execution.symbol === symbol);
  const otherSymbolExecutionRefs = all.filter((entry) => deps.ids.isSameIdOtherSymbol(entry.execution.orderRef)).map((entry) => entry.execution.orderRef);
  return { executions, otherSymbolExecutionRefs };
}

/**
 * Exec ids of fills the sink has, and those an earlier run recorded: that run vouched for them
 * (TWS may resend them live to a new session). Not asked when every execution is in the vouched position.
 */
async function recordedExecIds(deps: ReconcileDeps, vouched: VouchedPosition, executions: readonly ExecutionReport[]): Promise<{ all: ReadonlyMap<string | null, StoredOperation>; byEarlierRuns: ReadonlySet<string | null> }> {
  if (executions.every((execution) => deps.seen.before(execution.execId, vouched.seenMark))) return { all: new Map(), byEarlierRuns: new Set() };
  const recorded = await deps.sink.queryOperations({ daemonId: deps.ids.daemonId, types: ["fill", "partial_fill", "fill_correction"], limit: 10_000 });
  return {
    all: new Map(recorded.map((operation) => [operation.execId, operation])),
    byEarlierRuns: new Set(recorded.filter((operation) => !deps.ids.isThisRunsOpId(operation.opId)).map((operation) => operation.execId)),
  };
}

const signedShares = (side: OrderSide, shares: number) => (side === "BUY" ? shares : -shares);

/** Executions known from the broker's answer, this process and the records: what a correction replaces. */
class KnownExecutions {
  constructor(
    private readonly answered: readonly BrokerExecution[],
    private readonly seen: Pick<SeenExecutions, "report">,
    private readonly recorded: ReadonlyMap<string | null, StoredOperation>,
  ) {}

  /** The execution `execution` corrects, when gs knows it; null for a plain execution or a correction of one never seen. */
  replacedBy(execution: ExecutionReport): (ReplacedExecution & { readonly side: OrderSide }) | null {
    const execId = execution.correctsExecId;
    if (execId === undefined) return null;
    const row = this.recorded.get(execId);
    const fill = row === undefined ? null : recordedFillOf(row);
    if (row?.side && fill !== null) return { ...fill, side: row.side };
    const answered = this.answered.find((entry) => entry.execution.execId === execId);
    const report = answered?.execution ?? this.seen.report(execId);
    if (report === undefined) return null;
    return { execId, side: report.side, shares: report.shares, price: report.price, commissionUsd: answered?.commission?.commissionUsd ?? null };
  }

  replacedSignedShares(execution: ExecutionReport): number {
    const replaced = this.replacedBy(execution);
    return replaced === null ? 0 : signedShares(replaced.side, replaced.shares);
  }
}
