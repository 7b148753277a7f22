// greeks_source = broker: after subscribing, the underlying's quote arrives before the broker's
// greeks. The first hedge waits for them for a bounded grace period, then uses the model and
// the status says which legs are on the model.
import { describe, expect, test } from "bun:test";
import { contractKey } from "../../src/core/instrument.ts";
import { hedgerParams, option } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

const GRACE_MS = 5_000;

function brokerGreeks(delta: number, tsEventMs: number) {
  return { impliedVol: 0.15, delta, gamma: 0.02, vega: 0.6, theta: -0.2, optionPrice: 10, underlyingPrice: 594, tsEventMs };
}

function codes(t: HedgerHarness): string[] {
  return t.hedger.snapshot(t.nowMs).blockReasons.map((reason) => reason.code);
}

describe("hedger waiting for broker greeks", () => {
  test("holds as awaiting_broker_greeks until the grace ends, then hedges on the model and says so", () => {
    const t = new HedgerHarness(hedgerParams({ strategy: { brokerGreeksGraceMs: GRACE_MS } }));
    const first = t.quote(594, 0).evaluate();
    expect(first).toMatchObject({ type: "hold", reason: "awaiting_broker_greeks" });
    t.nowMs += GRACE_MS - 1;
    expect(t.quote(594, 0).evaluate()).toMatchObject({ type: "hold", reason: "awaiting_broker_greeks" });
    expect(codes(t)).not.toContain("model_greeks_fallback");
    t.nowMs += 1;
    expect(t.quote(594, 0).evaluate().type).toBe("hedge");
    expect(codes(t)).toContain("model_greeks_fallback");
    expect(t.hedger.snapshot(t.nowMs).legs.map((leg) => leg.greeksSource)).toEqual(["model", "model"]);
  });

  test("broker greeks within the grace end the wait: the first hedge is sized on them", () => {
    const t = new HedgerHarness(hedgerParams({ strategy: { brokerGreeksGraceMs: GRACE_MS } }));
    expect(t.quote(594).evaluate()).toMatchObject({ type: "hold", reason: "awaiting_broker_greeks" });
    // Broker: the straddle (5 lots) is net long 0.3 delta per share pair -> +150 shares.
    t.hedger.onOptionGreeks(contractKey(option("C", 590)), brokerGreeks(0.65, t.nowMs));
    expect(t.quote(594, 0).evaluate()).toMatchObject({ type: "hold", reason: "awaiting_broker_greeks" }); // one leg still missing
    t.hedger.onOptionGreeks(contractKey(option("P", 590)), brokerGreeks(-0.35, t.nowMs));
    const decision = t.quote(594, 0).evaluate();
    expect(decision).toMatchObject({ type: "hedge", side: "SELL", quantityShares: 150 });
    expect(codes(t)).not.toContain("model_greeks_fallback");
  });

  test("greeks_source = model never waits", () => {
    const t = new HedgerHarness(hedgerParams({ strategy: { greeksSource: "model", brokerGreeksGraceMs: GRACE_MS } }));
    expect(t.quote(594).evaluate().type).toBe("hedge");
  });
});
