// Property: whatever order the broker's reports arrive in (acks, partial executions, final
// statuses, duplicates, position reports before or after the executions, cancels racing
// fills), the Hedger never throws, counts every fill exactly once, and ends each order with
// book = the broker's true position and nothing pending.
import { describe, expect, test } from "bun:test";
import { Hedger } from "../../src/core/hedger.ts";
import type { HedgeOrder } from "../../src/core/order.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { hedgerParams, MONDAY_10AM, seededRandom, stockPosition, straddle } from "./core-fixtures.ts";

type Report = () => void;

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function runScenario(seed: number): void {
  const random = seededRandom(seed);
  const h = new Hedger(hedgerParams({ guards: { cooldownMs: 0, minPriceMoveFraction: 0, maxDailyHedges: 10_000 } }));
  let now = MONDAY_10AM;
  let brokerShares = 0; // the broker's true stock position
  let execSeq = 0;
  const refs = new OrderRefSequence("o");
  h.setBrokerConnected(true, now);
  h.setPositions(straddle(), now);
  for (let step = 0; step < 60; step++) {
    now += 1000;
    const spot = 590 + (random() - 0.5) * 20;
    h.onQuote({ bid: spot - 0.01, ask: spot + 0.01, last: spot, tsEventMs: now });
    const d = h.evaluate(now);
    if (d.type !== "hedge") continue;
    const order: HedgeOrder = h.createOrder(d, now, refs);
    const sign = order.side === "BUY" ? 1 : -1;
    // How much the broker fills before (maybe) a cancel, split into 1-3 executions.
    const cancelled = random() < 0.3;
    const filled = cancelled ? Math.floor(random() * order.quantityShares) : order.quantityShares;
    const parts: number[] = [];
    for (let left = filled; left > 0; ) {
      const part = Math.min(left, 1 + Math.floor(random() * left));
      parts.push(part);
      left -= part;
    }
    const reports: Report[] = [() => h.onOrderAccepted(order.orderRef, step, now), () => h.onOrderStatus({ orderRef: order.orderRef, status: "submitted", filledShares: 0, tsEventMs: now })];
    let cumulative = 0;
    for (const part of parts) {
      cumulative += part;
      const execution = { execId: `e${++execSeq}`, orderRef: order.orderRef, brokerOrderId: step, symbol: "SPY", side: order.side, shares: part, price: spot, cumulativeShares: cumulative, tsEventMs: now };
      reports.push(() => h.onExecution(execution));
      if (random() < 0.3) reports.push(() => h.onExecution(execution)); // duplicate delivery
      reports.push(() => h.onCommission({ execId: execution.execId, commissionUsd: 0.5, tsEventMs: now }));
    }
    const intendedShares = brokerShares + sign * order.quantityShares;
    brokerShares += sign * filled;
    const finalShares = brokerShares;
    let finalStatusSeen = false;
    reports.push(() => h.setPositions([...straddle(), stockPosition(finalShares)], now));
    if (cancelled) {
      reports.push(() => h.onCancelRequested(order.orderRef, now));
      reports.push(() => {
        h.onOrderStatus({ orderRef: order.orderRef, status: "cancelled", filledShares: filled, tsEventMs: now });
        finalStatusSeen = true;
      });
    } else {
      reports.push(() => h.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: filled, tsEventMs: now }));
      if (random() < 0.5) reports.push(() => h.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: filled, tsEventMs: now }));
    }
    for (const report of shuffle(reports, random)) {
      report();
      // At every moment the book plus what is still owed is where the position will end: the
      // whole order until a cancel says how much of it was filled.
      expect(h.book.shares + h.orders.pendingShares).toBe(cancelled && !finalStatusSeen ? intendedShares : finalShares);
    }
    expect([h.book.shares, h.orders.pendingShares, h.orders.liveCount]).toEqual([brokerShares, 0, 0]);
    expect(h.positions.adoptedCount).toBe(0);
  }
}

describe("report order does not matter", () => {
  test.each(Array.from({ length: 200 }, (_, i) => i + 1))("seed %p", (seed) => {
    runScenario(seed);
  });
});
