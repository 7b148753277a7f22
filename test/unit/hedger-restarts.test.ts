// What a restarted Hedger keeps: the day's hedge count and cooldown clock (its PnL marks:
// hedger-day-pnl.test.ts).
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
