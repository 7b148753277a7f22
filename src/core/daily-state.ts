// Per-trading-day counters the daemon persists (sink `daily_state`) and hands back on
// restart, so a restart keeps the daily hedge limit, the cooldown and the circuit breaker.
import type { Hedger } from "./hedger.ts";

export interface HedgerDailyState {
  /** Exchange trading day `YYYY-MM-DD` (America/New_York calendar date). */
  readonly tradingDay: string;
  readonly hedgeCount: number;
  readonly realizedPnlUsd: number;
  readonly commissionsUsd: number;
  /** Kept across days: the cooldown and min-price-move guards look at the last hedge. */
  readonly lastHedgeTsMs: number | null;
  readonly lastHedgePrice: number | null;
  readonly circuitBreakerTripped: boolean;
  /** Baselines of today's PnL (first marks of the day); null when unknown (older rows). */
  readonly optionOpenValueUsd?: number | null;
  readonly hedgeOpenUnrealizedUsd?: number | null;
}

/** The Hedger's counters of `tradingDay` (its current day). */
export function dailyStateOf(h: Hedger, tradingDay: string): HedgerDailyState {
  return {
    tradingDay,
    hedgeCount: h.dailyHedgeCount,
    realizedPnlUsd: h.book.realizedPnlTodayUsd,
    commissionsUsd: h.book.commissionsTodayUsd,
    lastHedgeTsMs: h.lastHedgeTsMs,
    lastHedgePrice: h.lastHedgePrice,
    circuitBreakerTripped: h.circuitBreakerTripped,
    optionOpenValueUsd: h.pnl.optionOpenValueUsd,
    hedgeOpenUnrealizedUsd: h.pnl.hedgeOpenUnrealizedUsd,
  };
}

/** Into a Hedger whose current day is `today`: counters only from today's state; the last hedge from any day, newest wins. */
export function restoreDailyState(h: Hedger, state: HedgerDailyState, today: string): void {
  if (state.lastHedgeTsMs !== null && (h.lastHedgeTsMs === null || state.lastHedgeTsMs > h.lastHedgeTsMs)) {
    h.lastHedgeTsMs = state.lastHedgeTsMs;
    h.lastHedgePrice = state.lastHedgePrice;
  }
  if (state.tradingDay !== today) return;
  h.dailyHedgeCount = Math.max(h.dailyHedgeCount, state.hedgeCount);
  h.book.realizedPnlTodayUsd = state.realizedPnlUsd;
  h.book.commissionsTodayUsd = state.commissionsUsd;
  h.circuitBreakerTripped = h.circuitBreakerTripped || state.circuitBreakerTripped;
  if (state.optionOpenValueUsd != null && state.hedgeOpenUnrealizedUsd != null) {
    h.pnl.setBaselines(state.optionOpenValueUsd, state.hedgeOpenUnrealizedUsd);
  }
}
