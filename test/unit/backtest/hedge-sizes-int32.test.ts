// Order sizes leave the Hedger as int32s in every JIT tier: the order path (tracker, venue,
// status and execution reports) is compiled for int32 sizes, and a size boxed as a double by
// optimised code deoptimised and recompiled it on every run of a sweep.
import { jscDescribe } from "bun:jsc";
import { describe, expect, test } from "bun:test";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { replay } from "../../../src/backtest/replay-engine.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import { Hedger } from "../../../src/core/hedger.ts";
import { constantIv, gbmBars, parseGbmSpec } from "../../../src/market-data/index.ts";

describe("hedge sizes", () => {
  test("every hedge's size is an int32, also once the replay runs optimised", () => {
    const config = defaultConfig();
    const params = hedgerParamsFromConfig(config);
    const series = gbmBars(parseGbmSpec("seed=3,vol=0.3,bar=1m,days=60"));
    const boxings = new Map<string, number>();
    for (let run = 0; run < 6; run++) {
      const result = replay({ hedger: new Hedger(params), series, iv: constantIv(0.3), params: defaultBacktestParams(config.strategy.atm_band_pct), runId: "t", log: null, onProgress: null });
      expect(result.hedges.length).toBeGreaterThan(500);
      for (const hedge of result.hedges) {
        const boxing = jscDescribe(hedge.shares).split(":")[0] as string;
        boxings.set(boxing, (boxings.get(boxing) ?? 0) + 1);
      }
    }
    expect([...boxings.keys()]).toEqual(["Int32"]);
  });
});
