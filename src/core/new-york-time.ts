// America/New_York wall time from epoch ms with the US DST rule in force since 2007
// (EDT from the second Sunday of March 02:00 EST to the first Sunday of November 02:00 EDT).
// Pure arithmetic: no Intl, no tz database, cheap enough for every bar of a backtest.
import { civilFromDays, DAY_MS, daysFromCivil, nthWeekdayOfMonth } from "./civil-date.ts";

const HOUR_MS = 3_600_000;
const EST_OFFSET_MS = -5 * HOUR_MS;
const EDT_OFFSET_MS = -4 * HOUR_MS;

interface DstWindow {
  /** The UTC year this window serves: [yearStartUtcMs, yearEndUtcMs). */
  readonly yearStartUtcMs: number;
  readonly yearEndUtcMs: number;
  readonly startUtcMs: number;
  readonly endUtcMs: number;
}

const dstByYear = new Map<number, DstWindow>();

function dstWindow(year: number): DstWindow {
  let w = dstByYear.get(year);
  if (w === undefined) {
    // 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC.
    const startUtcMs = nthWeekdayOfMonth(year, 3, 0, 2) * DAY_MS + 7 * HOUR_MS;
    const endUtcMs = nthWeekdayOfMonth(year, 11, 0, 1) * DAY_MS + 6 * HOUR_MS;
    w = { yearStartUtcMs: daysFromCivil(year, 1, 1) * DAY_MS, yearEndUtcMs: daysFromCivil(year + 1, 1, 1) * DAY_MS, startUtcMs, endUtcMs };
    dstByYear.set(year, w);
  }
  return w;
}

let lastWindow: DstWindow = dstWindow(2024);

/** New York's UTC offset at this instant: -4 h (EDT) or -5 h (EST). */
export function newYorkOffsetMs(utcMs: number): number {
  let w = lastWindow;
  // Keyed by the UTC year: around New Year UTC and New York differ by hours, and no DST applies then.
  if (utcMs < w.yearStartUtcMs || utcMs >= w.yearEndUtcMs) {
    w = dstWindow(civilFromDays(Math.floor(utcMs / DAY_MS)).year);
    lastWindow = w;
  }
  return utcMs >= w.startUtcMs && utcMs < w.endUtcMs ? EDT_OFFSET_MS : EST_OFFSET_MS;
}

/** Day number (days since 1970-01-01) of the New York calendar date at this instant. */
export function newYorkDayNumber(utcMs: number): number {
  return Math.floor((utcMs + newYorkOffsetMs(utcMs)) / DAY_MS);
}

/** UTC epoch ms of a New York wall time on a given date (wall times that exist; 02:xx on DST days excluded). */
export function newYorkWallToUtcMs(dayNumber: number, hour: number, minute: number): number {
  const wallMs = dayNumber * DAY_MS + hour * HOUR_MS + minute * 60_000;
  const guess = wallMs - EST_OFFSET_MS;
  const offset = newYorkOffsetMs(guess);
  const utc = wallMs - offset;
  return newYorkOffsetMs(utc) === offset ? utc : wallMs - newYorkOffsetMs(utc);
}
