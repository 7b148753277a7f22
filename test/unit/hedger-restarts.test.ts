// What a restarted Hedger keeps: the day's hedge count, cooldown clock and PnL baselines.
import { describe, expect, test } from "bun:test";
import { Hedger } from "../../src/core/hedger.ts";
import { hedgerParams, stockPosition, straddle, straddleDeltaShares } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

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
