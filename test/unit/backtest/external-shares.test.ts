// A config that declares shares held outside the strategy (strategy.external_shares) must
// backtest exactly like one that does not: the simulated account holds them beside the hedge
// and the Hedger leaves them out, so not one decision, fill or number changes.
import { expect, test } from "bun:test";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { replay } from "../../../src/backtest/replay-engine.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import { Hedger } from "../../../src/core/hedger.ts";
import { constantIv, gbmBars, parseGbmSpec } from "../../../src/market-data/index.ts";

test("external shares change nothing in a backtest, long or short", () => {
  const series = gbmBars(parseGbmSpec("seed=5,vol=0.25,bar=1m,days=5,start=2024-05-06"));
  const params = hedgerParamsFromConfig(defaultConfig());
  const run = (externalShares: number) =>
    replay({ hedger: new Hedger({ ...params, externalShares }), series, iv: constantIv(0.2), params: defaultBacktestParams(0.03), runId: "external", log: null, onProgress: null });
  const plain = run(0);
  expect(plain.hedges.length).toBeGreaterThan(10);
  expect(run(1_000)).toEqual(plain);
  expect(run(-250)).toEqual(plain);
});
