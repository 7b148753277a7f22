// New York time for market data, on core's calendar arithmetic (one implementation of the
// DST rule in gs). Kept as a small adapter because readers work in minutes and seconds.
import { DAY_MS, daysFromCivil, formatDay, parseDay } from "../core/civil-date.ts";
import { newYorkDayNumber, newYorkOffsetMs, newYorkWallToUtcMs } from "../core/new-york-time.ts";

export { formatDay, parseDay };

/** Days since 1970-01-01 of a civil date. */
export const civilToDays = daysFromCivil;

/** UTC ms of a New York wall-clock time on a day number. */
export function nyWallToUtcMs(days: number, minuteOfDay: number, second = 0, millisecond = 0): number {
  return newYorkWallToUtcMs(days, Math.floor(minuteOfDay / 60), minuteOfDay % 60) + second * 1000 + millisecond;
}

/** New York civil day number of an instant. */
export const nyDayOf = newYorkDayNumber;

/** Minutes since New York midnight of an instant. */
export function nyMinuteOfDay(utcMs: number): number {
  const wallMs = utcMs + newYorkOffsetMs(utcMs);
  return Math.floor((wallMs - Math.floor(wallMs / DAY_MS) * DAY_MS) / 60_000);
}
