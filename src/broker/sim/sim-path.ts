// Where the simulated market's prices come from: the bundled real SPY bars, a seeded GBM
// path, or a user CSV (all regular-session bars, via market-data), plus the IV series the
// option marks use (bundled VIX for bundled bars, constant vol otherwise).
import type { GsConfig } from "../../config/schema.ts";
import type { BarSeries, CsvSettingNames, IvSeries } from "../../market-data/index.ts";
import { BUNDLED_SYMBOL, bundledBars, bundledVix, constantIv, DataInputError, GBM_DEFAULTS, gbmBars, loadBars, parseDataSource } from "../../market-data/index.ts";

/** The sim market reads its CSV's bar size from the data: there is no key to declare it. */
const SIM_CSV_SETTINGS: CsvSettingNames = { zone: "sim.csv_tz", barSize: null };

export interface SimPriceSource {
  readonly series: BarSeries;
  readonly iv: IvSeries;
  readonly description: string;
}

export async function loadSimPriceSource(config: GsConfig): Promise<SimPriceSource> {
  const { sim, strategy } = config;
  switch (sim.source) {
    case "bundled":
      // SPY prices under another symbol's name would size hedges on the wrong market (gs backtest refuses the same).
      if (strategy.symbol !== BUNDLED_SYMBOL) {
        throw new DataInputError(
          `strategy.symbol was ${strategy.symbol} with sim.source = "bundled", which holds ${BUNDLED_SYMBOL} only; expected strategy.symbol = "${BUNDLED_SYMBOL}", or sim.source = "gbm", or sim.source = "csv" with a CSV of ${strategy.symbol} bars`,
        );
      }
      return { series: bundledBars().series, iv: bundledVix(), description: "bundled real SPY 5-minute bars 2024-03..2025-04 with VIX as implied vol" };
    case "gbm": {
      const series = gbmBars({ ...GBM_DEFAULTS, seed: sim.seed, vol: sim.gbm_vol, spot: sim.gbm_start_price, symbol: strategy.symbol });
      return { series, iv: constantIv(sim.gbm_vol), description: `seeded GBM path (seed ${sim.seed}, vol ${sim.gbm_vol})` };
    }
    case "csv": {
      const zone = sim.csv_tz === "" ? null : sim.csv_tz;
      const source = parseDataSource(sim.csv_path, { symbol: strategy.symbol, zone, settings: SIM_CSV_SETTINGS, barSeconds: null });
      const loaded = await loadBars(source, { fromDay: null, toDay: null });
      return { series: loaded.series, iv: constantIv(strategy.fallback_vol), description: loaded.description };
    }
    default: {
      const unreachable: never = sim.source;
      throw new Error(`unknown sim source ${String(unreachable)}`);
    }
  }
}
