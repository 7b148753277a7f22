// Hedger.quietUntilMs / quietHold / quietDenial: when a replay may skip a quote's calls, and
// that the hold or denial it is given is the very decision evaluate() returns on that quote.
import { describe, expect, test } from "bun:test";
import { contractKey } from "../../src/core/instrument.ts";
import { exchangeDayAt } from "../../src/core/nyse-calendar.ts";
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
  const hold = t.hedger.quietHold(units * callDelta + units * (callDelta - 1), units * 0.02 + units * 0.02, spot);
  if (hold !== null) return hold;
  return t.hedger.quietDenial(t.nowMs + 1000, spot, spot - 0.01, spot + 0.01, units * optionPrice + units * optionPrice);
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
      const hold = t.hedger.quietHold(units * callDelta + units * (callDelta - 1), units * 0.02 + units * 0.02, 594.5);
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

  test("quietDenial leaves a trade that would trip the circuit breaker to evaluate(), which latches it", () => {
    const t = new HedgerHarness();
    bar(t, 594, 0.51);
    // The legs marked down by 6 USD a share: 6,000 USD of loss, past the 5,000 limit.
    expect(quietDecision(t, 594, 0.6, 4)).toBeNull();
    expect(t.hedger.circuitBreakerTripped).toBe(false);
    expect(bar(t, 594, 0.6, 4)).toMatchObject({ type: "deny", code: "circuit_breaker" });
    expect(t.hedger.circuitBreakerTripped).toBe(true);
    // Tripped: the breaker's denial changes nothing more, so it is decided quietly again.
    expect(quietDecision(t, 594, 0.6, 4)).toBe("circuit_breaker");
  });
});
