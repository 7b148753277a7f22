// The backtest does not model expiry settlement: a leg held into its expiry close would be
// exercised into shares (or expire), which gs does not book. Its schedule checks days to
// expiry at a day's first bar only, so it sells a straddle by its expiry day's first bar at
// the latest; that needs strategy.min_dte of at least 1 (with 0 the straddle was kept past
// its close and sold the next morning at intrinsic on the new spot: a free overnight floor).
// And no expired leg may ever be marked or traded, even when the bars skip the expiry day.
import { formatDay } from "../core/civil-date.ts";
import { expiryCloseUtcMs } from "../core/nyse-calendar.ts";
import { DataInputError } from "../market-data/index.ts";

/** The least strategy.min_dte a backtest accepts. */
export const MIN_BACKTEST_DTE = 1;

/** Why a backtest cannot run with this strategy.min_dte, or null. */
export function minDteProblem(minDte: number): string | null {
  if (minDte >= MIN_BACKTEST_DTE) return null;
  return (
    `strategy.min_dte was ${minDte}, expected at least ${MIN_BACKTEST_DTE} for a backtest: its schedule rolls at a day's first bar, ` +
    "so a straddle with fewer days left would be held into its expiry close, and expiry settlement (exercise into shares) is not modelled"
  );
}

/**
 * Refuses a roll that would sell legs already past their expiry close: the bars skipped the
 * days on which the schedule would have rolled them.
 */
export function checkNotExpired(expiryDayNumber: number, previousDayNumber: number, dayNumber: number, nowMs: number): void {
  if (nowMs < expiryCloseUtcMs(expiryDayNumber)) return;
  throw new DataInputError(
    `the bars skip from ${formatDay(previousDayNumber)} to ${formatDay(dayNumber)}, past the held straddle's expiry on ${formatDay(expiryDayNumber)}; ` +
      "expected bars on the trading day before an expiry (settlement is not modelled): fill the gap, or run --from/--to on one side of it",
  );
}
