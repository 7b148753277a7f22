// Expiry settlement is not modelled, so no leg may be held, marked or sold past its expiry
// close. With strategy.min_dte=0 the schedule (days to expiry checked at a day's first bar)
// kept the straddle overnight and sold it the next morning at intrinsic on the new spot;
// a gap in the bars over the expiry day did the same with any min_dte.
import { describe, expect, test } from "bun:test";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { recordMarketTape } from "../../../src/backtest/market-tape.ts";
import { runBacktest } from "../../../src/backtest/run-backtest.ts";
import type { BacktestRequest } from "../../../src/backtest/run-backtest.ts";
import { checkSweepAxes } from "../../../src/backtest/sweep/sweep-axis-check.ts";
import { parseSweepAxes } from "../../../src/backtest/sweep/sweep-grid.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import { UserError } from "../../../src/config/user-error.ts";
import { parseDay } from "../../../src/core/civil-date.ts";
import { exchangeDayAt, expiryCloseUtcMs } from "../../../src/core/nyse-calendar.ts";
import { barsToSeries, bundledVix, DataInputError, loadBars, parseDataSource, seriesToBars } from "../../../src/market-data/index.ts";

const request = (assignments: readonly string[]): BacktestRequest => ({ configPath: null, assignments, sweepAssignments: [], data: null, dataTz: null, dataBar: null, iv: null, fromDay: "2024-07-01", toDay: "2024-07-12" });

describe("expired legs", () => {
  test("a backtest refuses strategy.min_dte=0, naming the key and why", async () => {
    const run = runBacktest(request(["strategy.min_dte=0", "strategy.max_dte=0"]), { logPath: null, onProgress: null });
    expect(run).rejects.toBeInstanceOf(UserError);
    expect(run).rejects.toThrow("strategy.min_dte was 0, expected at least 1 for a backtest");
    expect(run).rejects.toThrow("expiry settlement (exercise into shares) is not modelled");
  });

  test("a sweep over strategy.min_dte refuses 0 before any run", () => {
    expect(() => checkSweepAxes(parseSweepAxes(["strategy.min_dte=0,1"]))).toThrow("--sweep strategy.min_dte=0: strategy.min_dte was 0, expected at least 1 for a backtest");
  });

  test("with the shortest allowed expiries every straddle is sold before its expiry close", async () => {
    const { summary } = await runBacktest(request(["strategy.min_dte=1", "strategy.max_dte=3"]), { logPath: null, onProgress: null });
    const sold = summary.rollLog.filter((roll) => roll.from !== null);
    expect(sold.length).toBeGreaterThan(3);
    for (const roll of sold) {
      const expiryYmd = (roll.from as string).split(" ")[1] as string;
      const expiryDay = parseDay(`${expiryYmd.slice(0, 4)}-${expiryYmd.slice(4, 6)}-${expiryYmd.slice(6)}`) as number;
      expect(roll.tsMs).toBeLessThan(expiryCloseUtcMs(expiryDay));
    }
  });

  test("bars that skip the expiry day stop the run instead of selling expired legs", async () => {
    const loaded = await loadBars(parseDataSource("bundled", { symbol: "SPY", zone: null, barSeconds: null }), { fromDay: "2024-07-08", toDay: "2024-07-12" });
    // Monday's straddle expires on Tuesday (min_dte=max_dte=1); the bars jump to Wednesday.
    const tuesday = parseDay("2024-07-09");
    const kept = seriesToBars(loaded.series).filter((bar) => exchangeDayAt(bar.tsMs).dayNumber !== tuesday);
    const series = barsToSeries("SPY", loaded.series.barSeconds, kept);
    const strategy = { ...hedgerParamsFromConfig(defaultConfig()).strategy, minDte: 1, maxDte: 1 };
    const record = (): unknown => recordMarketTape(series, bundledVix(), defaultBacktestParams(0.025), strategy);
    expect(record).toThrow(DataInputError);
    expect(record).toThrow("the bars skip from 2024-07-08 to 2024-07-10, past the held straddle's expiry on 2024-07-09");
  });
});
