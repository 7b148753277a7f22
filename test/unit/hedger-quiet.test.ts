// Hedger.quietUntilMs / quietHold: when a replay may skip a quote's calls, and that the hold
// it is given is the very decision evaluate() returns on that quote.
import { describe, expect, test } from "bun:test";
import { contractKey } from "../../src/core/instrument.ts";
import { exchangeDayAt } from "../../src/core/nyse-calendar.ts";
import { hedgerParams, option } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

const CALL = contractKey(option("C", 590));
const PUT = contractKey(option("P", 590));

/** Fresh broker greeks for both legs at `spot` (5 lots each: 500 shares of exposure per leg). */
function greeksAt(t: HedgerHarness, spot: number, callDelta: number, gamma = 0.02): void {
  const event = (delta: number) => ({ impliedVol: 0.15, delta, gamma, vega: 0.6, theta: -0.2, optionPrice: 10, underlyingPrice: spot, tsEventMs: t.nowMs });
  t.hedger.onOptionGreeks(CALL, event(callDelta));
  t.hedger.onOptionGreeks(PUT, event(callDelta - 1));
}

/** Quote, greeks at its spot, evaluate: the replay's full sequence for one bar. */
function bar(t: HedgerHarness, spot: number, callDelta: number) {
  t.quote(spot);
  greeksAt(t, spot, callDelta);
  return t.evaluate();
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
});
