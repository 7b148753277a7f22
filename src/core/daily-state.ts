// Per-trading-day counters the daemon persists (sink `daily_state`) and hands back on
// restart, so a restart keeps the daily hedge limit, the cooldown and the circuit breaker
// with the whole day's PnL.
import type { DayPnlMarks } from "./day-pnl.ts";
import type { Hedger } from "./hedger.ts";

export interface HedgerDailyState {
  /** Exchange trading day `YYYY-MM-DD` (America/New_York calendar date). */
  readonly tradingDay: string;
  readonly hedgeCount: number;
  /** The hedge book's average-cost figures (status), not what the breaker judges. */
  readonly realizedPnlUsd: number;
  readonly commissionsUsd: number;
  /** Kept across days: the cooldown and min-price-move guards look at the last hedge. */
  readonly lastHedgeTsMs: number | null;
  readonly lastHedgePrice: number | null;
  readonly circuitBreakerTripped: boolean;
  /** Today's PnL marks (day-pnl.ts); null on rows written before they were stored. */
  readonly pnlMarks: DayPnlMarks | null;
}

/** The Hedger's counters of `tradingDay` (its current day). */
export function dailyStateOf(h: Hedger, tradingDay: string): HedgerDailyState {
  const { pnl, legs } = h;
  return {
    tradingDay,
    hedgeCount: h.dailyHedgeCount,
    realizedPnlUsd: h.book.realizedPnlTodayUsd,
    commissionsUsd: h.book.commissionsTodayUsd,
    lastHedgeTsMs: h.lastHedgeTsMs,
    lastHedgePrice: h.lastHedgePrice,
    circuitBreakerTripped: h.circuitBreakerTripped,
    pnlMarks: {
      hedgeOpenValueUsd: pnl.hedgeOpenValueUsd,
      hedgeCashUsd: pnl.hedgeCashUsd,
      hedgeShares: pnl.hedgeShares,
      optionClosedPnlUsd: legs.baselines.closedUsd,
      legBaselines: legs.baselines.state(),
    },
  };
}

/**
 * Into a Hedger whose current day is `today`, before its first positions: counters only from
 * today's state; the last hedge from any day, newest wins. Today's PnL goes on from the saved
 * marks: the hedge's shares that differ from the saved ones enter at the first mark, the legs
 * held now with a saved baseline keep it, a leg closed while gs was down closes at its last
 * saved mark, a leg opened meanwhile enters at its first mark.
 */
export function restoreDailyState(h: Hedger, state: HedgerDailyState, today: string): void {
  if (state.lastHedgeTsMs !== null && (h.lastHedgeTsMs === null || state.lastHedgeTsMs > h.lastHedgeTsMs)) {
    h.lastHedgeTsMs = state.lastHedgeTsMs;
    h.lastHedgePrice = state.lastHedgePrice;
  }
  if (state.tradingDay !== today) return;
  h.dailyHedgeCount = Math.max(h.dailyHedgeCount, state.hedgeCount);
  h.book.restoreDay(state.realizedPnlUsd, state.commissionsUsd);
  h.circuitBreakerTripped = h.circuitBreakerTripped || state.circuitBreakerTripped;
  const marks = state.pnlMarks;
  if (marks === null) return;
  const { pnl } = h;
  pnl.hedgeOpenValueUsd = marks.hedgeOpenValueUsd;
  pnl.hedgeCashUsd = marks.hedgeCashUsd;
  pnl.hedgeShares = marks.hedgeShares;
  h.legs.restoreBaselines(marks.legBaselines, marks.optionClosedPnlUsd);
}
