// Per-trading-day counters the daemon persists (sink `daily_state`) and hands back on
// restart, so a restart keeps the daily hedge limit, the cooldown and the circuit breaker.

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
