import { describe, expect, test } from "bun:test";
import { checkSweepAxes } from "../../../src/backtest/sweep/sweep-axis-check.ts";
import { parseSweepAxes } from "../../../src/backtest/sweep/sweep-grid.ts";
import { UserError } from "../../../src/config/user-error.ts";

const problemsOf = (specs: readonly string[]): string[] => {
  try {
    checkSweepAxes(parseSweepAxes(specs));
    return [];
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return error.message.split("\n").slice(1).map((line) => line.replace(/^ {2}- /, ""));
  }
};

describe("sweep axes are checked once, before any run", () => {
  test("config and backtest keys with values each fine alone pass, including ones only wrong together", () => {
    // epsilon_band 10 equals threshold 10 (wrong only together): that combination is the run's to skip.
    expect(problemsOf(["hedge.threshold_shares=10,25", "hedge.epsilon_band=10", "backtest.contracts=1,20", "backtest.roll_band_pct=2"])).toEqual([]);
  });

  test("an unknown key is named once however many values it has, with the nearest known key", () => {
    const problems = problemsOf(["guards.min_price_move_pct=0,0.05,0.1", "backtest.contract=1,2"]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toStartWith("--sweep guards.min_price_move_pct: guards.min_price_move_pct is not a known key (did you mean hedge.min_price_move_pct?)");
    expect(problems[1]).toStartWith("--sweep backtest.contract: backtest key was 'backtest.contract', expected one of backtest.contracts");
  });

  test("every value wrong on its own is named with what was expected; good values beside it are not", () => {
    expect(problemsOf(["hedge.threshold_shares=25,-5,abc,50", "backtest.contracts=0,3"])).toEqual([
      "--sweep hedge.threshold_shares=-5: hedge.threshold_shares was -5, expected an integer from 1 to 1000000",
      '--sweep hedge.threshold_shares=abc: hedge.threshold_shares was "abc", expected an integer from 1 to 1000000',
      "--sweep backtest.contracts=0: backtest.contracts was '0', expected an integer in [1, 100000]",
    ]);
  });

  test("the error counts its problems and says nothing ran", () => {
    expect(() => checkSweepAxes(parseSweepAxes(["hedge.cooldown_s=-1"]))).toThrow("invalid sweep (1 problem, nothing was run)");
  });
});
