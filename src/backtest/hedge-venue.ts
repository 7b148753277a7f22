// The backtest's side of the broker: it drives the Hedger with exactly the calls the
// daemon's HedgeLoop makes, in the same order, with the simulated broker's venue at zero
// latency in place of the socket:
//   quote -> timedOutOrders/onCancelRequested -> evaluate -> createOrder -> placeOrder ->
//   onOrderAccepted -> order_status(submitted) -> position -> execution -> commission ->
//   order_status(filled)
// (on a quiet bar whose trade the guards allow: Hedger.quietHedge in place of the calls up to
// evaluate, then the same order life cycle).
// Fill prices and commissions come from the sim broker's own pricing functions, so the
// daemon on the sim broker and the backtest fill the same order at the same price.
import { commissionUsd, limitFillPrice, marketableFillPrice } from "../broker/sim/sim-fills.ts";
import type { SimExecutionCosts, SimTouch } from "../broker/sim/sim-fills.ts";
import type { HedgeDecision } from "../core/hedge-decision.ts";
import { HedgeBook } from "../core/hedge-book.ts";
import type { Hedger } from "../core/hedger.ts";
import type { Position, StockContract } from "../core/instrument.ts";
import { contractKey } from "../core/instrument.ts";
import type { HedgeOrder } from "../core/order.ts";
import { OrderRefSequence } from "../core/order-ref-sequence.ts";

export interface VenueFill {
  readonly order: HedgeOrder;
  readonly decision: Extract<HedgeDecision, { type: "hedge" }>;
  readonly price: number;
  readonly commissionUsd: number;
}

export class HedgeVenue {
  /** Account positions as the broker would report them (options by key, and the stock). */
  readonly positions = new Map<string, Position>();
  /** The venue's own stock book (what the broker reports after each fill). */
  private readonly stockBook = new HedgeBook();
  /** The quote event, refreshed in place each bar (the Hedger copies what it keeps). */
  private readonly quote = { bid: 0, ask: 0, last: 0, tsEventMs: 0 };
  private nextBrokerOrderId = 1;
  private readonly orderRefs: OrderRefSequence;

  private readonly stockContract: StockContract;
  private readonly stockKey: string;
  /** Shares the account holds outside the strategy (the Hedger's externalShares): reported with the hedge's, never traded. */
  private readonly externalShares: number;

  constructor(
    private readonly hedger: Hedger,
    private readonly costs: SimExecutionCosts,
    orderRefPrefix: string,
    private readonly account: string,
  ) {
    this.orderRefs = new OrderRefSequence(orderRefPrefix);
    this.stockContract = { secType: "STK", symbol: hedger.params.strategy.symbol };
    this.stockKey = contractKey(this.stockContract);
    this.externalShares = hedger.params.externalShares;
    if (this.externalShares !== 0) this.positions.set(this.stockKey, { contract: this.stockContract, quantity: this.externalShares, avgCost: 0, account });
  }

  /**
   * Reports option positions (start, rolls) the way the broker's position events do. A
   * closed position is reported once with quantity 0 and then leaves the account, as it
   * does at IB, so the list stays the size of what is held.
   */
  setOptionPositions(positions: readonly Position[], nowMs: number): void {
    for (const position of positions) this.positions.set(contractKey(position.contract), position);
    this.hedger.setPositions(this.relist(), nowMs);
    for (const position of positions) if (position.quantity === 0) this.positions.delete(contractKey(position.contract));
    this.relist();
  }

  /**
   * The account's positions in the map's order, kept as a list the Hedger is given as is: a
   * fill replaces the stock's entry in place (the Hedger keeps no report list), where spreading
   * the map on every fill was a good part of a fill's cost.
   */
  private listed: Position[] = [];
  private stockIndex = -1;

  private relist(): Position[] {
    // Built by push, the one way: a list spread from the map came out of optimised code in
    // another array shape than from the interpreter, and the fill's in-place store deoptimised.
    const listed: Position[] = [];
    let stockIndex = -1;
    for (const position of this.positions.values()) {
      if (position.contract.secType === "STK") stockIndex = listed.length;
      listed.push(position);
    }
    this.listed = listed;
    this.stockIndex = stockIndex;
    return listed;
  }

  /** The fill of the last onQuote's hedge, or null (marketable orders fill in full at once). */
  lastFill: VenueFill | null = null;

  /** One quote through the daemon's sequence; returns the decision (see lastFill for its fill). */
  onQuote(touch: SimTouch, last: number, nowMs: number): HedgeDecision {
    const hedger = this.hedger;
    const quote = this.quote;
    quote.bid = touch.bid;
    quote.ask = touch.ask;
    quote.last = last;
    quote.tsEventMs = nowMs;
    hedger.onQuote(quote);
    const timedOut = hedger.timedOutOrders(nowMs);
    for (let i = 0; i < timedOut.length; i++) this.cancel(timedOut[i] as string, nowMs);
    const decision = hedger.evaluate(nowMs);
    this.lastFill = decision.type === "hedge" ? this.submit(decision, nowMs, touch) : null;
    return decision;
  }

  /** A quiet bar's hedge (Hedger.quietHedge) on this quote, through onQuote's order life cycle. */
  quietHedge(touch: SimTouch, spot: number, nowMs: number): HedgeDecision {
    const decision = this.hedger.quietHedge(nowMs, spot, touch.bid, touch.ask);
    this.lastFill = this.submit(decision, nowMs, touch);
    return decision;
  }

  private submit(decision: Extract<HedgeDecision, { type: "hedge" }>, nowMs: number, touch: SimTouch): VenueFill | null {
    const hedger = this.hedger;
    const order = hedger.createOrder(decision, nowMs, this.orderRefs);
    const brokerOrderId = this.nextBrokerOrderId++;
    hedger.onOrderAccepted(order.orderRef, brokerOrderId, nowMs);
    hedger.onOrderStatus({ orderRef: order.orderRef, status: "submitted", filledShares: 0, tsEventMs: nowMs });
    const price =
      order.orderType === "limit" && order.limitPrice !== undefined
        ? limitFillPrice(order.side, order.limitPrice, touch, this.costs)
        : marketableFillPrice(order.side, touch, this.costs);
    if (price === null) return null; // a limit away from the touch stays working until its timeout
    const shares = order.quantityShares;
    const signed = order.side === "BUY" ? shares : -shares;
    // One execution per order (it fills in full at once): the orderRef makes its id, with no number to format.
    const execId = `${order.orderRef}.fill`;
    const commission = commissionUsd(shares, this.costs);
    this.stockBook.applyFill(signed, price);
    const stock: Position = { contract: this.stockContract, quantity: this.stockBook.shares + this.externalShares, avgCost: this.stockBook.avgCostUsd, account: this.account };
    this.positions.set(this.stockKey, stock);
    if (this.stockIndex < 0) this.relist();
    else this.listed[this.stockIndex] = stock;
    hedger.setPositions(this.listed, nowMs);
    hedger.onExecution({ execId, orderRef: order.orderRef, brokerOrderId, symbol: order.symbol, side: order.side, shares, price, cumulativeShares: shares, tsEventMs: nowMs });
    hedger.onCommission({ execId, commissionUsd: commission, tsEventMs: nowMs });
    hedger.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: shares, tsEventMs: nowMs });
    return { order, decision, price, commissionUsd: commission };
  }

  /** A timed-out order: the daemon asks to cancel; the venue confirms at once. */
  private cancel(orderRef: string, nowMs: number): void {
    this.hedger.onCancelRequested(orderRef, nowMs);
    this.hedger.onOrderStatus({ orderRef, status: "cancelled", filledShares: 0, tsEventMs: nowMs });
  }

  get stockShares(): number {
    return this.stockBook.shares;
  }
}
