// NYSE sessions: regular hours 09:30–16:00 New York time, 13:00 on early-close days,
// closed on weekends, on the exchange holidays (NYSE Rule 7.2 observance rules) and on
// special closures. Looked up once per New York day and cached, so the per-bar cost is a
// range check.
import { civilFromDays, daysFromCivil, formatDay, nthWeekdayOfMonth, weekdayOf } from "./civil-date.ts";
import { newYorkDayNumber, newYorkWallToUtcMs } from "./new-york-time.ts";

export type SessionKind = "full" | "early_close" | "weekend" | "holiday";

export interface ExchangeDay {
  /** New York calendar date `YYYY-MM-DD` (the trading-day key). */
  readonly day: string;
  readonly dayNumber: number;
  /** New York midnight to the next midnight, UTC epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
  readonly kind: SessionKind;
  /** Holiday or early-close name, else null. */
  readonly name: string | null;
  /** Regular session [openMs, closeMs) in UTC ms; null when closed all day. */
  readonly openMs: number | null;
  readonly closeMs: number | null;
}

/** Unscheduled full-day closures (national days of mourning, storms). */
const SPECIAL_CLOSURES: ReadonlyMap<string, string> = new Map([
  ["2012-10-29", "Hurricane Sandy"],
  ["2012-10-30", "Hurricane Sandy"],
  ["2018-12-05", "National Day of Mourning (George H. W. Bush)"],
  ["2025-01-09", "National Day of Mourning (Jimmy Carter)"],
]);

interface YearRules {
  readonly holidays: ReadonlyMap<number, string>;
  readonly earlyCloses: ReadonlyMap<number, string>;
}

const rulesByYear = new Map<number, YearRules>();

function easterSunday(year: number): number {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** Saturday holidays move to Friday, Sunday ones to Monday. */
function observed(dayNumber: number): number {
  const wd = weekdayOf(dayNumber);
  return wd === 6 ? dayNumber - 1 : wd === 0 ? dayNumber + 1 : dayNumber;
}

function rulesFor(year: number): YearRules {
  let rules = rulesByYear.get(year);
  if (rules !== undefined) return rules;
  const holidays = new Map<number, string>();
  const newYear = daysFromCivil(year, 1, 1);
  // A Saturday New Year's Day is not observed on the Friday before (it would fall in the old year).
  if (weekdayOf(newYear) !== 6) holidays.set(observed(newYear), "New Year's Day");
  holidays.set(nthWeekdayOfMonth(year, 1, 1, 3), "Martin Luther King Jr. Day");
  holidays.set(nthWeekdayOfMonth(year, 2, 1, 3), "Washington's Birthday");
  holidays.set(easterSunday(year) - 2, "Good Friday");
  holidays.set(nthWeekdayOfMonth(year, 5, 1, -1), "Memorial Day");
  if (year >= 2022) holidays.set(observed(daysFromCivil(year, 6, 19)), "Juneteenth");
  holidays.set(observed(daysFromCivil(year, 7, 4)), "Independence Day");
  holidays.set(nthWeekdayOfMonth(year, 9, 1, 1), "Labor Day");
  const thanksgiving = nthWeekdayOfMonth(year, 11, 4, 4);
  holidays.set(thanksgiving, "Thanksgiving Day");
  holidays.set(observed(daysFromCivil(year, 12, 25)), "Christmas Day");
  for (const [day, name] of SPECIAL_CLOSURES) {
    if (day.startsWith(`${year}-`)) holidays.set(daysFromCivil(year, Number(day.slice(5, 7)), Number(day.slice(8, 10))), name);
  }

  const earlyCloses = new Map<number, string>();
  const isMonToThu = (n: number): boolean => weekdayOf(n) >= 1 && weekdayOf(n) <= 4;
  const july3 = daysFromCivil(year, 7, 3);
  if (isMonToThu(july3)) earlyCloses.set(july3, "Independence Day eve");
  earlyCloses.set(thanksgiving + 1, "Day after Thanksgiving");
  const dec24 = daysFromCivil(year, 12, 24);
  if (isMonToThu(dec24)) earlyCloses.set(dec24, "Christmas Eve");
  for (const day of holidays.keys()) earlyCloses.delete(day);

  rules = { holidays, earlyCloses };
  rulesByYear.set(year, rules);
  return rules;
}

const dayCache = new Map<number, ExchangeDay>();

/** The exchange day for a New York day number (cached). */
export function exchangeDayOf(dayNumber: number): ExchangeDay {
  const cached = dayCache.get(dayNumber);
  if (cached !== undefined) return cached;
  const startMs = newYorkWallToUtcMs(dayNumber, 0, 0);
  const endMs = newYorkWallToUtcMs(dayNumber + 1, 0, 0);
  const wd = weekdayOf(dayNumber);
  const rules = rulesFor(civilFromDays(dayNumber).year);
  const holiday = rules.holidays.get(dayNumber);
  const early = rules.earlyCloses.get(dayNumber);
  let kind: SessionKind;
  if (wd === 0 || wd === 6) kind = "weekend";
  else if (holiday !== undefined) kind = "holiday";
  else if (early !== undefined) kind = "early_close";
  else kind = "full";
  const open = kind === "full" || kind === "early_close";
  const day: ExchangeDay = {
    day: formatDay(dayNumber),
    dayNumber,
    startMs,
    endMs,
    kind,
    name: kind === "holiday" ? (holiday ?? null) : kind === "early_close" ? (early ?? null) : null,
    openMs: open ? newYorkWallToUtcMs(dayNumber, 9, 30) : null,
    closeMs: open ? newYorkWallToUtcMs(dayNumber, kind === "early_close" ? 13 : 16, 0) : null,
  };
  dayCache.set(dayNumber, day);
  return day;
}

let lastDay: ExchangeDay = exchangeDayOf(daysFromCivil(2024, 1, 2));

/** The exchange day containing this instant; O(1) while instants stay within one day. */
export function exchangeDayAt(utcMs: number): ExchangeDay {
  const d = lastDay;
  if (utcMs >= d.startMs && utcMs < d.endMs) return d;
  lastDay = exchangeDayOf(newYorkDayNumber(utcMs));
  return lastDay;
}

/** True inside the regular session (open inclusive, close exclusive). */
export function isRegularSession(utcMs: number): boolean {
  const d = exchangeDayAt(utcMs);
  return d.openMs !== null && d.closeMs !== null && utcMs >= d.openMs && utcMs < d.closeMs;
}

export function isTradingDay(dayNumber: number): boolean {
  const kind = exchangeDayOf(dayNumber).kind;
  return kind === "full" || kind === "early_close";
}

/** Moves `count` trading days forward (count > 0) or back (count < 0) from a day; 0 returns the day. */
export function shiftTradingDays(dayNumber: number, count: number): number {
  let n = dayNumber;
  const step = count < 0 ? -1 : 1;
  for (let left = Math.abs(count); left > 0; ) {
    n += step;
    if (isTradingDay(n)) left--;
  }
  return n;
}

/**
 * When an option expiring on this date stops trading: the session close (16:00, or 13:00 on
 * an early-close day); 16:00 New York when the date is not a trading day.
 */
export function expiryCloseUtcMs(expiryDayNumber: number): number {
  return exchangeDayOf(expiryDayNumber).closeMs ?? newYorkWallToUtcMs(expiryDayNumber, 16, 0);
}
