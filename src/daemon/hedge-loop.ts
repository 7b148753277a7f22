// The trading path: broker events in, Hedger decisions, orders out, operations recorded.
// A quote reaches placeOrder synchronously; the sink is only ever enqueued to. Fills are
// recorded from execution reports joined with their commission reports (fill-recorder.ts),
// never on send.
import type { HedgeDecision } from "../core/hedge-decision.ts";
import type { Hedger } from "../core/hedger.ts";
import type { Position } from "../core/instrument.ts";
import type { HedgeOrder, RecordedFill } from "../core/order.ts";
import type { Broker, BrokerEvent } from "../broker/port.ts";
import { AccountPositions } from "./account-positions.ts";
import type { DaemonLog } from "./daemon-log.ts";
import { FillRecorder } from "./fill-recorder.ts";
import { type FlattenEndCause, FlattenGoal } from "./flatten-goal.ts";
import type { OperationRecorder } from "./operation-recorder.ts";
import type { DaemonIds } from "./order-ref.ts";
import { OutsideChangeLog } from "./outside-change-log.ts";
import { PositionsAnswerMarks } from "./positions-answer-marks.ts";
import type { ReconcileResult } from "./reconcile.ts";
import type { BlockReason } from "../sink/records.ts";

type HedgeDecisionOf<T extends HedgeDecision["type"]> = Extract<HedgeDecision, { type: T }>;

interface TrackedOrder {
  readonly order: HedgeOrder;
  brokerOrderId: number | null;
  acknowledged: boolean;
  cancelRequested: boolean;
}

export interface HedgeLoopDeps {
  readonly hedger: Hedger;
  readonly broker: Broker;
  readonly ids: DaemonIds;
  readonly recorder: OperationRecorder;
  readonly log: DaemonLog;
  readonly marketNowMs: () => number;
  readonly wallNowMs: () => number;
  /** True only in RUNNING: orders may be placed for ordinary hedges. */
  readonly tradingAllowed: () => boolean;
  /** True in RUNNING and PAUSED (the book is reconciled, no stop under way): a flatten may send. */
  readonly ordersAllowed: () => boolean;
  readonly stateName: () => string;
  /** Daily counters changed (order created, fill, commission): persist them. */
  readonly onDailyStateChanged: () => void;
  /** A tracked order reached a final state. */
  readonly onOrderFinal: () => void;
  /** The fill `execId` of `orderRef` as the operations trail has it (what a correction of an earlier run's fill replaces). */
  readonly findRecordedFill: (orderRef: string, execId: string) => Promise<RecordedFill | null>;
}

export class HedgeLoop {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly positions: AccountPositions;
  /** Executions joined with their commissions, each recorded once. */
  readonly fills: FillRecorder;
  private readonly flatten: FlattenGoal;
  private readonly outsideChanges: OutsideChangeLog;
  /** Where the broker took its positions answer among the executions and reports this loop received. */
  readonly positionsAnswer: PositionsAnswerMarks;

  constructor(private readonly deps: HedgeLoopDeps) {
    this.fills = new FillRecorder(deps);
    this.positions = new AccountPositions(deps);
    this.positionsAnswer = new PositionsAnswerMarks(() => ({ seenMark: this.fills.seen.mark(), reportMark: this.positions.reportMark() }));
    this.outsideChanges = new OutsideChangeLog(deps);
    this.flatten = new FlattenGoal({
      ...deps,
      ordersInFlight: () => this.orders.size,
      send: (decision, nowMs) => this.submit(decision, nowMs, "flatten"),
    });
  }

  // --- broker events ----------------------------------------------------------------
  onBrokerEvent(event: BrokerEvent): void {
    const { hedger } = this.deps;
    switch (event.type) {
      case "quote":
        if (event.symbol !== hedger.params.strategy.symbol) return;
        hedger.onQuote(event);
        this.evaluate();
        return;
      case "option_greeks":
        hedger.onOptionGreeks(event.contractKey, event);
        return;
      case "position":
        this.positions.onReport(event.position);
        return;
      case "positions_end":
        this.positionsAnswer.onPositionsEnd();
        return;
      case "order_status":
        this.onOrderStatus(event);
        return;
      case "order_warning":
        this.onOrderWarning(event);
        return;
      case "execution":
        this.fills.onExecution(event.execution);
        this.progressFlatten(); // a flatten may be waiting for this execution to size its order
        return;
      case "commission":
        this.fills.onCommission(event.commission);
        return;
      case "connection":
      case "market_data_health":
        return; // the daemon's lifecycle handles these
      default: {
        const unreachable: never = event;
        throw new Error(`unknown broker event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * After a (re)connect reconciliation: executions that happened while the broker was out of
   * reach reach the Hedger exactly as live ones do (core dedups by execId), and an own order no
   * longer working at the broker is final with what the broker executed: no status for it will
   * ever come (a cancel would be refused), so waiting would hold hedging forever. Then the
   * broker's positions replace the book's view, followed by the reports newer than them.
   */
  applyReconciliation(result: ReconcileResult): void {
    const { hedger, recorder } = this.deps;
    for (const { execution, commission: answered, replaced } of result.missingExecutions) {
      if (this.fills.seen.has(execution.execId)) continue; // reported live while reconciling
      const commission = answered ?? this.fills.takeEarlyCommission(execution.execId); // sent after the answer, while reconciling
      this.fills.recordFound(execution, commission, replaced);
    }
    recorder.record("reconcile", result.record);
    for (const warning of result.warnings) this.deps.log.log("warn", this.deps.stateName(), `reconcile: ${warning}`);
    const nowMs = this.deps.marketNowMs();
    for (const [orderRef, tracked] of [...this.orders]) {
      if (result.openOrderRefs.has(orderRef)) {
        // Still working at the broker: its reports go on. A cancel asked for around the drop may never have arrived.
        if (tracked.cancelRequested) this.requestCancel(orderRef, "cancel asked for before the broker connection was lost");
        continue;
      }
      const filledShares = Math.min(result.filledSharesByOrderRef.get(orderRef) ?? 0, tracked.order.quantityShares);
      const status = filledShares >= tracked.order.quantityShares ? "filled" : "cancelled";
      hedger.onOrderStatus({ orderRef, status, filledShares, tsEventMs: nowMs });
      if (status === "cancelled") {
        this.deps.recorder.record("cancel", {
          orderRef,
          brokerOrderId: tracked.brokerOrderId,
          side: tracked.order.side,
          quantityShares: tracked.order.quantityShares,
          reason: "reconcile: order no longer working at the broker",
          payload: { filledShares, marketTsMs: nowMs },
        });
      }
      // Not finish(): a pending flatten is sized after the positions below, by the daemon.
      this.orders.delete(orderRef);
      this.fills.forgetOrder(orderRef);
      this.deps.onOrderFinal();
    }
    this.positions.reset(result.positions, result.reportMark);
  }

  /** A connection's reconciliation is about to run: position reports wait for its whole list (see AccountPositions). */
  awaitReconciliation(): void {
    this.positions.awaitReconciliation();
  }

  /** Positions current now (no report is newer) replace the book's view (and the legs' market data lines). */
  resetPositions(positions: readonly Position[]): void {
    this.positions.reset(positions, this.positions.reportMark());
  }

  // --- decisions and orders ------------------------------------------------------------
  /** The hot path: decide on the latest quote and send at once; nothing here awaits. */
  evaluate(): void {
    const nowMs = this.deps.marketNowMs();
    if (!this.deps.tradingAllowed()) {
      this.tick(nowMs);
      return;
    }
    this.cancelTimedOutOrders(nowMs);
    const decision = this.deps.hedger.evaluate(nowMs);
    this.outsideChanges.update(nowMs);
    if (decision.type === "hedge") this.submit(decision, nowMs, "hedge");
  }

  /**
   * Time passed without a decision (heartbeat, paused): core may adopt a position change made
   * outside gs now, since TWS reports a manual trade once and then stays silent.
   */
  tick(nowMs: number): void {
    this.deps.hedger.tick(nowMs);
    this.outsideChanges.update(nowMs);
    this.progressFlatten(); // a flatten waiting for executions must not wait forever
  }

  private submit(decision: HedgeDecisionOf<"hedge">, nowMs: number, purpose: "hedge" | "flatten"): void {
    const { hedger, broker, recorder } = this.deps;
    // Reconciling, the book predates the reconnect and new orders are missing from its snapshot; stopping, nothing would cancel them.
    if (!this.deps.ordersAllowed()) throw new Error(`a ${purpose} order was about to go out in state ${this.deps.stateName()}; orders go out only in RUNNING or PAUSED`);
    const order = hedger.createOrder(decision, nowMs, this.deps.ids.orderRefs);
    const tracked: TrackedOrder = { order, brokerOrderId: null, acknowledged: false, cancelRequested: false };
    this.orders.set(order.orderRef, tracked);
    this.fills.expectOrder(order.orderRef, order.quantityShares);
    let sendError: string | null = null;
    try {
      tracked.brokerOrderId = broker.placeOrder(order);
    } catch (error) {
      sendError = error instanceof Error ? error.message : String(error);
    }
    // Only the send is guarded: a failure in core after a successful send is a bug, not a reject.
    if (tracked.brokerOrderId !== null) hedger.onOrderAccepted(order.orderRef, tracked.brokerOrderId, nowMs);
    else {
      hedger.onOrderSendFailed(order.orderRef, sendError ?? "no broker order id", nowMs);
      this.orders.delete(order.orderRef);
      this.fills.forgetOrder(order.orderRef);
    }
    // Recorded after the order is out: the audit trail never delays the market.
    const snapshot = hedger.snapshot(nowMs);
    recorder.record("hedge_intent", {
      orderRef: order.orderRef,
      side: order.side,
      quantityShares: order.quantityShares,
      price: decision.spot,
      reason: purpose === "flatten" ? "flatten" : decision.forced ? "forced_delta" : "delta_threshold",
      payload: {
        purpose,
        decision,
        marketTsMs: nowMs,
        bid: snapshot.bid,
        ask: snapshot.ask,
        optionDeltaShares: snapshot.optionDeltaShares,
        hedgeSharesBefore: snapshot.hedgeShares,
        gammaShares: snapshot.gammaShares,
        dataAgeMs: snapshot.dataAgeMs,
        legs: snapshot.legs.length,
      },
    });
    const orderFields = { orderRef: order.orderRef, side: order.side, quantityShares: order.quantityShares };
    if (sendError === null) {
      recorder.record("order_sent", {
        ...orderFields,
        brokerOrderId: tracked.brokerOrderId,
        price: order.limitPrice ?? null,
        payload: { orderType: order.orderType, symbol: order.symbol },
      });
      this.deps.log.log("info", this.deps.stateName(), `hedge ${order.side} ${order.quantityShares} ${order.symbol}`, {
        orderRef: order.orderRef,
        deltaShares: Math.round(decision.deltaShares),
        // A mid of two cent prices, to the half cent: the log shows 519.14, not 519.1400000000001.
        spot: Math.round(decision.spot * 1_000) / 1_000,
        purpose,
      });
    } else {
      recorder.record("reject", { ...orderFields, reason: `send_failed: ${sendError}` });
      this.deps.log.log("warn", this.deps.stateName(), `order not sent: ${sendError}`, { orderRef: order.orderRef });
    }
    this.deps.onDailyStateChanged();
  }

  cancelTimedOutOrders(nowMs: number): void {
    for (const orderRef of this.deps.hedger.timedOutOrders(nowMs)) {
      this.deps.hedger.onCancelRequested(orderRef, nowMs);
      this.requestCancel(orderRef, "order_timeout");
    }
  }

  /** Asks the broker to cancel one of our orders; recorded as cancel_request. */
  requestCancel(orderRef: string, reason: string): void {
    const tracked = this.orders.get(orderRef);
    if (tracked) tracked.cancelRequested = true;
    try {
      this.deps.broker.cancelOrder(orderRef);
      this.deps.recorder.record("cancel_request", { orderRef, brokerOrderId: tracked?.brokerOrderId ?? null, reason });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.recorder.record("cancel_request", { orderRef, reason: `${reason}; not sent: ${message}` });
    }
  }

  /** Our orders not yet final (to cancel on stop and flatten). */
  workingOrderRefs(): string[] {
    return [...this.orders.keys()];
  }

  /** An order this process sent and still follows (a reconnect leaves it working). */
  tracksOrder(orderRef: string): boolean {
    return this.orders.has(orderRef);
  }

  /** Why a flatten must not start now (a hard block disputes the hedge shares), or null. */
  flattenRefusal(): string | null {
    return this.flatten.refusal();
  }

  /** Close this strategy's hedge shares (never options, never other symbols), after working orders are gone. */
  requestFlatten(): string {
    this.flatten.start();
    const working = this.workingOrderRefs();
    for (const orderRef of working) {
      this.deps.hedger.onCancelRequested(orderRef, this.deps.marketNowMs());
      this.requestCancel(orderRef, "flatten");
    }
    const { hedgeShares, pendingShares } = this.deps.hedger.snapshot(this.deps.marketNowMs());
    this.progressFlatten();
    if (working.length > 0) return `flatten: cancelling ${working.length} working order(s), then closing the hedge shares (${hedgeShares} now)`;
    if (pendingShares !== 0) return `flatten: waiting for the executions of ${Math.abs(pendingShares)} shares reported filled, then closing the hedge shares (${hedgeShares} now)`;
    return `flatten: closing ${hedgeShares} hedge shares`;
  }

  /** Hedging resumes or the daemon stops: a flatten not finished ends (recorded). */
  endFlatten(cause: FlattenEndCause): void {
    this.flatten.end(cause);
  }

  /** A flatten an earlier process did not finish (read from its last status row). */
  carryOverFlattenFailure(failure: string): void {
    this.flatten.carryOver(failure);
  }

  /** Moves a flatten on: the next closing order, or done, or abandoned (see flatten-goal.ts). */
  progressFlatten(): void {
    this.flatten.progress();
  }

  flattenBlockReasons(): BlockReason[] {
    return this.flatten.blockReasons();
  }

  // --- order reports -----------------------------------------------------------------------
  private onOrderStatus(event: Extract<BrokerEvent, { type: "order_status" }>): void {
    const tracked = this.orders.get(event.orderRef);
    if (!tracked) return; // not ours, or already final
    this.deps.hedger.onOrderStatus(event);
    const fields = {
      orderRef: event.orderRef,
      brokerOrderId: event.brokerOrderId,
      side: tracked.order.side,
      quantityShares: tracked.order.quantityShares,
    };
    const isAck = event.status === "submitted" || event.status === "pending_submit" || event.status === "partially_filled" || event.status === "filled";
    if (isAck && !tracked.acknowledged && event.status !== "pending_submit") {
      tracked.acknowledged = true;
      this.deps.recorder.record("order_ack", { ...fields, payload: { status: event.status } });
    }
    switch (event.status) {
      case "pending_submit":
      case "submitted":
      case "partially_filled":
        return;
      case "filled":
        this.finish(event.orderRef);
        return;
      case "cancelled":
        this.deps.recorder.record("cancel", { ...fields, reason: event.reason ?? (tracked.cancelRequested ? "cancel_confirmed" : "cancelled_by_broker"), payload: { filledShares: event.filledShares } });
        this.finish(event.orderRef);
        return;
      case "rejected":
        this.deps.recorder.record("reject", { ...fields, reason: event.reason ?? "rejected" });
        this.deps.log.log("warn", this.deps.stateName(), `order rejected: ${event.reason ?? "no reason given"}`, { orderRef: event.orderRef });
        this.finish(event.orderRef);
        return;
      default: {
        const unreachable: never = event.status;
        throw new Error(`unknown order status ${String(unreachable)}`);
      }
    }
  }

  /** The order goes on working (and timing out); the operator learns why it may not fill. */
  private onOrderWarning(event: Extract<BrokerEvent, { type: "order_warning" }>): void {
    const tracked = this.orders.get(event.orderRef);
    if (!tracked) return;
    const reason = `${event.code ?? "-"} ${event.message}`;
    this.deps.recorder.record("order_warning", { orderRef: event.orderRef, brokerOrderId: event.brokerOrderId, side: tracked.order.side, quantityShares: tracked.order.quantityShares, reason });
    this.deps.log.log("warn", this.deps.stateName(), `order still working, broker warns: ${reason}`, { orderRef: event.orderRef });
  }

  private finish(orderRef: string): void {
    this.orders.delete(orderRef);
    this.deps.onOrderFinal();
    this.progressFlatten();
  }
}
