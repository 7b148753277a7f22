// A worker for bench/backtest.ts's steady-state sweep figure: records its own tape, replays the
// default config on it until the JIT has settled, then times `runs` replays when told to.
import { defaultBacktestParams } from "../src/backtest/backtest-params.ts";
import { recordMarketTape } from "../src/backtest/market-tape.ts";
import { replay } from "../src/backtest/replay-engine.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../src/config/hedger-params.ts";
import { Hedger } from "../src/core/hedger.ts";
import { constantIv, gbmBars, parseGbmSpec } from "../src/market-data/index.ts";

declare const self: Worker;

const series = gbmBars(parseGbmSpec("seed=1,vol=0.2,bar=1m,days=252"));
const config = defaultConfig();
const params = hedgerParamsFromConfig(config);
const backtestParams = defaultBacktestParams(config.strategy.atm_band_pct);
const iv = constantIv(0.2);
const tape = recordMarketTape(series, iv, backtestParams, params.strategy);
const run = (): void => {
  replay({ hedger: new Hedger(params), series, iv, params: backtestParams, runId: "bench", log: null, onProgress: null, tape });
};
for (let k = 0; k < 20; k++) run();
self.onmessage = (event: MessageEvent<{ runs: number }>) => {
  const start = performance.now();
  for (let k = 0; k < event.data.runs; k++) run();
  self.postMessage({ msPerRun: (performance.now() - start) / event.data.runs, bars: series.length });
};
self.postMessage("ready");
