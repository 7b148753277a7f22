// Hedger.quietUntilMs / quietHold / quietDenial / quietHedge: when a replay may skip a quote's
// calls, and that the hold, denial or hedge it is given is the very decision evaluate()
// returns on that quote.
import { describe, expect, test } from "bun:test";
import { contractKey } from "../../src/core/instrument.ts";
import { exchangeDayAt } from "../../src/core/nyse-calendar.ts";
import type { HedgerParams } from "../../src/core/hedger-params.ts";
import { hedgerParams, option } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

const CALL = contractKey(option("C", 590));
const PUT = contractKey(option("P", 590));

/** Fresh broker greeks for both legs at `spot` (5 lots each: 500 shares of exposure per leg). */
function greeksAt(t: HedgerHarness, spot: number, callDelta: number, optionPrice = 10): void {
  const event = (delta: number) => ({ impliedVol: 0.15, delta, gamma: 0.02, vega: 0.6, theta: -0.2, optionPrice, underlyingPrice: spot, tsEventMs: t.nowMs });
  t.hedger.onOptionGreeks(CALL, event(callDelta));
  t.hedger.onOptionGreeks(PUT, event(callDelta - 1));
}

/** Quote, greeks at its spot, evaluate: the replay's full sequence for one bar. */
function bar(t: HedgerHarness, spot: number, callDelta: number, optionPrice = 10) {
  t.quote(spot);
  greeksAt(t, spot, callDelta, optionPrice);
  return t.evaluate();
}

/** What the replay's quiet loop decides on the next bar (the harness quotes 1 s later, 2 cents wide). */
function quietDecision(t: HedgerHarness, spot: number, callDelta: number, optionPrice = 10): string | null {
  const units = 500;
  const hold = t.hedger.quietHold(units * callDelta + units * (callDelta - 1), units * 0.02 + units * 0.02, spot, units * optionPrice + units * optionPrice);
  if (hold !== null) return hold;
  return t.hedger.quietDenial(t.nowMs + 1000, spot, spot - 0.01, spot + 0.01, units * optionPrice + units * optionPrice);
}

/** The replay's quiet calls on a quote 1 s later (2 cents wide) that wants a trade the guards allow: the hedge quietHedge gives. */
function quietHedgeAt(t: HedgerHarness, spot: number, callDelta: number) {
  expect(quietDecision(t, spot, callDelta)).toBeNull();
  t.nowMs += 1000;
  return t.hedger.quietHedge(t.nowMs, spot, spot - 0.01, spot + 0.01);
}

/** Two Hedgers with the same history, quiet after a hold: one for the full calls, one for the quiet ones. */
function quietPair(params: HedgerParams): [HedgerHarness, HedgerHarness] {
  const pair: [HedgerHarness, HedgerHarness] = [new HedgerHarness(params), new HedgerHarness(params)];
  for (const t of pair) {
    expect(bar(t, 594, 0.51)).toMatchObject({ type: "hold" });
    // As a replay does before its quiet calls.
    expect(t.hedger.quietUntilMs()).toBeGreaterThan(t.nowMs);
  }
  return pair;
}

describe("quiet hedger", () => {
  test("not quiet before its first evaluation on broker greeks", () => {
    const t = new HedgerHarness();
    expect(t.hedger.quietUntilMs()).toBe(Number.NEGATIVE_INFINITY);
    t.quote(594);
    expect(t.hedger.quietUntilMs()).toBe(Number.NEGATIVE_INFINITY);
  });

  test("after a sizing hold: quiet until the day ends, and quietHold gives evaluate()'s own hold", () => {
    const t = new HedgerHarness();
    expect(bar(t, 594, 0.52)).toMatchObject({ type: "hold", reason: "below_threshold" });
    expect(t.hedger.quietUntilMs()).toBe(exchangeDayAt(t.nowMs).endMs);
    // A later quote: quietHold on the legs' sums must equal what the full sequence returns.
    for (const callDelta of [0.5, 0.505, 0.52, 0.525, 0.4]) {
      const units = 500;
      const hold = t.hedger.quietHold(units * callDelta + units * (callDelta - 1), units * 0.02 + units * 0.02, 594.5, units * 10 + units * 10);
      const decision = bar(t, 594.5, callDelta);
      if (hold === null) {
        expect(decision.type).not.toBe("hold");
      } else {
        expect(decision).toEqual({ type: "hold", reason: hold, deltaShares: t.hedger.quietDeltaShares });
      }
    }
  });

  test("not quiet while an order is in flight, quiet again once it filled", () => {
    const t = new HedgerHarness();
    t.quote(594);
    greeksAt(t, 594, 0.6);
    const order = t.hedgeIfWanted();
    expect(order).not.toBeNull();
    expect(t.hedger.quietUntilMs()).toBe(Number.NEGATIVE_INFINITY);
    t.fill(order!);
    expect(t.hedger.quietUntilMs()).toBeGreaterThan(t.nowMs);
  });

  test("not quiet on model greeks, nor when broker greeks went stale", () => {
    const model = new HedgerHarness(hedgerParams({ strategy: { greeksSource: "model" } }));
    model.quote(590);
    model.evaluate();
    expect(model.hedger.quietUntilMs()).toBe(Number.NEGATIVE_INFINITY);
    const stale = new HedgerHarness();
    bar(stale, 594, 0.51);
    stale.quote(594, 60_000);
    stale.evaluate();
    expect(stale.hedger.quietUntilMs()).toBe(Number.NEGATIVE_INFINITY);
  });

  test("a position change ends quiet (the legs must be selected again)", () => {
    const t = new HedgerHarness();
    bar(t, 594, 0.51);
    t.hedger.setPositions([], t.nowMs);
    expect(t.hedger.quietUntilMs()).toBe(Number.NEGATIVE_INFINITY);
  });

  test("after a hedge: quietDenial gives evaluate()'s own denial (cooldown, min price move), null for a trade the guards allow", () => {
    const t = new HedgerHarness();
    t.quote(594);
    greeksAt(t, 594, 0.6);
    t.fill(t.hedgeIfWanted()!);
    expect(t.hedger.quietUntilMs()).toBeGreaterThan(t.nowMs);
    const seen = new Set<string>();
    // Delta far from zero again; the spot wanders around the last hedge price, the clock past the cooldown.
    for (const [spot, callDelta] of [[594.2, 0.56], [594.5, 0.58], [593.4, 0.62], [591, 0.45], [597.5, 0.6], [594, 0.52]] as const) {
      const quiet = quietDecision(t, spot, callDelta);
      const decision = bar(t, spot, callDelta);
      if (quiet === null) {
        expect(decision.type).toBe("hedge");
      } else if (decision.type === "deny") {
        expect(decision.code as string).toBe(quiet);
        expect(decision.deltaShares).toBe(t.hedger.quietDeltaShares);
      } else {
        expect(decision).toMatchObject({ type: "hold", reason: quiet });
      }
      seen.add(quiet === null ? "hedge" : decision.type === "deny" ? `deny:${quiet}` : "hold");
      t.quote(spot, 30_000);
    }
    expect([...seen].sort()).toEqual(["deny:cooldown", "deny:min_price_move", "hedge", "hold"]);
  });

  test("quietHold latches the circuit breaker as evaluate() does, on a hold as on a wanted trade", () => {
    for (const callDelta of [0.51, 0.6]) {
      const [full, quiet] = quietPair(hedgerParams());
      // The legs marked down by 6 USD a share: 6,000 USD of loss, past the 5,000 limit.
      const quietly = quietDecision(quiet, 594, callDelta, 4);
      const decision = bar(full, 594, callDelta, 4);
      expect(quiet.hedger.circuitBreakerTripped).toBe(true);
      expect(full.hedger.circuitBreakerTripped).toBe(true);
      expect(decision.type === "hold" ? decision.reason : decision.type === "deny" ? decision.code : "hedge").toBe(quietly!);
      // Tripped for the day: the legs back at 10 USD, a trade wanted is still denied.
      expect(quietDecision(quiet, 594, 0.6)).toBe("circuit_breaker");
      expect(bar(full, 594, 0.6)).toMatchObject({ type: "deny", code: "circuit_breaker" });
    }
  });

  test("quietHedge gives evaluate()'s own hedge on that quote, the same order, and leaves the same state", () => {
    for (const params of [hedgerParams(), hedgerParams({ hedge: { orderType: "limit", limitOffsetBps: 5 } })]) {
      const [full, quiet] = quietPair(params);
      // Bought and sold, plain and forced: each trade taken on both, and each left both alike.
      for (const [spot, callDelta] of [[594.3, 0.6], [597.8, 0.3], [590.1, 0.9]] as const) {
        for (const t of [full, quiet]) t.nowMs += 120_000;
        const decision = bar(full, spot, callDelta);
        expect(decision.type).toBe("hedge");
        expect(quietHedgeAt(quiet, spot, callDelta)).toEqual(decision as Extract<typeof decision, { type: "hedge" }>);
        const [fullOrder, quietOrder] = [full, quiet].map((t) => t.hedger.createOrder(decision as Extract<typeof decision, { type: "hedge" }>, t.nowMs, t.orderRefs));
        expect(quietOrder).toEqual(fullOrder!);
        for (const [t, order] of [[full, fullOrder!], [quiet, quietOrder!]] as const) {
          t.hedger.onOrderAccepted(order.orderRef, 1, t.nowMs);
          t.fill(order);
        }
        const state = (t: HedgerHarness) => {
          const h = t.hedger;
          return [h.bid, h.ask, h.last, h.spot, h.quoteTsMs, h.quoteKind, h.dailyHedgeCount, h.lastHedgeTsMs, h.lastHedgePrice, { ...h.lastDecision }, h.book.shares, h.quietUntilMs()];
        };
        expect(state(quiet)).toEqual(state(full));
      }
      expect(full.hedger.book.shares).not.toBe(0);
      // And the next quote is decided alike, through the full calls on both.
      expect(bar(quiet, 593, 0.7)).toEqual(bar(full, 593, 0.7));
    }
  });

  test("quietHedge takes only the trade the last quietDenial allowed", () => {
    const [, t] = quietPair(hedgerParams());
    const refused = /quietHedge\(\) needs the trade the last quietDenial\(\) allowed/;
    const quietHedgeNow = () => t.hedger.quietHedge(t.nowMs, 597, 596.99, 597.01);
    // A sizing hold wants no trade.
    expect(quietDecision(t, 594, 0.51)).toBe("in_band");
    expect(quietHedgeNow).toThrow(refused);
    // Allowed once, taken once.
    const decision = quietHedgeAt(t, 594, 0.6);
    expect(quietHedgeNow).toThrow(refused);
    const order = t.hedger.createOrder(decision, t.nowMs, t.orderRefs);
    t.hedger.onOrderAccepted(order.orderRef, 1, t.nowMs);
    t.fill(order);
    expect(t.hedger.quietUntilMs()).toBeGreaterThan(t.nowMs);
    // Denied: within the cooldown.
    expect(quietDecision(t, 597, 0.66)).toBe("cooldown");
    expect(quietHedgeNow).toThrow(refused);
    // An allowed trade not taken lapses with the next quote's quiet calls: a hold...
    t.nowMs += 600_000;
    expect(quietDecision(t, 597, 0.66)).toBeNull();
    expect(quietDecision(t, 597, 0.6)).toBe("in_band");
    expect(quietHedgeNow).toThrow(refused);
    // ...or a denial: legs marked down 6 USD a share latch the circuit breaker first.
    expect(quietDecision(t, 597, 0.66)).toBeNull();
    expect(quietDecision(t, 597, 0.66, 4)).toBe("circuit_breaker");
    expect(quietHedgeNow).toThrow(refused);
    expect(t.hedger.dailyHedgeCount).toBe(1);
  });
});
