// The Hedger: one deterministic, stateful object that the daemon (live) and the backtest
// (replay) drive with the same calls in the same order, so both make the same decisions.
// It never reads a clock: every input carries its time (`nowMs` / `tsEventMs`).
//
// Typical cycle (daemon and backtest alike):
//   hedger.setPositions(positions, nowMs)          // on reconcile and on every position report
//   hedger.onQuote(quote)                          // every tick / bar
//   hedger.onOptionGreeks(key, greeks)             // broker greeks, when the broker has them
//   const d = hedger.evaluate(nowMs)               // hedge | hold(reason) | deny(code, context)
//   if (d.type === "hedge") {
//     const order = hedger.createOrder(d, nowMs, orderRef)   // now in flight: counts toward delta
//     try { const id = broker.placeOrder(order); hedger.onOrderAccepted(order.orderRef, id, nowMs) }
//     catch (e) { hedger.onOrderSendFailed(order.orderRef, String(e), nowMs) }
//   }
//   broker events -> onOrderStatus / onExecution / onCommission
//   for (const ref of hedger.timedOutOrders(nowMs)) { hedger.onCancelRequested(ref, nowMs); broker.cancelOrder(ref) }
import type { HedgerDailyState } from "./daily-state.ts";
import type { HedgeDecision } from "./hedge-decision.ts";
import type { HedgerParams } from "./hedger-params.ts";
import type { HedgerSnapshot } from "./hedger-snapshot.ts";
import type { Position } from "./instrument.ts";
import type { BrokerOrderStatus, CommissionReport, ExecutionReport, HedgeOrder } from "./order.ts";

export interface QuoteInput {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly last: number | null;
  readonly tsEventMs: number;
}

/** Broker-computed greeks of one option; any field the broker did not compute is null. */
export interface OptionGreeksInput {
  readonly impliedVol: number | null;
  readonly delta: number | null;
  readonly gamma: number | null;
  readonly vega: number | null;
  readonly theta: number | null;
  readonly optionPrice: number | null;
  readonly tsEventMs: number;
}

export interface OrderStatusInput {
  readonly orderRef: string;
  readonly status: BrokerOrderStatus;
  /** Cumulative filled shares as the broker reports them. */
  readonly filledShares: number;
  readonly tsEventMs: number;
}

const notYet = (what: string): Error => new Error(`Hedger.${what}: not implemented yet`);

export class Hedger {
  constructor(readonly params: HedgerParams) {}

  // ---- inputs -------------------------------------------------------------------------

  /**
   * All account positions (the Hedger picks its own: the symbol's stock and option legs).
   * The stock position becomes the book's baseline on the first call; later reports are
   * compared with the book (baseline + own fills by execId) and adopted only when they keep
   * disagreeing for `positionSettleMs` with nothing in flight (a manual trade). Legs are
   * latched: options newly held are selected by DTE window and ATM band; a held leg stays a
   * leg until its position goes to zero, even when it drifts out of the band (flagged, not
   * dropped: dropping it would hedge the stock toward zero, SPEC §10 defect 8).
   */
  setPositions(_positions: readonly Position[], _nowMs: number): void {
    throw notYet("setPositions");
  }

  /** Quote of the underlying. Spot = mid when both sides are sane, else last. */
  onQuote(_quote: QuoteInput): void {
    throw notYet("onQuote");
  }

  /** Broker greeks for one option (contractKey() of the option); ignored for non-legs. */
  onOptionGreeks(_contractKey: string, _greeks: OptionGreeksInput): void {
    throw notYet("onOptionGreeks");
  }

  setBrokerConnected(_connected: boolean, _nowMs: number): void {
    throw notYet("setBrokerConnected");
  }

  setPaused(_paused: boolean): void {
    throw notYet("setPaused");
  }

  /** A hard block (e.g. `reconcile_mismatch`) stops all hedging until cleared with null. */
  setHardBlock(_block: { readonly code: string; readonly message: string } | null): void {
    throw notYet("setHardBlock");
  }

  // ---- decision ------------------------------------------------------------------------

  /**
   * Decide what to do now. The hold path (the common case) allocates nothing beyond the
   * returned value; guards run only when the policy wants a hedge.
   */
  evaluate(_nowMs: number): HedgeDecision {
    throw notYet("evaluate");
  }

  /**
   * Turn a hedge decision into an order and put it in flight: pending shares count toward
   * delta at once, the daily count, cooldown clock and last hedge price move now.
   */
  createOrder(_decision: Extract<HedgeDecision, { type: "hedge" }>, _nowMs: number, _orderRef: string): HedgeOrder {
    throw notYet("createOrder");
  }

  // ---- order life cycle ----------------------------------------------------------------

  /** placeOrder returned: the broker has the order. */
  onOrderAccepted(_orderRef: string, _brokerOrderId: number, _nowMs: number): void {
    throw notYet("onOrderAccepted");
  }

  /** placeOrder threw (not connected, refused): the order never reached the market. */
  onOrderSendFailed(_orderRef: string, _reason: string, _nowMs: number): void {
    throw notYet("onOrderSendFailed");
  }

  onOrderStatus(_status: OrderStatusInput): void {
    throw notYet("onOrderStatus");
  }

  /** Own executions move the book (deduplicated by execId); others' are ignored. */
  onExecution(_execution: ExecutionReport): void {
    throw notYet("onExecution");
  }

  onCommission(_commission: CommissionReport): void {
    throw notYet("onCommission");
  }

  /** In-flight orders older than order timeout that have not been asked to cancel yet. */
  timedOutOrders(_nowMs: number): readonly string[] {
    throw notYet("timedOutOrders");
  }

  onCancelRequested(_orderRef: string, _nowMs: number): void {
    throw notYet("onCancelRequested");
  }

  // ---- state ---------------------------------------------------------------------------

  snapshot(_nowMs: number): HedgerSnapshot {
    throw notYet("snapshot");
  }

  dailyState(_nowMs: number): HedgerDailyState {
    throw notYet("dailyState");
  }

  /** Counters of another trading day are ignored; last hedge time/price are always kept. */
  restoreDailyState(_state: HedgerDailyState, _nowMs: number): void {
    throw notYet("restoreDailyState");
  }
}
