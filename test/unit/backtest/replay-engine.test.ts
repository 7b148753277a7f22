// The replay loop on small synthetic and real windows: the accounting identity holds to the
// cent, rolls happen when due, the decision count equals the bar count, and the run is
// deterministic.
import { describe, expect, test } from "bun:test";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { replay } from "../../../src/backtest/replay-engine.ts";
import type { ReplayResult } from "../../../src/backtest/replay-engine.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { Hedger } from "../../../src/core/hedger.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import { BarSeriesBuilder } from "../../../src/market-data/bar-series.ts";
import type { BarSeries } from "../../../src/market-data/index.ts";
import { bundledVix, constantIv, gbmBars, loadBars, parseDataSource, parseGbmSpec } from "../../../src/market-data/index.ts";

function run(series: BarSeries, rollBand = 0.03): ReplayResult {
  return replay({ hedger: new Hedger(hedgerParamsFromConfig(defaultConfig())), series, iv: constantIv(0.25), params: defaultBacktestParams(rollBand), runId: "t", log: null, onProgress: null });
}

describe("replay engine", () => {
  const series = gbmBars(parseGbmSpec("seed=5,vol=0.25,bar=5m,days=30,start=2024-04-01"));
  const result = run(series, 0.5);

  test("total PnL = scalping + theta + vega - costs, to the cent", () => {
    const t = result.totals;
    const parts = t.scalpingUsd + t.thetaUsd + t.vegaUsd - t.hedgeSlippageUsd - t.rollCostsUsd - t.stockCommissionsUsd - t.optionCommissionsUsd;
    expect(Math.abs(t.totalUsd - parts)).toBeLessThan(0.01);
    expect(t.stockCommissionsUsd).toBeGreaterThan(0);
  });

  test("one decision per bar, one open plus a roll each time DTE falls below the minimum", () => {
    expect(result.bars.tsMs.length).toBe(series.length);
    expect(result.rolls[0]?.reason).toBe("open");
    const dteRolls = result.rolls.filter((roll) => roll.reason === "dte_below_min");
    // 30 sessions (~6 weeks) from 28 DTE rolling below 21: about one roll a week.
    expect(dteRolls.length).toBeGreaterThanOrEqual(4);
    expect(dteRolls.length).toBeLessThanOrEqual(7);
  });

  test("a tight band rolls on the strike as well", () => {
    const tight = run(series, 0.005);
    expect(tight.rolls.some((roll) => roll.reason === "strike_outside_band")).toBe(true);
  });

  test("the same inputs give the same run", () => {
    const again = run(series, 0.5);
    expect(again.totals).toEqual(result.totals);
    expect(again.hedges).toEqual(result.hedges);
  });

  test("days add up: each day's bars and the last day's equity is the final total", () => {
    expect(result.days.reduce((sum, day) => sum + day.bars, 0)).toBe(series.length);
    expect(result.days.at(-1)?.endEquityUsd).toBeCloseTo(result.totals.totalUsd, 9);
    expect(result.days.length).toBe(30);
  });
});

describe("rolls on a gap day", () => {
  test("after the 2024-08-05 gap the Hedger holds the new legs at once (never 'no_legs')", async () => {
    const loaded = await loadBars(parseDataSource("bundled", { symbol: "SPY", zone: null, barSeconds: null }), { fromDay: "2024-07-29", toDay: "2024-08-09" });
    const result = replay({ hedger: new Hedger(hedgerParamsFromConfig(defaultConfig())), series: loaded.series, iv: bundledVix(), params: defaultBacktestParams(0.03), runId: "gap", log: null, onProgress: null });
    expect(result.rolls.some((roll) => new Date(roll.tsMs).toISOString().startsWith("2024-08-05"))).toBe(true);
    expect(result.guards.holds.no_legs).toBeUndefined();
  });
});

describe("daily bars", () => {
  test("each daily bar is decided at its session's close, inside trading hours", () => {
    const series = resampleToDaily(gbmBars(parseGbmSpec("seed=9,vol=0.3,bar=5m,days=60,start=2024-06-03")));
    const result = run(series, 0.5);
    expect(result.hedges.length).toBeGreaterThan(5);
    expect(result.guards.violations).toEqual([]);
    // 2024-07-03 closes at 13:00 New York: its step is at 12:59:59.
    const july3 = Array.from(result.bars.tsMs).find((ts) => new Date(ts).toISOString().startsWith("2024-07-03"));
    expect(new Date(july3 as number).toISOString()).toBe("2024-07-03T16:59:59.000Z");
  });
});

/** One bar per session from intraday bars: labelled at the open, closing at the session's last close. */
function resampleToDaily(series: BarSeries): BarSeries {
  const builder = new BarSeriesBuilder(64);
  let dayStart = -1;
  let open = 0;
  let close = 0;
  const flush = (): void => {
    if (dayStart >= 0) builder.push(dayStart, open, Math.max(open, close), Math.min(open, close), close, 0);
  };
  for (let i = 0; i < series.length; i++) {
    const ts = series.tsMs[i] as number;
    if (dayStart < 0 || ts - dayStart >= 12 * 3_600_000) {
      flush();
      dayStart = ts;
      open = series.open[i] as number;
    }
    close = series.close[i] as number;
  }
  flush();
  return builder.build(series.symbol, 86_400);
}
