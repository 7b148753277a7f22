// Implied volatility over time: a constant, a daily series (a volatility index such as
// VIX as a proxy) or an intraday series. Values are fractions (0.153 = 15.3 %).
// A daily value is the close of its day, so a bar on day D sees day D-1's value: the
// backtest never uses a close it could not have known yet.
import { BACKTEST_CSV_SETTINGS, declareZoneHint, parseTimestamp } from "./csv-timestamp.ts";
import type { TimeZoneName } from "./csv-timestamp.ts";
import { DataInputError } from "./data-input-error.ts";
import { isTradingDay } from "./exchange-calendar.ts";
import { formatDay, nyDayOf, parseDay } from "./ny-time.ts";

export type IvSeries =
  | { readonly type: "constant"; readonly vol: number; readonly source: string }
  | {
      readonly type: "daily";
      /** New York day numbers, strictly increasing, trading days only. */
      readonly days: Int32Array;
      readonly vols: Float64Array;
      readonly source: string;
      /** Rows dropped because the exchange was closed that day (index rows on holidays). */
      readonly droppedClosedDays: readonly string[];
    }
  | { readonly type: "intraday"; readonly tsMs: Float64Array; readonly vols: Float64Array; readonly source: string };

export type IvUnit = "fraction" | "points";

const MAX_VOL = 5;

export function constantIv(vol: number): IvSeries {
  if (!Number.isFinite(vol) || vol <= 0 || vol > MAX_VOL) {
    throw new DataInputError(`implied vol was ${vol}, expected a fraction in (0, ${MAX_VOL}] (0.2 = 20%)`);
  }
  return { type: "constant", vol, source: `constant ${vol}` };
}

/** Last index with values[i] <= target, or -1. */
function lastAtOrBefore(values: ArrayLike<number>, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Implied vol in force at an instant. Before the first observation the first value is
 * used (callers check coverage with ivCoverage first).
 */
export function ivAt(series: IvSeries, tsMs: number): number {
  switch (series.type) {
    case "constant":
      return series.vol;
    case "daily": {
      const index = lastAtOrBefore(series.days, nyDayOf(tsMs) - 1);
      return series.vols[Math.max(0, index)] as number;
    }
    case "intraday": {
      const index = lastAtOrBefore(series.tsMs, tsMs);
      return series.vols[Math.max(0, index)] as number;
    }
    default: {
      const unreachable: never = series;
      throw new Error(`unknown iv series ${JSON.stringify(unreachable)}`);
    }
  }
}

/** First instant the series has a known value for (null = always). */
export function ivCoverageStartMs(series: IvSeries): number | null {
  switch (series.type) {
    case "constant":
      return null;
    case "daily":
      // Known from the day after the first close.
      return ((series.days[0] as number) + 1) * 86_400_000;
    case "intraday":
      return series.tsMs[0] as number;
    default: {
      const unreachable: never = series;
      throw new Error(`unknown iv series ${JSON.stringify(unreachable)}`);
    }
  }
}

const VALUE_COLUMNS = ["iv", "implied_vol", "implied_volatility", "vol", "close", "vix", "value"];
const TIME_COLUMNS = ["date", "timestamp", "datetime", "time", "ts"];

export interface IvCsvOptions {
  readonly source: string;
  readonly zone: TimeZoneName | null;
  /** null = infer: points when any value exceeds 3 (VIX style), else fractions. */
  readonly unit: IvUnit | null;
}

export function parseIvCsv(text: string, options: IvCsvOptions): IvSeries {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  const header = (lines[0] ?? "").split(",").map((name) => name.trim().toLowerCase());
  const timeColumn = header.findIndex((name) => TIME_COLUMNS.includes(name));
  const valueColumn = VALUE_COLUMNS.map((name) => header.indexOf(name)).find((index) => index !== -1) ?? -1;
  if (timeColumn === -1 || valueColumn === -1) {
    throw new DataInputError(`${options.source}: header was '${lines[0] ?? ""}', expected a date/timestamp column and one of ${VALUE_COLUMNS.join("|")}`);
  }
  const times: number[] = [];
  const values: number[] = [];
  const problems: string[] = [];
  let daily = true;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const timeText = (cells[timeColumn] ?? "").trim();
    const value = Number((cells[valueColumn] ?? "").trim());
    const day = parseDay(timeText);
    let time: number;
    if (day !== null) time = day;
    else {
      const parsed = parseTimestamp(timeText, options.zone);
      if (parsed.type !== "ok") {
        // IV files are only read by gs backtest, whose --data-tz declares their zone.
        problems.push(`line ${i + 1}: ${parsed.problem}${parsed.type === "naive_without_zone" ? `; ${declareZoneHint(BACKTEST_CSV_SETTINGS.zone)}` : ""}`);
        continue;
      }
      daily = false;
      time = parsed.tsMs;
    }
    if (!Number.isFinite(value) || value <= 0) {
      problems.push(`line ${i + 1}: value was '${cells[valueColumn] ?? ""}', expected a positive number`);
      continue;
    }
    if (times.length > 0 && time <= (times[times.length - 1] as number)) {
      problems.push(`line ${i + 1}: '${timeText}' is not after the previous row`);
      continue;
    }
    times.push(time);
    values.push(value);
  }
  if (problems.length > 0) throw new DataInputError(`${options.source}: ${problems.length} bad row(s)`, problems.slice(0, 10));
  if (times.length === 0) throw new DataInputError(`${options.source}: no rows, expected implied vol observations`);
  if (!daily && times.some((time) => time < 1e9)) {
    throw new DataInputError(`${options.source}: mixes plain dates with timestamps; expected one kind`);
  }
  const unit = options.unit ?? (values.some((value) => value > 3) ? "points" : "fraction");
  const scale = unit === "points" ? 0.01 : 1;
  const vols = values.map((value) => value * scale);
  const tooHigh = vols.findIndex((vol) => vol > MAX_VOL);
  if (tooHigh !== -1) throw new DataInputError(`${options.source}: implied vol ${vols[tooHigh]} is above ${MAX_VOL}; expected fractions or vol points`);
  if (!daily) return { type: "intraday", tsMs: Float64Array.from(times), vols: Float64Array.from(vols), source: options.source };
  const keptDays: number[] = [];
  const keptVols: number[] = [];
  const dropped: string[] = [];
  times.forEach((day, i) => {
    if (isTradingDay(day)) {
      keptDays.push(day);
      keptVols.push(vols[i] as number);
    } else dropped.push(formatDay(day));
  });
  return { type: "daily", days: Int32Array.from(keptDays), vols: Float64Array.from(keptVols), source: options.source, droppedClosedDays: dropped };
}

/**
 * Implied vol from cached bars (`gs data fetch SYMBOL --what iv`): each bar's close is the vol
 * known at the bar's end, so it applies from then on (no look-ahead).
 */
export function ivFromBars(bars: readonly { readonly tsMs: number; readonly close: number }[], barSeconds: number, source: string): IvSeries {
  if (bars.length === 0) throw new DataInputError(`${source}: no implied-vol bars cached for this range`);
  const bad = bars.find((bar) => !(bar.close > 0) || bar.close > MAX_VOL);
  if (bad !== undefined) throw new DataInputError(`${source}: implied vol ${bad.close} at ${new Date(bad.tsMs).toISOString()}, expected a fraction in (0, ${MAX_VOL}]`);
  return {
    type: "intraday",
    tsMs: Float64Array.from(bars, (bar) => bar.tsMs + barSeconds * 1000),
    vols: Float64Array.from(bars, (bar) => bar.close),
    source,
  };
}
