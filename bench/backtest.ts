// Backtest throughput: bar-steps per second of the full replay (Hedger, guards, venue,
// accounting, attribution; decision log off) on a year of 1-minute GBM bars for one
// straddle, next to a bare loop over the same bars computing the same two legs' BS delta
// and gamma, in the same process. Run: bun bench/backtest.ts [--rounds N]
import { defaultBacktestParams } from "../src/backtest/backtest-params.ts";
import { replay } from "../src/backtest/replay-engine.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import { computeDeltaGamma, GreeksScratch } from "../src/core/greeks.ts";
import { Hedger } from "../src/core/hedger.ts";
import { hedgerParamsFromConfig } from "../src/daemon/hedger-params-from-config.ts";
import { constantIv, gbmBars, parseGbmSpec } from "../src/market-data/index.ts";

const roundsFlag = process.argv.indexOf("--rounds");
const ROUNDS = roundsFlag === -1 ? 5 : Number(process.argv[roundsFlag + 1]);
const YEAR_MS = 365 * 86_400_000;

const series = gbmBars(parseGbmSpec("seed=1,vol=0.2,bar=1m,days=252"));
const config = defaultConfig();
const params = hedgerParamsFromConfig(config);
const strike = Math.round(series.close[0] as number);
const expiryMs = (series.tsMs[0] as number) + 400 * 86_400_000;

/** Baseline: per bar, delta and gamma of a call and a put (same strike/expiry) by BS. */
function bareLoop(): number {
  const g = new GreeksScratch();
  const { rate, dividendYield } = { rate: params.strategy.riskFreeRate, dividendYield: params.strategy.dividendYield };
  let sum = 0;
  for (let i = 0; i < series.length; i++) {
    const spot = series.close[i] as number;
    const years = (expiryMs - (series.tsMs[i] as number)) / YEAR_MS;
    computeDeltaGamma("C", spot, strike, years, rate, dividendYield, 0.2, g);
    sum += g.delta + g.gamma;
    computeDeltaGamma("P", spot, strike, years, rate, dividendYield, 0.2, g);
    sum += g.delta + g.gamma;
  }
  return sum;
}

function fullReplay(): number {
  const result = replay({ hedger: new Hedger(params), series, iv: constantIv(0.2), params: defaultBacktestParams(config.strategy.atm_band_pct), runId: "bench", log: null, onProgress: null });
  return result.hedges.length;
}

function measure(run: () => number): { stepsPerS: number; ms: number } {
  const t0 = performance.now();
  run();
  const ms = performance.now() - t0;
  return { stepsPerS: (series.length / ms) * 1000, ms };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

// Warm both paths before measuring.
bareLoop();
fullReplay();
const bare: number[] = [];
const full: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  bare.push(measure(bareLoop).stepsPerS);
  full.push(measure(fullReplay).stepsPerS);
}
const bareMedian = median(bare);
const fullMedian = median(full);
console.log(`bars: ${series.length} (1-minute GBM, 252 sessions), rounds: ${ROUNDS}, hedges per run: ${fullReplay()}`);
console.log(`bare loop (2 legs delta+gamma): ${(bareMedian / 1e6).toFixed(2)} M bar-steps/s`);
console.log(`full backtest (log off):        ${(fullMedian / 1e6).toFixed(2)} M bar-steps/s`);
console.log(`ratio bare/full: ${(bareMedian / fullMedian).toFixed(2)}x (target <= 5x; full target >= 3 M/s)`);
