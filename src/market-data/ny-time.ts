// America/New_York wall clock <-> UTC, by the US DST rule in force since 2007
// (second Sunday of March 02:00 local to first Sunday of November 02:00 local).
// Hand-rolled instead of Intl because the CSV reader converts millions of rows.

const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a civil date (proleptic Gregorian). */
export function civilToDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Civil date of a day number (inverse of civilToDays). */
export function daysToCivil(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Day number of the n-th (1-based) given weekday of a month. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): number {
  const first = civilToDays(year, month, 1);
  return first + ((weekday - weekdayOfDays(first) + 7) % 7) + (n - 1) * 7;
}

/** UTC ms bounds [start, end) of daylight saving time in a year. */
function dstBoundsUtcMs(year: number): readonly [number, number] {
  const start = nthWeekdayOfMonth(year, 3, 0, 2) * MS_PER_DAY + 7 * 3_600_000; // 02:00 EST
  const end = nthWeekdayOfMonth(year, 11, 0, 1) * MS_PER_DAY + 6 * 3_600_000; // 02:00 EDT
  return [start, end];
}

const dstCache = new Map<number, readonly [number, number]>();

function dstBounds(year: number): readonly [number, number] {
  let bounds = dstCache.get(year);
  if (bounds === undefined) {
    bounds = dstBoundsUtcMs(year);
    dstCache.set(year, bounds);
  }
  return bounds;
}

/** Offset of New York from UTC at an instant, in minutes (-240 in summer, -300 in winter). */
export function nyOffsetMinutes(utcMs: number): number {
  const year = daysToCivil(Math.floor(utcMs / MS_PER_DAY)).year;
  const [start, end] = dstBounds(year);
  return utcMs >= start && utcMs < end ? -240 : -300;
}

/**
 * UTC ms of a New York wall-clock time. In the repeated hour of November the first
 * (daylight) reading wins; a time in the skipped hour of March maps as standard time.
 */
export function nyWallToUtcMs(days: number, minuteOfDay: number, second = 0, millisecond = 0): number {
  const wallMs = days * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE + second * 1000 + millisecond;
  const asDaylight = wallMs + 240 * MS_PER_MINUTE;
  if (nyOffsetMinutes(asDaylight) === -240) return asDaylight;
  return wallMs + 300 * MS_PER_MINUTE;
}

/** New York civil day number of an instant. */
export function nyDayOf(utcMs: number): number {
  return Math.floor((utcMs + nyOffsetMinutes(utcMs) * MS_PER_MINUTE) / MS_PER_DAY);
}

/** Minutes since New York midnight of an instant. */
export function nyMinuteOfDay(utcMs: number): number {
  const wallMs = utcMs + nyOffsetMinutes(utcMs) * MS_PER_MINUTE;
  return Math.floor((wallMs - Math.floor(wallMs / MS_PER_DAY) * MS_PER_DAY) / MS_PER_MINUTE);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDay(days: number): string {
  const { year, month, day } = daysToCivil(days);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of `YYYY-MM-DD`, or null when it is not a real calendar date. */
export function parseDay(text: string): number | null {
  const match = DAY_PATTERN.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const days = civilToDays(year, month, day);
  const back = daysToCivil(days);
  return back.month === month && back.day === day ? days : null;
}
