// Delta-hedging theory as a check on the whole backtest (marks, Hedger, venue, ledger):
// with realised vol equal to implied on GBM paths and hedging on every bar, the PnL before
// costs of a long straddle averages to zero, and its spread across paths (the hedging
// error) shrinks as hedging gets more frequent (roughly with the square root of the
// interval). Fixed seeds: the same numbers every run. Tolerances are statistical: three
// standard errors for means, +/-40 % around the square-root law for the error ratio.
import { beforeAll, describe, expect, test } from "bun:test";
import { defaultBacktestParams } from "../../src/backtest/backtest-params.ts";
import { replay } from "../../src/backtest/replay-engine.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import type { HedgerParams } from "../../src/core/hedger-params.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { hedgerParamsFromConfig } from "../../src/config/hedger-params.ts";
import type { BarSeries } from "../../src/market-data/index.ts";
import { BarSeriesBuilder } from "../../src/market-data/bar-series.ts";
import { constantIv, GBM_DEFAULTS, gbmBars, parseDay, TRADING_SECONDS_PER_YEAR } from "../../src/market-data/index.ts";

const VOL = 0.2;
const PATHS = 48;
const SESSIONS = 15;
const INTERVALS_MIN = [1, 5, 30] as const;

/** Hedge to the nearest share on every bar: no band, no cooldown, no price-move or daily limits. */
function everyBarHedging(): HedgerParams {
  const base = hedgerParamsFromConfig(defaultConfig());
  return {
    ...base,
    hedge: { ...base.hedge, epsilonBandShares: 0, thresholdShares: 1, minShares: 1, maxSharesPerOrder: 100_000 },
    guards: { ...base.guards, cooldownMs: 0, minPriceMoveFraction: 0, maxDailyHedges: 1_000_000, maxDailyLossUsd: null, maxPositionShares: 100_000, maxSpreadFraction: null },
  };
}

/** The same path sampled every `factor` bars (close of each block, labelled at its start). */
function resample(series: BarSeries, factor: number): BarSeries {
  if (factor === 1) return series;
  const builder = new BarSeriesBuilder(Math.ceil(series.length / factor));
  for (let i = 0; i + factor - 1 < series.length; i += factor) {
    const close = series.close[i + factor - 1] as number;
    builder.push(series.tsMs[i] as number, series.open[i] as number, close, close, close, 0);
  }
  return builder.build(series.symbol, series.barSeconds * factor);
}

interface PathResult {
  /** PnL before trading costs (spreads, slippage, commissions), USD. */
  readonly beforeCostsUsd: number;
  readonly thetaUsd: number;
}

/**
 * The path's variance arrives in trading time (nights flat) while options decay in calendar
 * time; "realised = implied" means equal total variance over the run, so the implied vol is
 * the path's vol scaled by trading time over calendar time between the first and last bar.
 */
function matchedImpliedVol(path: BarSeries): number {
  const tradingYears = ((path.length - 1) * path.barSeconds) / TRADING_SECONDS_PER_YEAR;
  const calendarYears = ((path.tsMs[path.length - 1] as number) - (path.tsMs[0] as number)) / (365 * 86_400_000);
  return VOL * Math.sqrt(tradingYears / calendarYears);
}

function runPath(series: BarSeries, impliedVol: number): PathResult {
  const result = replay({ hedger: new Hedger(everyBarHedging()), series, iv: constantIv(impliedVol), params: defaultBacktestParams(0.5), runId: "theory", log: null, onProgress: null });
  const t = result.totals;
  return { beforeCostsUsd: t.totalUsd + t.hedgeSlippageUsd + t.rollCostsUsd + t.stockCommissionsUsd + t.optionCommissionsUsd, thetaUsd: t.thetaUsd };
}

function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  const variance = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe("delta hedging with realised = implied vol", () => {
  const startDay = parseDay("2024-02-05") as number;
  const results = new Map<number, PathResult[]>(INTERVALS_MIN.map((minutes) => [minutes, []]));
  beforeAll(() => {
    for (let seed = 1; seed <= PATHS; seed++) {
      const path = gbmBars({ ...GBM_DEFAULTS, seed, vol: VOL, barSeconds: 60, days: SESSIONS, startDay, spot: 500 });
      const impliedVol = matchedImpliedVol(path);
      for (const minutes of INTERVALS_MIN) results.get(minutes)?.push(runPath(resample(path, minutes), impliedVol));
    }
  }, 120_000);

  test("mean PnL before costs is zero within its standard error and small against theta", () => {
    const paths = results.get(1) as PathResult[];
    const { mean, std } = meanAndStd(paths.map((p) => p.beforeCostsUsd));
    const meanTheta = meanAndStd(paths.map((p) => p.thetaUsd)).mean;
    const standardError = std / Math.sqrt(paths.length);
    expect(Math.abs(mean)).toBeLessThan(3 * standardError + 1e-9);
    // Gamma earned what theta cost: the residual is a few percent of the theta paid.
    expect(Math.abs(mean)).toBeLessThan(0.05 * Math.abs(meanTheta));
    expect(meanTheta).toBeLessThan(-1000);
  });

  test("PnL spread across paths shrinks as hedging gets more frequent", () => {
    const stds = INTERVALS_MIN.map((minutes) => meanAndStd((results.get(minutes) as PathResult[]).map((p) => p.beforeCostsUsd)).std);
    const [every1, every5, every30] = stds as [number, number, number];
    expect(every1).toBeLessThan(every5);
    expect(every5).toBeLessThan(every30);
    expect(every30 / every1).toBeGreaterThan(1.8);
  });

  test("the discrete-hedging error grows as the square root of the interval", () => {
    // Same path, 1-minute hedging as the reference: what k-minute hedging adds is the
    // discretisation error, whose spread theory puts at ~ sqrt(k - 1).
    const reference = results.get(1) as PathResult[];
    const errorStd = (minutes: number): number =>
      meanAndStd((results.get(minutes) as PathResult[]).map((p, i) => p.beforeCostsUsd - (reference[i] as PathResult).beforeCostsUsd)).std;
    const ratio = errorStd(30) / errorStd(5);
    const theory = Math.sqrt((30 - 1) / (5 - 1));
    expect(ratio).toBeGreaterThan(theory * 0.7);
    expect(ratio).toBeLessThan(theory * 1.4);
  });

  test("every interval's mean is still zero within three standard errors", () => {
    for (const minutes of INTERVALS_MIN) {
      const values = (results.get(minutes) as PathResult[]).map((p) => p.beforeCostsUsd);
      const { mean, std } = meanAndStd(values);
      expect(Math.abs(mean)).toBeLessThan(3 * (std / Math.sqrt(values.length)));
    }
  });
});
