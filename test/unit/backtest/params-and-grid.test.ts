import { describe, expect, test } from "bun:test";
import { applyBacktestAssignments, backtestParamsView, defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { parseSweepAxes, sweepCombinations } from "../../../src/backtest/sweep/sweep-grid.ts";
import { rankRuns } from "../../../src/backtest/sweep/sweep-runner.ts";
import type { SweepRun } from "../../../src/backtest/sweep/sweep-runner.ts";
import { UserError } from "../../../src/config/user-error.ts";

describe("backtest keys", () => {
  test("defaults follow IB fixed pricing and take the roll band from the strategy band", () => {
    const params = defaultBacktestParams(0.03);
    expect(params).toMatchObject({ contracts: 10, rollBandFraction: 0.03, stockCommissionPerShareUsd: 0.005, stockCommissionMinUsd: 1, optionCommissionPerContractUsd: 0.65 });
  });

  test("percent keys become fractions; the view shows what the user typed", () => {
    const params = applyBacktestAssignments(defaultBacktestParams(0.03), ["backtest.roll_band_pct=5", "backtest.option_half_spread_pct=0.5", "backtest.contracts=3"]);
    expect(params.rollBandFraction).toBeCloseTo(0.05, 12);
    expect(params.optionHalfSpreadFraction).toBeCloseTo(0.005, 12);
    expect(params.contracts).toBe(3);
    expect(backtestParamsView(params)["backtest.roll_band_pct"]).toBeCloseTo(5, 9);
  });

  test.each([
    ["backtest.contract=3", "backtest key was 'backtest.contract', expected one of"],
    ["backtest.contracts=2.5", "backtest.contracts was '2.5', expected an integer in [1, 100000]"],
    ["backtest.stock_slippage_bps=-1", "expected a number in [0, 1000]"],
    ["backtest.contracts", "backtest.contracts was ''"],
  ])("%s is a UserError", (assignment, message) => {
    expect(() => applyBacktestAssignments(defaultBacktestParams(0.03), [assignment])).toThrow(UserError);
    expect(() => applyBacktestAssignments(defaultBacktestParams(0.03), [assignment])).toThrow(message);
  });
});

describe("sweep grid", () => {
  test("every combination, first axis slowest", () => {
    const axes = parseSweepAxes(["hedge.threshold_shares=10,25", "hedge.cooldown_s=0,30,60"]);
    expect(sweepCombinations(axes)).toEqual([
      ["hedge.threshold_shares=10", "hedge.cooldown_s=0"],
      ["hedge.threshold_shares=10", "hedge.cooldown_s=30"],
      ["hedge.threshold_shares=10", "hedge.cooldown_s=60"],
      ["hedge.threshold_shares=25", "hedge.cooldown_s=0"],
      ["hedge.threshold_shares=25", "hedge.cooldown_s=30"],
      ["hedge.threshold_shares=25", "hedge.cooldown_s=60"],
    ]);
    expect(sweepCombinations([])).toEqual([[]]);
  });

  test.each([
    [["hedge.threshold_shares"], "expected key=v1,v2"],
    [["=1,2"], "expected key=v1,v2"],
    [["a=1", "a=2"], "names a twice"],
    [["a=1,2,3,4,5,6,7,8,9,10", "b=1,2,3,4,5,6,7,8,9,10", "c=1,2,3,4,5,6,7,8,9,10", "d=1,2,3,4,5,6,7,8,9,10", "e=1,2"], "20000 combinations"],
  ])("%p is a UserError", (specs, message) => {
    expect(() => parseSweepAxes(specs)).toThrow(message);
  });
});

describe("sweep ranking", () => {
  const run = (total: number, sharpe: number | null, drawdown: number) =>
    ({ assignments: [], startedAtMs: 0, finishedAtMs: 0, summary: { pnl: { totalUsd: total }, dailySharpe: sharpe, maxDrawdownUsd: drawdown } }) as unknown as SweepRun;
  const runs = [run(100, 0.5, 900), run(300, -0.2, 400), run(200, 1.5, 100), run(50, null, 50)];
  test.each([
    ["total", [300, 200, 100, 50]],
    ["sharpe", [200, 100, 300, 50]],
    ["drawdown", [50, 200, 300, 100]],
  ] as const)("by %s", (by, totals) => {
    expect(rankRuns(runs, by).map((r) => r.summary.pnl.totalUsd)).toEqual([...totals]);
  });
});
