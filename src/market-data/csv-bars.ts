// CSV bar reader. Columns: a timestamp (timestamp|datetime|date|time|ts), open, high,
// low, close, volume, in any order, header required. Every row is checked; problems are
// collected with line numbers and reported together, never silently dropped:
//  - fatal: malformed rows, out-of-order rows, two different bars at one time, bars off
//    the inferred bar grid, a bar size different from the declared one;
//  - warning (row dropped, counted): an exact duplicate of the previous bar.
import { BarSeriesBuilder } from "./bar-series.ts";
import type { BarSeries } from "./bar-series.ts";
import { BACKTEST_CSV_SETTINGS, declareZoneHint, parseTimestamp } from "./csv-timestamp.ts";
import type { CsvSettingNames, TimeZoneName } from "./csv-timestamp.ts";
import { DataInputError } from "./data-input-error.ts";

export type BarIssue =
  | { readonly type: "malformed"; readonly line: number; readonly problem: string }
  | { readonly type: "out_of_order"; readonly line: number; readonly tsMs: number; readonly previousTsMs: number }
  | { readonly type: "conflicting_duplicate"; readonly line: number; readonly tsMs: number }
  | { readonly type: "duplicate"; readonly line: number; readonly tsMs: number }
  | { readonly type: "off_grid"; readonly line: number; readonly tsMs: number; readonly barSeconds: number };

export interface CsvReadReport {
  readonly source: string;
  readonly rows: number;
  readonly barSeconds: number;
  /** True when the bar size came from the data (no declared size). */
  readonly barSecondsInferred: boolean;
  readonly naiveTimestamps: boolean;
  /** Non-fatal issues (exact duplicates, dropped). Fatal ones throw instead. */
  readonly warnings: readonly BarIssue[];
}

export interface CsvReadOptions {
  /** Shown in messages, e.g. the file path. */
  readonly source: string;
  readonly symbol: string;
  /** Zone of naive timestamps; null = naive timestamps are an error. */
  readonly zone: TimeZoneName | null;
  /** Where `zone` and the bar size are declared (default: gs backtest's flags). */
  readonly settings?: CsvSettingNames;
  /** Expected bar size; null = infer it. */
  readonly barSeconds: number | null;
}

const TIMESTAMP_COLUMNS = ["timestamp", "datetime", "date", "time", "ts"];
const PRICE_COLUMNS = ["open", "high", "low", "close", "volume"] as const;
const MAX_LISTED_ISSUES = 10;

export function describeIssue(issue: BarIssue): string {
  switch (issue.type) {
    case "malformed":
      return `line ${issue.line}: ${issue.problem}`;
    case "out_of_order":
      return `line ${issue.line}: out of order, ${new Date(issue.tsMs).toISOString()} is before the previous row's ${new Date(issue.previousTsMs).toISOString()}`;
    case "conflicting_duplicate":
      return `line ${issue.line}: a different bar for ${new Date(issue.tsMs).toISOString()} appeared on an earlier line`;
    case "duplicate":
      return `line ${issue.line}: exact duplicate of the bar at ${new Date(issue.tsMs).toISOString()} (dropped)`;
    case "off_grid":
      return `line ${issue.line}: ${new Date(issue.tsMs).toISOString()} is not on the ${issue.barSeconds}s bar grid`;
    default: {
      const unreachable: never = issue;
      return String(unreachable);
    }
  }
}

function listIssues(issues: readonly BarIssue[]): string[] {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map(describeIssue);
  if (issues.length > MAX_LISTED_ISSUES) lines.push(`... and ${issues.length - MAX_LISTED_ISSUES} more`);
  return lines;
}

function columnIndexes(headerLine: string, source: string): { ts: number; fields: number[]; count: number } {
  const names = headerLine.split(",").map((name) => name.trim().toLowerCase().replace(/^"|"$/g, ""));
  const ts = names.findIndex((name) => TIMESTAMP_COLUMNS.includes(name));
  const fields = PRICE_COLUMNS.map((name) => names.indexOf(name));
  const missing = PRICE_COLUMNS.filter((_, i) => fields[i] === -1);
  if (ts === -1 || missing.length > 0) {
    const absent = [...(ts === -1 ? ["timestamp"] : []), ...missing];
    throw new DataInputError(
      `${source}: header was '${headerLine.trim()}', expected columns timestamp,open,high,low,close,volume (missing: ${absent.join(", ")})`,
    );
  }
  return { ts, fields, count: names.length };
}

function checkPrices(values: readonly number[], rawVolume: string): string | null {
  const [open, high, low, close, volume] = values as [number, number, number, number, number];
  for (const [i, name] of PRICE_COLUMNS.entries()) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) return `${name} was not a number`;
    if (name !== "volume" && value <= 0) return `${name} was ${value}, expected a positive price`;
  }
  if (volume < 0) return `volume was ${rawVolume}, expected >= 0`;
  if (high < low) return `high ${high} is below low ${low}`;
  if (open > high || open < low || close > high || close < low) return `open/close outside [low, high] (o=${open} h=${high} l=${low} c=${close})`;
  return null;
}

/** Most common positive step between consecutive bars (0 when fewer than two bars). */
function inferBarSeconds(tsMs: Float64Array, length: number): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < length; i++) {
    const step = (tsMs[i] as number) - (tsMs[i - 1] as number);
    if (step > 0 && step <= 86_400_000) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return best / 1000;
}

export function parseBarsCsv(text: string, options: CsvReadOptions): { series: BarSeries; report: CsvReadReport } {
  // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first column's name.
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split("\n");
  const headerIndex = lines.findIndex((line) => line.trim() !== "");
  if (headerIndex === -1) throw new DataInputError(`${options.source}: the file is empty, expected a header and bar rows`);
  const columns = columnIndexes(lines[headerIndex] as string, options.source);
  const builder = new BarSeriesBuilder(lines.length);
  const lineOf: number[] = [];
  const fatal: BarIssue[] = [];
  const warnings: BarIssue[] = [];
  let naive = false;
  const values = [0, 0, 0, 0, 0];
  const previousValues = [0, 0, 0, 0, 0];
  let previousTsMs = Number.NEGATIVE_INFINITY;
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const raw = lines[index] as string;
    const line = index + 1;
    if (raw.trim() === "") continue;
    const cells = raw.replace(/\r$/, "").split(",");
    if (cells.length !== columns.count) {
      fatal.push({ type: "malformed", line, problem: `${cells.length} fields, expected ${columns.count}` });
      continue;
    }
    const parsed = parseTimestamp((cells[columns.ts] as string).trim().replace(/^"|"$/g, ""), options.zone);
    if (parsed.type === "naive_without_zone") {
      throw new DataInputError(`${options.source}: line ${line}: ${parsed.problem}; ${declareZoneHint((options.settings ?? BACKTEST_CSV_SETTINGS).zone)}`);
    }
    if (parsed.type === "error") {
      fatal.push({ type: "malformed", line, problem: parsed.problem });
      continue;
    }
    naive ||= parsed.naive;
    for (let f = 0; f < 5; f++) {
      const cell = (cells[columns.fields[f] as number] as string).trim().replace(/^"(.*)"$/, "$1");
      values[f] = cell === "" ? Number.NaN : Number(cell);
    }
    const problem = checkPrices(values, (cells[columns.fields[4] as number] as string).trim());
    if (problem !== null) {
      fatal.push({ type: "malformed", line, problem });
      continue;
    }
    if (builder.length > 0) {
      if (parsed.tsMs < previousTsMs) {
        fatal.push({ type: "out_of_order", line, tsMs: parsed.tsMs, previousTsMs });
        continue;
      }
      if (parsed.tsMs === previousTsMs) {
        const identical = previousValues.every((value, i) => value === values[i]);
        (identical ? warnings : fatal).push({ type: identical ? "duplicate" : "conflicting_duplicate", line, tsMs: parsed.tsMs });
        continue;
      }
    }
    previousTsMs = parsed.tsMs;
    for (let f = 0; f < 5; f++) previousValues[f] = values[f] as number;
    builder.push(parsed.tsMs, values[0] as number, values[1] as number, values[2] as number, values[3] as number, values[4] as number);
    lineOf.push(line);
  }
  if (fatal.length > 0) {
    throw new DataInputError(`${options.source}: ${fatal.length} bad row(s); fix them or remove them`, listIssues(fatal));
  }
  if (builder.length === 0) throw new DataInputError(`${options.source}: no bar rows after the header, expected at least one`);
  const draft = builder.build(options.symbol, 0);
  const inferred = inferBarSeconds(draft.tsMs, draft.length);
  const barSeconds = options.barSeconds ?? inferred;
  if (barSeconds <= 0) {
    const barSizeSetting = (options.settings ?? BACKTEST_CSV_SETTINGS).barSize;
    const declare = barSizeSetting === null ? "" : ` or declare it (${barSizeSetting} 1m|5m|...)`;
    throw new DataInputError(`${options.source}: cannot infer the bar size from a single bar; expected at least two bars${declare}`);
  }
  if (options.barSeconds !== null && inferred > 0 && inferred !== options.barSeconds) {
    throw new DataInputError(`${options.source}: bar size was ${inferred}s in the data, expected the declared ${options.barSeconds}s`);
  }
  const offGrid = offGridIssues(draft.tsMs, lineOf, barSeconds);
  if (offGrid.length > 0) {
    throw new DataInputError(`${options.source}: ${offGrid.length} bar(s) not on the ${barSeconds}s grid`, listIssues(offGrid));
  }
  return {
    series: { ...draft, barSeconds },
    report: { source: options.source, rows: draft.length, barSeconds, barSecondsInferred: options.barSeconds === null, naiveTimestamps: naive, warnings },
  };

}

/** Intraday bars must start on multiples of the bar size (clock-aligned, as exchanges label them). */
function offGridIssues(tsMs: Float64Array, lineOf: readonly number[], barSeconds: number): BarIssue[] {
  const issues: BarIssue[] = [];
  const barMs = barSeconds * 1000;
  if (barMs >= 86_400_000 || 86_400_000 % barMs !== 0) return issues;
  for (let i = 0; i < tsMs.length; i++) {
    const ts = tsMs[i] as number;
    if (ts % barMs !== 0) issues.push({ type: "off_grid", line: lineOf[i] as number, tsMs: ts, barSeconds });
  }
  return issues;
}
