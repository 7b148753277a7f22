// Drives a Hedger the way the daemon does, with a fake fill (execution, commission, status,
// then the broker's position report) on demand, for Hedger tests.
import type { HedgeDecision } from "../../src/core/hedge-decision.ts";
import { Hedger } from "../../src/core/hedger.ts";
import type { HedgerParams } from "../../src/core/hedger-params.ts";
import type { Position } from "../../src/core/instrument.ts";
import type { HedgeOrder } from "../../src/core/order.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { hedgerParams, MONDAY_10AM, stockPosition, straddle } from "./core-fixtures.ts";

export class HedgerHarness {
  readonly hedger: Hedger;
  nowMs = MONDAY_10AM;
  /** The harness's orderRefs, for tests that create orders themselves. */
  readonly orderRefs = new OrderRefSequence("gs:test:SPY:");
  private seq = 0;
  private execSeq = 0;

  private readonly options: Position[];
  private stockShares = 0;

  constructor(params: HedgerParams = hedgerParams(), positions = straddle()) {
    this.hedger = new Hedger(params);
    this.hedger.setBrokerConnected(true, this.nowMs);
    this.hedger.setPositions(positions, this.nowMs);
    this.options = positions.filter((p) => p.contract.secType === "OPT");
    this.stockShares = positions.find((p) => p.contract.secType === "STK")?.quantity ?? 0;
  }

  /** Moves the clock and quotes a 2-cent-wide market around `spot`. */
  quote(spot: number, advanceMs = 1000): this {
    this.nowMs += advanceMs;
    this.hedger.onQuote({ bid: spot - 0.01, ask: spot + 0.01, last: spot, tsEventMs: this.nowMs });
    return this;
  }

  evaluate(): HedgeDecision {
    return this.hedger.evaluate(this.nowMs);
  }

  /** Evaluates and, on a hedge, creates and "sends" the order (accepted, not filled). */
  hedgeIfWanted(): HedgeOrder | null {
    const d = this.evaluate();
    if (d.type !== "hedge") return null;
    const order = this.hedger.createOrder(d, this.nowMs, this.orderRefs);
    this.hedger.onOrderAccepted(order.orderRef, ++this.seq, this.nowMs);
    return order;
  }

  fill(order: HedgeOrder, shares = order.quantityShares, price = this.hedger.spot ?? 0, cumulativeShares = shares): void {
    const execId = `x${++this.execSeq}`;
    this.hedger.onExecution({
      execId,
      orderRef: order.orderRef,
      brokerOrderId: 1,
      symbol: order.symbol,
      side: order.side,
      shares,
      price,
      cumulativeShares,
      tsEventMs: this.nowMs,
    });
    this.hedger.onCommission({ execId, commissionUsd: 1, tsEventMs: this.nowMs });
    if (cumulativeShares >= order.quantityShares) {
      this.hedger.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: cumulativeShares, tsEventMs: this.nowMs });
    }
    // The broker's position report follows the execution, as IB's does.
    this.stockShares += order.side === "BUY" ? shares : -shares;
    this.hedger.setPositions([...this.options, stockPosition(this.stockShares, price)], this.nowMs);
  }

  deltaShares(): number {
    const s = this.hedger.snapshot(this.nowMs);
    return s.portfolioDeltaShares ?? Number.NaN;
  }
}
