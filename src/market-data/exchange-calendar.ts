// Regular sessions as market-data needs them (open/close instants of a day), read from
// core's NYSE calendar: weekends, holidays, special closures and 13:00 early closes.
import { exchangeDayOf, isTradingDay } from "../core/nyse-calendar.ts";

export { isTradingDay };

export interface TradingSession {
  /** New York civil day number. */
  readonly day: number;
  readonly openUtcMs: number;
  readonly closeUtcMs: number;
  readonly earlyClose: boolean;
}

/** The regular session of a New York civil day, or null when the exchange is closed. */
export function sessionOf(day: number): TradingSession | null {
  const exchangeDay = exchangeDayOf(day);
  if (exchangeDay.openMs === null || exchangeDay.closeMs === null) return null;
  return { day, openUtcMs: exchangeDay.openMs, closeUtcMs: exchangeDay.closeMs, earlyClose: exchangeDay.kind === "early_close" };
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
