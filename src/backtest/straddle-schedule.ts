// Which straddle the backtest holds: ATM on the strike grid, expiring on a listed Friday
// (Thursday when that Friday is a holiday) as near as possible to the middle of
// min_dte..max_dte; any trading day in the window when no Friday fits (SPY lists dailies).
// A roll is due when days to expiry fall below min_dte or the strike leaves the band.
import type { OptionContract } from "../core/instrument.ts";
import { daysToExpiry } from "../core/legs.ts";
import { formatDay } from "../core/civil-date.ts";
import { newYorkDayNumber } from "../core/new-york-time.ts";
import { isTradingDay } from "../core/nyse-calendar.ts";
import { UserError } from "../config/user-error.ts";

export interface StraddleRules {
  readonly symbol: string;
  readonly minDte: number;
  readonly maxDte: number;
  readonly strikeStep: number;
  readonly rollBandFraction: number;
  readonly multiplier: number;
}

export interface Straddle {
  readonly call: OptionContract;
  readonly put: OptionContract;
  readonly expiryDayNumber: number;
}

const FRIDAY = 5;
const THURSDAY = 4;

function weekday(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Expiry day for a straddle opened at `nowMs`. */
export function chooseExpiryDay(nowMs: number, minDte: number, maxDte: number): number {
  const today = newYorkDayNumber(nowMs);
  const target = (minDte + maxDte) / 2;
  let best: number | null = null;
  let bestAny: number | null = null;
  for (let dte = minDte; dte <= maxDte; dte++) {
    const day = today + dte;
    if (!isTradingDay(day)) continue;
    const listedWeekly = weekday(day) === FRIDAY || (weekday(day) === THURSDAY && !isTradingDay(day + 1));
    const closer = (current: number | null): boolean => current === null || Math.abs(dte - target) < Math.abs(current - today - target);
    if (listedWeekly && closer(best)) best = day;
    if (closer(bestAny)) bestAny = day;
  }
  const chosen = best ?? bestAny;
  if (chosen === null) {
    throw new UserError(`no expiry between ${minDte} and ${maxDte} days after ${formatDay(today)} is a trading day; widen strategy.min_dte..max_dte`);
  }
  return chosen;
}

export function atmStrike(spot: number, strikeStep: number): number {
  return Math.round(Math.round(spot / strikeStep) * strikeStep * 100) / 100;
}

export function chooseStraddle(spot: number, nowMs: number, rules: StraddleRules): Straddle {
  const expiryDayNumber = chooseExpiryDay(nowMs, rules.minDte, rules.maxDte);
  const strike = atmStrike(spot, rules.strikeStep);
  const expiryYmd = formatDay(expiryDayNumber).replaceAll("-", "");
  const leg = (right: "C" | "P"): OptionContract => ({ secType: "OPT", symbol: rules.symbol, right, strike, expiryYmd, multiplier: rules.multiplier });
  return { call: leg("C"), put: leg("P"), expiryDayNumber };
}

export type RollReason = "dte_below_min" | "strike_outside_band";

/** Why the held straddle must be rolled now, or null. */
export function rollReason(straddle: Straddle, spot: number, nowMs: number, rules: StraddleRules): RollReason | null {
  if (daysToExpiry(straddle.expiryDayNumber, nowMs) < rules.minDte) return "dte_below_min";
  if (Math.abs(straddle.call.strike - spot) / spot > rules.rollBandFraction) return "strike_outside_band";
  return null;
}
