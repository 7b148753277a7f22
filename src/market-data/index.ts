// Public surface of market-data: history and synthetic paths as regular-session bars,
// plus implied-vol series. The backtest and the simulated broker use only what is here.
//
//   loadBars(parseDataSource(spec, opts), { fromDay, toDay }[, readCache]) -> LoadedBars (bars + report + fingerprint)
//     spec: "bundled" | "gbm:seed=1,vol=0.2,..." | "cache[:1m]" (sink bars, via readCache) | a CSV path
//   bundledBars()   the shipped SPY 5m sample, regular session only
//   bundledVix()    the shipped VIX daily closes as an IvSeries (fractions)
//   gbmBars(params) seeded GBM bars on real sessions; parseGbmSpec("seed=1,vol=0.2")
//   ivAt(series, tsMs) implied vol in force at an instant (no look-ahead for daily series)
//   parseBarsCsv / parseIvCsv for text already in memory; ivFromBars for cached IV bars;
//   DataInputError (a UserError: exit 2) for bad input. history-fetch.ts fills the cache.
export type { BarSeries } from "./bar-series.ts";
export { barsToSeries, fingerprintSeries, lowerBound, seriesToBars, sliceSeries } from "./bar-series.ts";
export { formatBarSize, parseBarSize } from "./bar-size.ts";
export type { BarIssue, CsvReadOptions, CsvReadReport } from "./csv-bars.ts";
export { describeIssue, parseBarsCsv } from "./csv-bars.ts";
export type { CsvSettingNames, TimeZoneName } from "./csv-timestamp.ts";
export { parseTimeZone, TIME_ZONES } from "./csv-timestamp.ts";
export { DataInputError } from "./data-input-error.ts";
export type { TradingSession } from "./exchange-calendar.ts";
export { isTradingDay, nextTradingDay, sessionOf, sessionsBetween } from "./exchange-calendar.ts";
export type { GbmParams } from "./gbm-path.ts";
export { describeGbm, GBM_DEFAULTS, gbmBars, parseGbmSpec, SeededRandom, TRADING_SECONDS_PER_YEAR } from "./gbm-path.ts";
export type { IvSeries, IvUnit } from "./iv-series.ts";
export { constantIv, ivAt, ivCoverageStartMs, ivFromBars, parseIvCsv } from "./iv-series.ts";
export type { CachedBarsReader, DataSource, DataSourceOptions, DayRange, LoadedBars } from "./load-bars.ts";
export { loadBars, parseDataSource } from "./load-bars.ts";
export { formatDay, nyDayOf, nyMinuteOfDay, parseDay } from "./ny-time.ts";
export type { SessionGap, SessionReport } from "./regular-session.ts";
export { toRegularSession } from "./regular-session.ts";
export { BUNDLED_SYMBOL, bundledBars, bundledVix } from "./samples/bundled.ts";
