// The Hedger's decisions on quotes: when it holds, and the orders it sends and counts in flight.
import { describe, expect, test } from "bun:test";
import type { HedgeDecision } from "../../src/core/hedge-decision.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { hedgerParams, MONDAY_10AM, stockPosition, straddle, straddleDeltaShares, STRADDLE_EXPIRY_MS } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

describe("holds", () => {
  test("no spot, then no legs: constant decisions", () => {
    const h = new Hedger(hedgerParams());
    expect(h.evaluate(MONDAY_10AM)).toEqual({ type: "hold", reason: "no_spot", deltaShares: null });
    h.onQuote({ bid: 589.99, ask: 590.01, last: 590, tsEventMs: MONDAY_10AM });
    const a = h.evaluate(MONDAY_10AM);
    expect(a).toEqual({ type: "hold", reason: "no_legs", deltaShares: null });
    expect(h.evaluate(MONDAY_10AM + 1)).toBe(a);
  });

  test("unusable quotes (NaN, zero, crossed without last) keep the previous spot", () => {
    const h = new Hedger(hedgerParams());
    h.onQuote({ bid: Number.NaN, ask: 0, last: null, tsEventMs: MONDAY_10AM });
    expect(h.spot).toBeNull();
    h.onQuote({ bid: 100, ask: 100.02, last: null, tsEventMs: MONDAY_10AM });
    h.onQuote({ bid: 101, ask: 100.5, last: null, tsEventMs: MONDAY_10AM + 1 });
    expect(h.spot).toBeCloseTo(100.01, 12);
    h.onQuote({ bid: 101, ask: 100.5, last: 100.7, tsEventMs: MONDAY_10AM + 2 });
    expect(h.spot).toBe(100.7);
  });

  test("delta inside the band holds with the delta", () => {
    const t = new HedgerHarness(hedgerParams(), [...straddle(), stockPosition(-Math.round(straddleDeltaShares(590, MONDAY_10AM + 1000)))]);
    const d = t.quote(590).evaluate();
    expect(d.type === "hold" && d.reason === "in_band" && Math.abs(d.deltaShares!) < 1).toBe(true);
  });

  test("a leg past its expiry close holds instead of hedging a meaningless delta", () => {
    const t = new HedgerHarness(hedgerParams(), straddle());
    t.quote(590).evaluate(); // selected (and latched) while 32 days out
    t.nowMs = STRADDLE_EXPIRY_MS;
    t.quote(590, 0);
    expect(t.evaluate()).toEqual({ type: "hold", reason: "leg_expired", deltaShares: null });
  });
});

describe("hedging and in-flight accounting", () => {
  test("hedges the model delta back to zero, sized in whole shares", () => {
    const t = new HedgerHarness();
    const d = t.quote(594).evaluate();
    const expected = straddleDeltaShares(594, t.nowMs);
    expect(d).toMatchObject({ type: "hedge", side: "SELL", quantityShares: Math.round(expected), forced: false, spot: 594 });
    expect((d as Extract<HedgeDecision, { type: "hedge" }>).deltaShares).toBeCloseTo(expected, 9);
  });

  test("an order in flight counts toward delta: nothing is hedged twice, in any report order", () => {
    const t = new HedgerHarness();
    const order = t.quote(594).hedgeIfWanted()!;
    const before = straddleDeltaShares(594, t.nowMs) - order.quantityShares;
    expect(t.evaluate()).toMatchObject({ type: "hold", reason: "order_in_flight" });
    expect(t.deltaShares()).toBeCloseTo(before, 9);
    // Broker reports the new position BEFORE the execution arrives.
    t.hedger.setPositions([...straddle(), stockPosition(-order.quantityShares)], t.nowMs);
    t.hedger.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: order.quantityShares, tsEventMs: t.nowMs });
    expect(t.deltaShares()).toBeCloseTo(before, 9);
    t.fill(order);
    expect(t.deltaShares()).toBeCloseTo(before, 9);
    expect(t.hedger.snapshot(t.nowMs)).toMatchObject({ hedgeShares: -order.quantityShares, pendingShares: 0 });
    // The next position report agrees with the book: no mismatch, no rebase.
    t.hedger.setPositions([...straddle(), stockPosition(-order.quantityShares)], t.nowMs + 20_000);
    expect(t.hedger.snapshot(t.nowMs + 20_000)).toMatchObject({ positionMismatchShares: 0 });
    expect(t.hedger.positions.adoptedCount).toBe(0);
  });

  test("a duplicated execution report is applied once", () => {
    const t = new HedgerHarness();
    const order = t.quote(594).hedgeIfWanted()!;
    const exec = { execId: "dup", orderRef: order.orderRef, brokerOrderId: 1, symbol: "SPY", side: order.side, shares: order.quantityShares, price: 594, cumulativeShares: order.quantityShares, tsEventMs: t.nowMs };
    t.hedger.onExecution(exec);
    t.hedger.onExecution(exec);
    expect(t.hedger.book.shares).toBe(-order.quantityShares);
  });

  test("a manual stock trade is adopted once the disagreement outlives the settle time (on a report or the clock)", () => {
    const t = new HedgerHarness(hedgerParams({ positionSettleMs: 10_000 }));
    t.quote(590);
    const reportedAt = t.nowMs;
    t.hedger.setPositions([...straddle(), stockPosition(-200)], reportedAt);
    expect(t.hedger.book.shares).toBe(0);
    expect(t.hedger.snapshot(reportedAt + 4_999).blockReasons.map((r) => r.code)).not.toContain("position_mismatch");
    expect(t.hedger.snapshot(reportedAt + 5_000).blockReasons.map((r) => r.code)).toContain("position_mismatch");
    t.hedger.setPositions([...straddle(), stockPosition(-200)], reportedAt + 9_999);
    expect(t.hedger.book.shares).toBe(0);
    t.hedger.setPositions([...straddle(), stockPosition(-200)], reportedAt + 10_000);
    expect(t.hedger.book.shares).toBe(-200);
    expect(t.hedger.positions.adoptedCount).toBe(1);

    // The broker reports a second manual trade once and then stays silent: the clock settles it.
    t.hedger.setPositions([...straddle(), stockPosition(-300)], reportedAt + 20_000);
    t.hedger.evaluate(reportedAt + 29_999);
    expect(t.hedger.book.shares).toBe(-200);
    t.hedger.evaluate(reportedAt + 30_000);
    expect(t.hedger.book.shares).toBe(-300);
    expect(t.hedger.snapshot(reportedAt + 30_000).blockReasons.map((r) => r.code)).not.toContain("position_mismatch");
  });

  test('with outsideStockChange "block" a settled manual trade is held back: every hedge denied as hard_block until adopted', () => {
    const t = new HedgerHarness(hedgerParams({ positionSettleMs: 10_000, outsideStockChange: "block" }));
    t.quote(590);
    const reportedAt = t.nowMs;
    t.hedger.setPositions([...straddle(), stockPosition(-200)], reportedAt);
    t.hedger.tick(reportedAt + 10_000);
    expect([t.hedger.book.shares, t.hedger.positions.adoptedCount]).toEqual([0, 0]);
    t.nowMs = reportedAt + 10_000;
    const denied = t.quote(596).evaluate();
    expect(denied).toMatchObject({ type: "deny", code: "hard_block" });
    expect(t.hedger.snapshot(t.nowMs).hardBlock).toBe(true);
    expect(t.hedger.activeHardBlock?.message).toContain("held back");
    expect(t.hedger.adoptReportedPosition()).toBe(-200);
    expect(t.hedger.activeHardBlock).toBeNull();
    expect(t.quote(596).evaluate().type).toBe("hedge");
  });

  test("tick adopts a manual trade with no quote and no evaluation (paused, market silent)", () => {
    const t = new HedgerHarness(hedgerParams({ positionSettleMs: 10_000 }));
    t.quote(590);
    t.hedger.setPaused(true);
    const reportedAt = t.nowMs;
    t.hedger.setPositions([...straddle(), stockPosition(150)], reportedAt);
    t.hedger.tick(reportedAt + 9_999);
    expect(t.hedger.book.shares).toBe(0);
    t.hedger.tick(reportedAt + 10_000);
    expect([t.hedger.book.shares, t.hedger.positions.adoptedCount]).toEqual([150, 1]);
  });

  test("a disagreement is never adopted while an order is in flight", () => {
    const t = new HedgerHarness(hedgerParams({ positionSettleMs: 10_000 }));
    const order = t.quote(594).hedgeIfWanted()!;
    t.hedger.setPositions([...straddle(), stockPosition(-order.quantityShares)], t.nowMs); // report ahead of the execution
    t.hedger.evaluate(t.nowMs + 60_000);
    expect(t.hedger.book.shares).toBe(0);
    expect(t.hedger.positions.adoptedCount).toBe(0);
    t.fill(order);
    expect(t.hedger.book.shares).toBe(-order.quantityShares);
  });

  test("limit orders are priced marketable at the far side plus the offset, in cents", () => {
    const t = new HedgerHarness(hedgerParams({ hedge: { orderType: "limit", limitOffsetBps: 5 } }));
    const order = t.quote(594).hedgeIfWanted()!;
    expect(order).toMatchObject({ side: "SELL", orderType: "limit", limitPrice: Math.floor(593.99 * 0.9995 * 100) / 100 });
  });

  test("orderRefs come from one sequence, so they are unique", () => {
    const t = new HedgerHarness();
    const d = t.quote(594).evaluate() as Extract<HedgeDecision, { type: "hedge" }>;
    const first = t.hedger.createOrder(d, t.nowMs, t.orderRefs);
    t.hedger.onOrderSendFailed(first.orderRef, "refused", t.nowMs);
    const second = t.hedger.createOrder(d, t.nowMs, t.orderRefs);
    expect([first.orderRef, second.orderRef]).toEqual(["gs:test:SPY:1", "gs:test:SPY:2"]);
    expect(() => t.hedger.createOrder(d, t.nowMs, new OrderRefSequence("gs:other:"))).toThrow("comes from a second ref sequence (gs:other:)");
  });

  test("a timed-out order is cancelled once; its partial fill stays pending until reported", () => {
    const t = new HedgerHarness();
    const order = t.quote(594).hedgeIfWanted()!;
    expect(t.hedger.timedOutOrders(t.nowMs + 29_999)).toEqual([]);
    expect(t.hedger.timedOutOrders(t.nowMs + 30_000)).toEqual([order.orderRef]);
    t.hedger.onCancelRequested(order.orderRef, t.nowMs + 30_000);
    expect(t.hedger.snapshot(t.nowMs + 30_000).hedgeState).toBe("cancelling");
    t.hedger.onOrderStatus({ orderRef: order.orderRef, status: "cancelled", filledShares: 20, tsEventMs: t.nowMs });
    expect(t.hedger.orders.pendingShares).toBe(-20);
    t.fill(order, 20, 594, 20);
    expect([t.hedger.orders.pendingShares, t.hedger.book.shares]).toEqual([0, -20]);
  });
});
