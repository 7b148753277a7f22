import { describe, expect, test } from "bun:test";
import { blackScholes } from "../../src/core/greeks.ts";
import type { HedgeDecision } from "../../src/core/hedge-decision.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { YEAR_MS } from "../../src/core/leg-book.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { hedgerParams, MONDAY_10AM, optionPosition, seededRandom, STRATEGY, stockPosition, straddle } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

const EXPIRY_MS = Date.parse("2025-04-04T20:00:00Z");

/** Option delta in shares of the default 5-lot 590 straddle, by the model. */
function straddleDeltaShares(spot: number, nowMs: number, vol = STRATEGY.fallbackVol): number {
  const T = (EXPIRY_MS - nowMs) / YEAR_MS;
  const c = blackScholes("C", spot, 590, T, STRATEGY.riskFreeRate, STRATEGY.dividendYield, vol);
  const p = blackScholes("P", spot, 590, T, STRATEGY.riskFreeRate, STRATEGY.dividendYield, vol);
  return 500 * (c.delta + p.delta);
}

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
    t.nowMs = EXPIRY_MS;
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

describe("guards through the Hedger", () => {
  test("cooldown denies, then allows exactly at the cooldown; a forced delta bypasses it", () => {
    const t = new HedgerHarness();
    const first = t.quote(594).hedgeIfWanted()!;
    t.fill(first);
    const hedgedAt = t.nowMs;
    const d = t.quote(598, 1000).evaluate();
    expect(d).toMatchObject({ type: "deny", code: "cooldown", forced: false });
    t.nowMs = hedgedAt + 60_000;
    t.quote(598, 0);
    expect(t.evaluate().type).toBe("hedge");

    const f = new HedgerHarness(hedgerParams({ hedge: { forcedDeltaShares: 60 } }));
    const o = f.quote(594).hedgeIfWanted()!;
    f.fill(o);
    expect(f.quote(602).evaluate()).toMatchObject({ type: "hedge", forced: true });
  });

  test("paused, broker down, hard block and stale data deny with their codes", () => {
    const t = new HedgerHarness();
    t.quote(594);
    t.hedger.setPaused(true);
    expect(t.evaluate()).toMatchObject({ type: "deny", code: "paused" });
    t.hedger.setPaused(false);
    t.hedger.setBrokerConnected(false, t.nowMs);
    expect(t.evaluate()).toMatchObject({ type: "deny", code: "broker_not_connected" });
    t.hedger.setBrokerConnected(true, t.nowMs);
    t.hedger.setHardBlock({ code: "reconcile_mismatch", message: "broker 100, book 0" });
    expect(t.evaluate()).toMatchObject({ type: "deny", code: "hard_block", context: { blockCode: "reconcile_mismatch" } });
    expect(t.hedger.snapshot(t.nowMs).hardBlock).toBe(true);
    t.hedger.setHardBlock(null);
    t.nowMs += 5001;
    expect(t.evaluate()).toMatchObject({ type: "deny", code: "stale_data" });
  });

  test("outside trading hours: weekend denies", () => {
    const t = new HedgerHarness();
    t.nowMs = Date.parse("2025-03-08T15:00:00Z");
    expect(t.quote(594, 0).evaluate()).toMatchObject({ type: "deny", code: "outside_trading_hours" });
  });

  test("the circuit breaker trips on the day's loss and stays tripped for the day", () => {
    // Held since before today: the straddle and a (too large) short of 1000 shares.
    const t = new HedgerHarness(hedgerParams({ guards: { maxDailyLossUsd: 5000 } }), [...straddle(), stockPosition(-1000, 590)]);
    t.quote(590);
    expect(t.evaluate()).toMatchObject({ type: "hedge", side: "BUY" }); // day's baselines taken here
    expect(t.hedger.dailyPnlUsd(t.nowMs)).toBeCloseTo(0, 9);
    t.quote(597, 1000); // the short loses 7000, the straddle gains far less
    const pnl = t.hedger.dailyPnlUsd(t.nowMs)!;
    expect(pnl).toBeLessThan(-5000);
    expect(t.evaluate()).toMatchObject({ type: "deny", code: "circuit_breaker", context: { maxDailyLossUsd: 5000 } });
    expect(t.hedger.snapshot(t.nowMs)).toMatchObject({ circuitBreakerTripped: true, hardBlock: true });
    t.quote(590, 1000); // the loss recovers: still tripped today
    expect(t.evaluate()).toMatchObject({ type: "deny", code: "circuit_breaker" });
    expect(t.hedger.dailyState(t.nowMs).circuitBreakerTripped).toBe(true);
    t.nowMs = Date.parse("2025-03-04T15:00:00Z"); // next trading day
    expect(t.quote(590, 0).evaluate()).toMatchObject({ type: "hedge" });
    expect(t.hedger.circuitBreakerTripped).toBe(false);
  });

  test("max daily hedges counts orders and resets at New York midnight", () => {
    const t = new HedgerHarness(hedgerParams({ guards: { maxDailyHedges: 1, cooldownMs: 0, minPriceMoveFraction: 0 } }));
    t.fill(t.quote(594).hedgeIfWanted()!);
    expect(t.quote(600).evaluate()).toMatchObject({ type: "deny", code: "max_daily_hedges" });
    expect(t.hedger.dailyState(t.nowMs)).toMatchObject({ tradingDay: "2025-03-03", hedgeCount: 1 });
    t.nowMs = Date.parse("2025-03-04T04:59:59Z");
    expect(t.hedger.dailyState(t.nowMs).hedgeCount).toBe(1);
    t.nowMs = Date.parse("2025-03-04T05:00:00Z");
    expect(t.hedger.dailyState(t.nowMs)).toMatchObject({ tradingDay: "2025-03-04", hedgeCount: 0 });
  });
});

describe("daily state survives restarts", () => {
  test("same day: counters, breaker and cooldown come back; another day: only the last hedge", () => {
    const t = new HedgerHarness();
    t.fill(t.quote(594).hedgeIfWanted()!);
    const saved = t.hedger.dailyState(t.nowMs);
    expect(saved).toMatchObject({ hedgeCount: 1, commissionsUsd: 1, lastHedgePrice: 594 });

    const restarted = new HedgerHarness();
    restarted.nowMs = t.nowMs;
    restarted.hedger.restoreDailyState(saved, t.nowMs);
    restarted.hedger.setPositions([...straddle(), stockPosition(-Math.round(straddleDeltaShares(594, saved.lastHedgeTsMs!)))], t.nowMs);
    expect(restarted.quote(598).evaluate()).toMatchObject({ type: "deny", code: "cooldown" });
    expect(restarted.hedger.dailyState(restarted.nowMs)).toMatchObject({ hedgeCount: 1, commissionsUsd: 1 });

    const nextDay = new Hedger(hedgerParams());
    const tomorrow = Date.parse("2025-03-04T15:00:00Z");
    nextDay.restoreDailyState(saved, tomorrow);
    expect(nextDay.dailyState(tomorrow)).toMatchObject({ tradingDay: "2025-03-04", hedgeCount: 0, commissionsUsd: 0, lastHedgePrice: 594 });
  });
});

describe("PnL baselines survive restarts", () => {
  test("a restored baseline is not moved when the restarted process first selects the legs it holds", () => {
    const t = new HedgerHarness();
    t.quote(594).evaluate();
    const saved = t.hedger.dailyState(t.nowMs);
    expect(saved.optionOpenValueUsd).toBeGreaterThan(0);

    const restarted = new Hedger(hedgerParams());
    restarted.restoreDailyState(saved, t.nowMs);
    restarted.onQuote({ bid: 593.99, ask: 594.01, last: 594, tsEventMs: t.nowMs }); // quote before the positions
    restarted.setPositions(straddle(), t.nowMs);
    expect(restarted.dailyState(t.nowMs).optionOpenValueUsd).toBe(saved.optionOpenValueUsd!);
    expect(restarted.snapshot(t.nowMs).optionMtmPnlUsd).toBeCloseTo(0, 6);
  });
});

describe("legs and greeks", () => {
  test("a leg drifting out of the band keeps being hedged and is flagged (no hedge toward zero)", () => {
    const t = new HedgerHarness(hedgerParams({ hedge: { maxSharesPerOrder: 5000 }, guards: { maxPositionShares: 10_000 } }));
    t.quote(590).evaluate();
    const d = t.quote(620).evaluate();
    expect(d.type).toBe("hedge");
    expect((d as Extract<HedgeDecision, { type: "hedge" }>).quantityShares).toBe(Math.round(straddleDeltaShares(620, t.nowMs)));
    const codes = t.hedger.snapshot(t.nowMs).blockReasons.map((r) => r.code);
    expect(codes).toContain("leg_outside_selection");
  });

  test("fresh broker greeks are used (moved by gamma to the current spot); stale ones fall back to the model", () => {
    const t = new HedgerHarness();
    t.quote(590);
    const greeks = { impliedVol: 0.3, delta: 0.6, gamma: 0.01, vega: 0.7, theta: -0.2, optionPrice: 12, underlyingPrice: 589, tsEventMs: t.nowMs };
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|C", greeks);
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|P", { ...greeks, delta: -0.4 });
    const snap = t.hedger.snapshot(t.nowMs);
    expect(snap.optionDeltaShares).toBeCloseTo(500 * (0.6 + 0.01 + (-0.4 + 0.01)), 9);
    expect(snap.legs.map((l) => l.greeksSource)).toEqual(["broker", "broker"]);
    const later = t.nowMs + 10_001;
    const stale = t.hedger.snapshot(later);
    expect(stale.legs.map((l) => l.greeksSource)).toEqual(["model", "model"]);
    expect(stale.optionDeltaShares).toBeCloseTo(straddleDeltaShares(590, later, 0.3), 9); // broker IV, model greeks
  });

  test("the Hedger keeps its own copy of streamed greeks: a reused event object can change afterwards", () => {
    const t = new HedgerHarness();
    t.quote(590);
    const event = { impliedVol: 0.3, delta: 0.6, gamma: 0.01, vega: 0.7, theta: -0.2, optionPrice: 12, underlyingPrice: 590, tsEventMs: t.nowMs };
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|C", event);
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|P", { ...event, delta: -0.4 });
    const before = t.hedger.snapshot(t.nowMs).optionDeltaShares;
    event.delta = 0.99;
    event.impliedVol = 0.9;
    expect(t.hedger.snapshot(t.nowMs).optionDeltaShares).toBe(before);
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|C", event);
    expect(t.hedger.snapshot(t.nowMs).optionDeltaShares).toBeCloseTo(before! + 500 * 0.39, 9);
  });

  test("a broker price without IV gives the model its implied vol", () => {
    const t = new HedgerHarness(hedgerParams({ strategy: { greeksSource: "model" } }));
    t.quote(590).evaluate();
    const T = (EXPIRY_MS - t.nowMs) / YEAR_MS;
    const model = (right: "C" | "P", vol: number) => blackScholes(right, 590, 590, T, STRATEGY.riskFreeRate, STRATEGY.dividendYield, vol);
    const noIv = (price: number) => ({ impliedVol: null, delta: null, gamma: null, vega: null, theta: null, optionPrice: price, underlyingPrice: 590, tsEventMs: t.nowMs });
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|C", noIv(model("C", 0.31).price));
    t.hedger.onOptionGreeks("SPY|OPT|20250404|590|P", noIv(-1)); // unusable price: the fallback vol stays
    const s = t.hedger.snapshot(t.nowMs);
    expect(s.optionDeltaShares).toBeCloseTo(500 * (model("C", 0.31).delta + model("P", STRATEGY.fallbackVol).delta), 6);
    expect(s.legs[0]!.impliedVol!).toBeCloseTo(0.31, 8);
    expect(s.legs[1]!.impliedVol).toBeNull();
    expect(s.impliedVol!).toBeCloseTo(0.31, 8); // only legs with a known IV are averaged
  });

  test("greeks that arrive before the legs are selected (no spot yet) are used once they are", () => {
    const h = new Hedger(hedgerParams());
    h.setPositions(straddle(), MONDAY_10AM);
    const greeks = { impliedVol: 0.3, delta: 0.5, gamma: 0.01, vega: 0.7, theta: -0.2, optionPrice: 12, underlyingPrice: 590, tsEventMs: MONDAY_10AM };
    h.onOptionGreeks("SPY|OPT|20250404|590|C", greeks);
    h.onOptionGreeks("SPY|OPT|20250404|590|P", { ...greeks, delta: -0.5 });
    h.onQuote({ bid: 589.99, ask: 590.01, last: 590, tsEventMs: MONDAY_10AM });
    const s = h.snapshot(MONDAY_10AM);
    expect(s.legs.map((l) => [l.greeksSource, l.impliedVol])).toEqual([["broker", 0.3], ["broker", 0.3]]);
    expect(s.optionDeltaShares).toBeCloseTo(0, 12);
  });

  test("snapshot: breakeven move is sqrt(2|theta|/gamma)", () => {
    const t = new HedgerHarness();
    const s = t.quote(590).hedger.snapshot(t.nowMs);
    expect(s.breakevenMoveUsd).toBeCloseTo(Math.sqrt((2 * Math.abs(s.thetaUsdPerDay!)) / s.gammaShares!), 12);
    expect(s.breakevenMovePct).toBeCloseTo((100 * s.breakevenMoveUsd!) / 590, 12);
    expect(s.thetaUsdPerDay!).toBeLessThan(0);
    expect(s.legs).toHaveLength(2);
  });

  test("options traded intraday enter the option PnL at their mark", () => {
    const t = new HedgerHarness();
    t.quote(590).evaluate();
    const before = t.hedger.snapshot(t.nowMs).optionMtmPnlUsd!;
    t.hedger.setPositions([...straddle(10)], t.nowMs);
    expect(t.hedger.snapshot(t.nowMs).optionMtmPnlUsd!).toBeCloseTo(before, 6);
  });

  test("positions of other symbols and out-of-window options are never traded", () => {
    const t = new HedgerHarness(hedgerParams(), [optionPosition("C", 700, 50), optionPosition("P", 590, 5, "20250620")]);
    expect(t.quote(590).evaluate()).toMatchObject({ type: "hold", reason: "no_legs" });
  });
});

describe("properties over random paths", () => {
  function run(seed: number): string[] {
    const random = seededRandom(seed);
    const t = new HedgerHarness(hedgerParams({ guards: { cooldownMs: 5_000 } }));
    const log: string[] = [];
    let spot = 590;
    for (let i = 0; i < 3000; i++) {
      spot *= Math.exp((random() - 0.5) * 0.004);
      t.quote(Math.round(spot * 100) / 100, 1000);
      const d = t.evaluate();
      log.push(JSON.stringify(d));
      if (d.type === "hedge") {
        // Property: the hedge always opposes the delta and never overshoots zero.
        expect(d.side === "BUY").toBe(d.deltaShares < 0);
        expect(d.quantityShares).toBeLessThanOrEqual(Math.round(Math.abs(d.deltaShares)));
        const order = t.hedger.createOrder(d, t.nowMs, t.orderRefs);
        if (random() < 0.1) t.hedger.onOrderSendFailed(order.orderRef, "refused", t.nowMs);
        else t.fill(order);
      }
      // Property: the position limit is never crossed.
      expect(Math.abs(t.hedger.book.shares + t.hedger.orders.pendingShares)).toBeLessThanOrEqual(2000);
    }
    return log;
  }

  test("the same inputs give the same decisions (determinism, as the backtest parity needs)", () => {
    expect(run(42)).toEqual(run(42));
  });

  test("a hedger never hedges while an order is live", () => {
    const t = new HedgerHarness();
    t.quote(594).hedgeIfWanted();
    for (let i = 0; i < 50; i++) expect(t.quote(590 + i).evaluate()).toMatchObject({ type: "hold", reason: "order_in_flight" });
  });
});

describe("pluggable policy and status reasons", () => {
  test("with the band policy the Hedger trades only back to the band edge", () => {
    const params = hedgerParams({ hedge: { policy: { type: "band", costFraction: 0.0005, riskAversion: 0.0001 } } });
    const t = new HedgerHarness(params);
    const d = t.quote(600).evaluate();
    expect(d.type).toBe("hedge");
    const s = t.hedger.snapshot(t.nowMs);
    const width = t.hedger.policy.noTradeHalfWidthShares(s.gammaShares!, 600);
    expect(width).toBeGreaterThan(params.hedge.epsilonBandShares);
    expect((d as Extract<HedgeDecision, { type: "hedge" }>).quantityShares).toBe(Math.round(s.portfolioDeltaShares! - width));
  });

  test("status shows standing blocks always, and the trading rhythm only while a hedge is wanted", () => {
    // Model greeks: with greeks_source = broker and none sent, the status would also warn of the fallback.
    const t = new HedgerHarness(hedgerParams({ strategy: { greeksSource: "model" } }));
    t.fill(t.quote(594).hedgeIfWanted()!);
    t.quote(594, 1000);
    t.hedger.setPaused(true);
    const quiet = t.hedger.snapshot(t.nowMs).blockReasons.map((r) => r.code);
    expect(quiet).toEqual(["paused"]);
    t.quote(600, 1000);
    const wanting = t.hedger.snapshot(t.nowMs).blockReasons;
    expect(wanting.map((r) => r.code)).toEqual(["paused", "cooldown"]);
    expect(wanting[1]!.message).toBe("last hedge 2000 ms ago, cooldown 60000 ms");
  });
});

describe("bad input", () => {
  test("impossible params are refused with every problem named", () => {
    expect(() => new Hedger(hedgerParams({ strategy: { minDte: 30, maxDte: 20 }, hedge: { minShares: 600 } }))).toThrow(
      "invalid hedger parameters: strategy.maxDte was 20, expected a whole number >= minDte (30); hedge.maxSharesPerOrder was 500, expected >= minShares (600)",
    );
  });

  test("a denial can never become an order, even from an untyped caller", () => {
    const t = new HedgerHarness();
    t.quote(594);
    t.hedger.setPaused(true);
    const denial = t.evaluate();
    expect(denial.type).toBe("deny");
    expect(() => t.hedger.createOrder(denial as never, t.nowMs, t.orderRefs)).toThrow("createOrder needs a hedge decision");
    expect(t.hedger.orders.pendingShares).toBe(0);
    expect(t.hedger.dailyHedgeCount).toBe(0);
  });
});
