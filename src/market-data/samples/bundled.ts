// The real data shipped inside gs (see README.md beside this file for sources and quirks).
// Imported as text so `bun build --compile` embeds them; parsed once, on first use.
import spyFiveMinuteCsv from "./spy_5m_2024-03_2025-04.csv" with { type: "text" };
import vixDailyCsv from "./vix_daily_2024-03_2025-04.csv" with { type: "text" };
import type { BarSeries } from "../bar-series.ts";
import { parseBarsCsv } from "../csv-bars.ts";
import type { CsvReadReport } from "../csv-bars.ts";
import { parseIvCsv } from "../iv-series.ts";
import type { IvSeries } from "../iv-series.ts";
import { toRegularSession } from "../regular-session.ts";
import type { SessionReport } from "../regular-session.ts";

export const BUNDLED_SYMBOL = "SPY";
export const BUNDLED_BARS_SOURCE = "bundled SPY 5m 2024-03-26..2025-04-02 (dawsh2/ADMF-PC data/SPY_5m.csv)";
export const BUNDLED_VIX_SOURCE = "bundled VIX daily 2024-03..2025-04 (datasets/finance-vix data/vix-daily.csv)";

export interface BundledBars {
  /** Regular-session bars only. */
  readonly series: BarSeries;
  readonly csvReport: CsvReadReport;
  readonly sessionReport: SessionReport;
}

let barsCache: BundledBars | null = null;
let vixCache: IvSeries | null = null;

/** The bundled SPY 5-minute bars, cut to the regular session. */
export function bundledBars(): BundledBars {
  if (barsCache === null) {
    const { series, report } = parseBarsCsv(spyFiveMinuteCsv, { source: BUNDLED_BARS_SOURCE, symbol: BUNDLED_SYMBOL, zone: null, barSeconds: 300 });
    const regular = toRegularSession(series);
    barsCache = { series: regular.series, csvReport: report, sessionReport: regular.report };
  }
  return barsCache;
}

/** Bundled VIX daily closes as an implied-vol series (fractions; holiday rows dropped). */
export function bundledVix(): IvSeries {
  vixCache ??= parseIvCsv(vixDailyCsv, { source: BUNDLED_VIX_SOURCE, zone: null, unit: "points" });
  return vixCache;
}
