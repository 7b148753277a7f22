// Timestamps in bar files: ISO-8601-ish text with an explicit offset, naive wall-clock
// text in a declared zone, or epoch seconds/milliseconds. Nothing is guessed: a naive
// timestamp without a declared zone is an error, because guessing UTC vs exchange time
// shifts every bar by hours.
import { nyWallToUtcMs, parseDay } from "./ny-time.ts";

/** 09:30, minutes after New York midnight. */
const OPEN_MINUTE = 9 * 60 + 30;

export type TimeZoneName = "UTC" | "America/New_York";

export const TIME_ZONES: readonly TimeZoneName[] = ["UTC", "America/New_York"];

/**
 * Where the reader of a CSV declares what the file may leave open, named in messages when
 * it is missing: gs backtest's flags, or the sim market's config keys.
 */
export interface CsvSettingNames {
  /** Declares the zone of naive timestamps. */
  readonly zone: string;
  /** Declares the bar size; null where it is only inferred from the data. */
  readonly barSize: string | null;
}

export const BACKTEST_CSV_SETTINGS: CsvSettingNames = { zone: "--data-tz", barSize: "--bar" };

export function parseTimeZone(text: string): TimeZoneName | null {
  const lower = text.trim().toLowerCase();
  if (lower === "utc" || lower === "z") return "UTC";
  if (lower === "america/new_york" || lower === "new_york" || lower === "et" || lower === "exchange") return "America/New_York";
  return null;
}

/** The widest UTC offset in use (Kiribati, +14:00); anything beyond is a typo that would move bars by days. */
const MAX_OFFSET_MINUTES = 14 * 60;

const TEXT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const EPOCH_PATTERN = /^\d{9,13}$/;
const DATE_ONLY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export type TimestampParse =
  | { readonly type: "ok"; readonly tsMs: number; readonly naive: boolean }
  | { readonly type: "error"; readonly problem: string }
  | { readonly type: "naive_without_zone"; readonly problem: string };

/** The fix for a naive timestamp without a declared zone, naming where the zone is declared. */
export function declareZoneHint(zoneSetting: string): string {
  return `declare the zone of naive timestamps with ${zoneSetting} (${TIME_ZONES.join(" or ")})`;
}

/**
 * Parses one timestamp; `zone` applies to naive text only (offsets and epochs are absolute).
 * A plain date labels a daily bar: it starts at that day's 09:30 New York open.
 */
export function parseTimestamp(text: string, zone: TimeZoneName | null): TimestampParse {
  if (DATE_ONLY_PATTERN.test(text)) {
    // parseDay knows month lengths and leap years: 2024-02-30 is refused, never shifted to March.
    const day = parseDay(text);
    if (day === null) return { type: "error", problem: `date was '${text}', which is not a valid date` };
    return { type: "ok", tsMs: nyWallToUtcMs(day, OPEN_MINUTE), naive: false };
  }
  if (EPOCH_PATTERN.test(text)) {
    const value = Number(text);
    return { type: "ok", tsMs: text.length <= 10 ? value * 1000 : value, naive: false };
  }
  const match = TEXT_PATTERN.exec(text);
  if (match === null) {
    return { type: "error", problem: `timestamp was '${text}', expected YYYY-MM-DD HH:MM[:SS][+HH:MM|Z] or epoch seconds/ms` };
  }
  const days = parseDay(`${match[1]}-${match[2]}-${match[3]}`);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const millisecond = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  if (days === null || hour > 23 || minute > 59 || second > 59) {
    return { type: "error", problem: `timestamp was '${text}', which is not a valid date and time` };
  }
  const offset = match[8];
  if (offset !== undefined) {
    const wallMs = days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
    if (offset === "Z") return { type: "ok", tsMs: wallMs, naive: false };
    const sign = offset.startsWith("-") ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutesPart = Number(digits.slice(2, 4));
    if (offsetMinutesPart >= 60 || offsetHours * 60 + offsetMinutesPart > MAX_OFFSET_MINUTES) {
      return { type: "error", problem: `timestamp was '${text}', whose UTC offset ${offset} is not a real one, expected -14:00 to +14:00` };
    }
    const offsetMinutes = sign * (offsetHours * 60 + offsetMinutesPart);
    return { type: "ok", tsMs: wallMs - offsetMinutes * 60_000, naive: false };
  }
  if (zone === null) {
    return {
      type: "naive_without_zone",
      problem: `timestamp '${text}' has no UTC offset`,
    };
  }
  if (zone === "UTC") {
    return { type: "ok", tsMs: days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond, naive: true };
  }
  return { type: "ok", tsMs: nyWallToUtcMs(days, hour * 60 + minute, second, millisecond), naive: true };
}
