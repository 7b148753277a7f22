// Guards as the Hedger applies them: denials, codes and the circuit breaker's latch.
import { describe, expect, test } from "bun:test";
import { blackScholes } from "../../src/core/greeks.ts";
import { contractKey } from "../../src/core/instrument.ts";
import { YEAR_MS } from "../../src/core/leg-book.ts";
import { hedgerParams, option, stockPosition, straddle, STRADDLE_EXPIRY_MS, STRATEGY } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

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

  test("the circuit breaker latches on every evaluation past the limit, a hold in the band too", () => {
    const t = new HedgerHarness(hedgerParams({ guards: { maxDailyLossUsd: 5000 } }));
    const marketAt = (spot: number, iv: number) => {
      t.quote(spot, 60_000);
      for (const right of ["C", "P"] as const) {
        const g = blackScholes(right, spot, 590, (STRADDLE_EXPIRY_MS - t.nowMs) / YEAR_MS, STRATEGY.riskFreeRate, STRATEGY.dividendYield, iv);
        t.hedger.onOptionGreeks(contractKey(option(right, 590)), { impliedVol: iv, delta: g.delta, gamma: g.gamma, vega: g.vega / 100, theta: g.theta / 365, optionPrice: g.price, underlyingPrice: spot, tsEventMs: t.nowMs });
      }
      return t.evaluate();
    };
    expect(marketAt(587.5, 0.2)).toMatchObject({ type: "hold", reason: "in_band" });
    // IV collapses: the straddle loses over 7,000 USD while delta stays in the band.
    expect(marketAt(587.5, 0.09)).toMatchObject({ type: "hold", reason: "in_band" });
    expect(t.hedger.circuitBreakerTripped).toBe(true);
    // IV recovers and spot moves: the hedge then wanted is denied all the same.
    expect(marketAt(594, 0.2)).toMatchObject({ type: "deny", code: "circuit_breaker" });
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
