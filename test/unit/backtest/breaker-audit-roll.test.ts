// The guard audit's daily PnL must be the one the Hedger's breaker judges, rolls included: the
// new legs enter both at the roll bar's marks (their market data comes before their positions),
// so a correct run is never reported as a circuit_breaker violation (exit 1, "a bug in gs").
import { expect, test } from "bun:test";
import { runBacktest } from "../../../src/backtest/run-backtest.ts";

test("bundled SPY around the 2025-01-06 roll, max_daily_loss_usd=500: no breaker violation", async () => {
  const { summary } = await runBacktest(
    { configPath: null, assignments: ["guards.max_daily_loss_usd=500"], sweepAssignments: [], data: null, dataTz: null, dataBar: null, iv: null, fromDay: "2024-12-30", toDay: "2025-01-07" },
    { logPath: null, onProgress: null },
  );
  expect(summary.rollLog.some((r) => r.reason === "dte_below_min")).toBe(true);
  expect(summary.guards.violations).toEqual([]);
});
