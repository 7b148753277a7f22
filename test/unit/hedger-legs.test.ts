// Leg selection and the greeks the Hedger hedges on.
import { describe, expect, test } from "bun:test";
import { blackScholes } from "../../src/core/greeks.ts";
import type { HedgeDecision } from "../../src/core/hedge-decision.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { YEAR_MS } from "../../src/core/leg-book.ts";
import { hedgerParams, MONDAY_10AM, optionPosition, straddle, straddleDeltaShares, STRATEGY, STRADDLE_EXPIRY_MS } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

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
    const T = (STRADDLE_EXPIRY_MS - t.nowMs) / YEAR_MS;
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

  test.each([
    ["enters the DTE window on a later day", Date.parse("2025-02-27T15:00:00Z"), 590, Date.parse("2025-02-28T15:00:00Z"), 590],
    ["comes into the ATM band as spot moves", MONDAY_10AM, 610, MONDAY_10AM + 60_000, 600],
  ])("an option held but not selected becomes a leg once it qualifies, positions unchanged: %s", (_name, firstMs, firstSpot, laterMs, laterSpot) => {
    const h = new Hedger(hedgerParams({ strategy: { greeksSource: "model" } }));
    h.setBrokerConnected(true, firstMs);
    h.onQuote({ bid: firstSpot - 0.01, ask: firstSpot + 0.01, last: firstSpot, tsEventMs: firstMs });
    h.setPositions(straddle(), firstMs);
    expect(h.evaluate(firstMs)).toMatchObject({ type: "hold", reason: "no_legs" });
    h.onQuote({ bid: laterSpot - 0.01, ask: laterSpot + 0.01, last: laterSpot, tsEventMs: laterMs });
    expect(h.evaluate(laterMs)).not.toMatchObject({ reason: "no_legs" });
    expect(h.legs.count).toBe(2);
  });

  test("positions of other symbols and out-of-window options are never traded", () => {
    const t = new HedgerHarness(hedgerParams(), [optionPosition("C", 700, 50), optionPosition("P", 590, 5, "20250620")]);
    expect(t.quote(590).evaluate()).toMatchObject({ type: "hold", reason: "no_legs" });
  });
});
