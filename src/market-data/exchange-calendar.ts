// NYSE regular sessions: weekends, holidays (by rule, plus one-off closures) and the
// 13:00 early closes. Used to cut history down to the regular session and to lay
// synthetic paths on real trading days.
import { civilToDays, daysToCivil, nthWeekdayOfMonth, nyWallToUtcMs, weekdayOfDays } from "./ny-time.ts";

export const OPEN_MINUTE = 9 * 60 + 30;
export const CLOSE_MINUTE = 16 * 60;
export const EARLY_CLOSE_MINUTE = 13 * 60;

/** Unscheduled full closures (national days of mourning, storms). */
const SPECIAL_CLOSURES: readonly string[] = ["2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"];

export interface TradingSession {
  /** New York civil day number. */
  readonly day: number;
  readonly openUtcMs: number;
  readonly closeUtcMs: number;
  readonly earlyClose: boolean;
}

/** Gregorian Easter Sunday (anonymous algorithm), as a day number. */
function easterSunday(year: number): number {
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
  return civilToDays(year, month, day);
}

/** A fixed-date holiday moves to Friday when on Saturday, to Monday when on Sunday. */
function observed(days: number): number {
  const weekday = weekdayOfDays(days);
  if (weekday === 6) return days - 1;
  if (weekday === 0) return days + 1;
  return days;
}

function holidaysOf(year: number): Set<number> {
  const days = new Set<number>();
  // New Year's Day on a Saturday is not moved back into the old year (NYSE rule 7.2).
  const newYear = civilToDays(year, 1, 1);
  if (weekdayOfDays(newYear) !== 6) days.add(observed(newYear));
  days.add(nthWeekdayOfMonth(year, 1, 1, 3)); // Martin Luther King Jr. Day
  days.add(nthWeekdayOfMonth(year, 2, 1, 3)); // Washington's Birthday
  days.add(easterSunday(year) - 2); // Good Friday
  days.add(nthWeekdayOfMonth(year, 6, 1, 1) - 7); // Memorial Day: last Monday of May
  if (year >= 2022) days.add(observed(civilToDays(year, 6, 19))); // Juneteenth
  days.add(observed(civilToDays(year, 7, 4)));
  days.add(nthWeekdayOfMonth(year, 9, 1, 1)); // Labor Day
  days.add(nthWeekdayOfMonth(year, 11, 4, 4)); // Thanksgiving
  days.add(observed(civilToDays(year, 12, 25)));
  for (const text of SPECIAL_CLOSURES) {
    if (text.startsWith(`${year}-`)) {
      const [y, m, d] = text.split("-").map(Number) as [number, number, number];
      days.add(civilToDays(y, m, d));
    }
  }
  return days;
}

function earlyClosesOf(year: number): Set<number> {
  const days = new Set<number>();
  const july3 = civilToDays(year, 7, 3);
  const july3Weekday = weekdayOfDays(july3);
  // Early close on July 3 only when it is a weekday and not itself the observed holiday.
  if (july3Weekday >= 1 && july3Weekday <= 4) days.add(july3);
  days.add(nthWeekdayOfMonth(year, 11, 4, 4) + 1); // day after Thanksgiving
  const christmasEve = civilToDays(year, 12, 24);
  const eveWeekday = weekdayOfDays(christmasEve);
  if (eveWeekday >= 1 && eveWeekday <= 4) days.add(christmasEve);
  return days;
}

const yearCache = new Map<number, { holidays: Set<number>; earlyCloses: Set<number> }>();

function yearTables(year: number): { holidays: Set<number>; earlyCloses: Set<number> } {
  let tables = yearCache.get(year);
  if (tables === undefined) {
    tables = { holidays: holidaysOf(year), earlyCloses: earlyClosesOf(year) };
    yearCache.set(year, tables);
  }
  return tables;
}

export function isTradingDay(day: number): boolean {
  const weekday = weekdayOfDays(day);
  if (weekday === 0 || weekday === 6) return false;
  return !yearTables(daysToCivil(day).year).holidays.has(day);
}

/** The regular session of a New York civil day, or null when the exchange is closed. */
export function sessionOf(day: number): TradingSession | null {
  if (!isTradingDay(day)) return null;
  const earlyClose = yearTables(daysToCivil(day).year).earlyCloses.has(day);
  return {
    day,
    openUtcMs: nyWallToUtcMs(day, OPEN_MINUTE),
    closeUtcMs: nyWallToUtcMs(day, earlyClose ? EARLY_CLOSE_MINUTE : CLOSE_MINUTE),
    earlyClose,
  };
}

/** Trading sessions with day numbers in [fromDay, toDay], in order. */
export function sessionsBetween(fromDay: number, toDay: number): TradingSession[] {
  const sessions: TradingSession[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    const session = sessionOf(day);
    if (session !== null) sessions.push(session);
  }
  return sessions;
}

/** The first trading day on or after `day`. */
export function nextTradingDay(day: number): number {
  let candidate = day;
  while (!isTradingDay(candidate)) candidate++;
  return candidate;
}
