// Guards as the Hedger applies them: denials, codes and the circuit breaker's latch.
import { describe, expect, test } from "bun:test";
import { hedgerParams, stockPosition, straddle } from "./core-fixtures.ts";
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
