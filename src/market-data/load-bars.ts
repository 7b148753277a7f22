// One entry point from "what the user asked for" (a data spec and a day range) to
// regular-session bars, with an honest account of what was clamped or dropped.
import { statSync } from "node:fs";
import type { Bar } from "../sink/records.ts";
import { barsToSeries, fingerprintSeries, lowerBound, sliceSeries } from "./bar-series.ts";
import { formatBarSize, parseBarSize } from "./bar-size.ts";
import type { BarSeries } from "./bar-series.ts";
import { parseBarsCsv } from "./csv-bars.ts";
import type { CsvReadReport } from "./csv-bars.ts";
import type { CsvSettingNames, TimeZoneName } from "./csv-timestamp.ts";
import { DataInputError } from "./data-input-error.ts";
import { sessionOf } from "./exchange-calendar.ts";
import { describeGbm, gbmBars, parseGbmSpec } from "./gbm-path.ts";
import type { GbmParams } from "./gbm-path.ts";
import { formatDay, nyDayOf, nyWallToUtcMs, parseDay } from "./ny-time.ts";
import { toRegularSession } from "./regular-session.ts";
import type { SessionReport } from "./regular-session.ts";
import { BUNDLED_BARS_SOURCE, bundledBars } from "./samples/bundled.ts";

export type DataSource =
  | { readonly type: "bundled" }
  | { readonly type: "gbm"; readonly params: GbmParams; readonly daysGiven: boolean; readonly startGiven: boolean }
  | { readonly type: "csv"; readonly path: string; readonly zone: TimeZoneName | null; readonly settings?: CsvSettingNames; readonly barSeconds: number | null; readonly symbol: string }
  /** Bars cached in the sink by `gs data fetch`. */
  | { readonly type: "cache"; readonly symbol: string; readonly barSeconds: number };

/** Reads cached bars (the sink's loadBars), injected so market-data stays free of I/O choices. */
export type CachedBarsReader = (symbol: string, barSeconds: number, sinceMs: number, untilMs: number) => Promise<readonly Bar[]>;

/** Inclusive New York trading-day range; either end may be open. */
export interface DayRange {
  readonly fromDay: string | null;
  readonly toDay: string | null;
}

export interface LoadedBars {
  readonly series: BarSeries;
  /** One line saying where the bars came from. */
  readonly description: string;
  /** sha256 prefix of the bars actually used. */
  readonly fingerprint: string;
  readonly fromDay: string;
  readonly toDay: string;
  /** Set when the requested range was cut to the data available, saying how. */
  readonly clampNote: string | null;
  readonly csvReport: CsvReadReport | null;
  readonly sessionReport: SessionReport | null;
}

export interface DataSourceOptions {
  /** Symbol the strategy trades; a CSV is taken to hold it. */
  readonly symbol: string;
  readonly zone: TimeZoneName | null;
  /** Where `zone` and the bar size are declared (default: gs backtest's flags). */
  readonly settings?: CsvSettingNames;
  readonly barSeconds: number | null;
}

/** `bundled` (or empty), `gbm:seed=1,vol=0.2,...`, `cache` / `cache:1m` (the sink's bars), or a CSV file path. */
export function parseDataSource(spec: string | null, options: DataSourceOptions): DataSource {
  const text = (spec ?? "").trim();
  if (text === "" || text === "bundled" || text === "sample") return { type: "bundled" };
  if (text === "cache" || text.startsWith("cache:")) {
    const size = text.slice("cache:".length);
    return { type: "cache", symbol: options.symbol, barSeconds: text === "cache" ? (options.barSeconds ?? 300) : parseBarSize(size) };
  }
  if (text.startsWith("gbm:") || text === "gbm") {
    const body = text.slice(4);
    return { type: "gbm", params: parseGbmSpec(body), daysGiven: /(^|,)\s*days=/.test(body), startGiven: /(^|,)\s*start=/.test(body) };
  }
  return { type: "csv", path: text, zone: options.zone, settings: options.settings, barSeconds: options.barSeconds, symbol: options.symbol };
}

function parseRangeDay(text: string | null, flag: string): number | null {
  if (text === null) return null;
  const day = parseDay(text);
  if (day === null) throw new DataInputError(`${flag} was '${text}', expected a date YYYY-MM-DD`);
  return day;
}

async function readText(path: string): Promise<string> {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new DataInputError(`data file '${path}' does not exist (expected a CSV of bars, 'bundled' or 'gbm:...')`);
  }
  if (!isFile) throw new DataInputError(`data file '${path}' is not a regular file, expected a CSV of bars`);
  try {
    return await Bun.file(path).text();
  } catch (error) {
    throw new DataInputError(`data file '${path}' could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Loads, cuts to the regular session and to the range. Throws DataInputError for bad input. */
export async function loadBars(source: DataSource, range: DayRange, readCache: CachedBarsReader | null = null): Promise<LoadedBars> {
  const fromDay = parseRangeDay(range.fromDay, "--from");
  const toDay = parseRangeDay(range.toDay, "--to");
  if (fromDay !== null && toDay !== null && fromDay > toDay) {
    throw new DataInputError(`--from ${range.fromDay} is after --to ${range.toDay}; expected from <= to`);
  }
  switch (source.type) {
    case "bundled": {
      const bundled = bundledBars();
      return cutToRange(bundled.series, fromDay, toDay, BUNDLED_BARS_SOURCE, bundled.csvReport, bundled.sessionReport);
    }
    case "csv": {
      const text = await readText(source.path);
      const { series, report } = parseBarsCsv(text, { source: source.path, symbol: source.symbol, zone: source.zone, settings: source.settings, barSeconds: source.barSeconds });
      const regular = toRegularSession(series);
      return cutToRange(regular.series, fromDay, toDay, `${source.path} (${source.symbol})`, report, regular.report);
    }
    case "gbm": {
      const startDay = source.startGiven ? source.params.startDay : (fromDay ?? source.params.startDay);
      const days = source.daysGiven || toDay === null ? source.params.days : countSessions(startDay, toDay);
      if (days <= 0) throw new DataInputError(`no trading day between ${formatDay(startDay)} and ${range.toDay}; expected a range with at least one session`);
      const params: GbmParams = { ...source.params, startDay, days };
      return cutToRange(gbmBars(params), fromDay, toDay, describeGbm(params), null, null);
    }
    case "cache": {
      if (readCache === null) throw new Error("loadBars: a cache source needs a cached-bars reader");
      const sinceMs = fromDay === null ? 0 : nyWallToUtcMs(fromDay, 0);
      const untilMs = toDay === null ? Number.MAX_SAFE_INTEGER : nyWallToUtcMs(toDay + 1, 0);
      const rows = await readCache(source.symbol, source.barSeconds, sinceMs, untilMs);
      const description = `cached ${formatBarSize(source.barSeconds)} bars of ${source.symbol} (gs data fetch)`;
      if (rows.length === 0) {
        throw new DataInputError(`no ${formatBarSize(source.barSeconds)} bars of ${source.symbol} cached for this range; fetch them with gs data fetch ${source.symbol} --from YYYY-MM-DD --bar ${formatBarSize(source.barSeconds)}`);
      }
      const regular = toRegularSession(barsToSeries(source.symbol, source.barSeconds, rows));
      return cutToRange(regular.series, fromDay, toDay, description, null, regular.report);
    }
    default: {
      const unreachable: never = source;
      throw new Error(`unknown data source ${JSON.stringify(unreachable)}`);
    }
  }
}

function countSessions(fromDay: number, toDay: number): number {
  let count = 0;
  for (let day = fromDay; day <= toDay; day++) if (sessionOf(day) !== null) count++;
  return count;
}

function cutToRange(
  series: BarSeries,
  fromDay: number | null,
  toDay: number | null,
  description: string,
  csvReport: CsvReadReport | null,
  sessionReport: SessionReport | null,
): LoadedBars {
  if (series.length === 0) throw new DataInputError(`${description}: no regular-session bars at all`);
  const firstDay = nyDayOf(series.tsMs[0] as number);
  const lastDay = nyDayOf(series.tsMs[series.length - 1] as number);
  const from = fromDay === null ? 0 : lowerBound(series.tsMs, nyWallToUtcMs(fromDay, 0));
  const endIndex = toDay === null ? series.length : lowerBound(series.tsMs, nyWallToUtcMs(toDay + 1, 0));
  if (from >= endIndex) {
    throw new DataInputError(
      `no bars between ${fromDay === null ? "the start" : formatDay(fromDay)} and ${toDay === null ? "the end" : formatDay(toDay)}; the data (${description}) covers ${formatDay(firstDay)} to ${formatDay(lastDay)}`,
    );
  }
  const cut = from === 0 && endIndex === series.length ? series : sliceSeries(series, from, endIndex);
  const usedFrom = nyDayOf(cut.tsMs[0] as number);
  const usedTo = nyDayOf(cut.tsMs[cut.length - 1] as number);
  const notes: string[] = [];
  if (fromDay !== null && fromDay < firstDay) notes.push(`data starts ${formatDay(firstDay)}, after the requested --from ${formatDay(fromDay)}`);
  if (toDay !== null && toDay > lastDay) notes.push(`data ends ${formatDay(lastDay)}, before the requested --to ${formatDay(toDay)}`);
  return {
    series: cut,
    description,
    fingerprint: fingerprintSeries(cut),
    fromDay: formatDay(usedFrom),
    toDay: formatDay(usedTo),
    clampNote: notes.length === 0 ? null : `${notes.join("; ")}: running ${formatDay(usedFrom)} to ${formatDay(usedTo)}`,
    csvReport,
    sessionReport,
  };
}
