// Core's daily counters <-> the sink's daily_state row (the sink adds who and when).
import type { HedgerDailyState } from "../core/daily-state.ts";
import type { DailyState } from "../sink/records.ts";

export function dailyStateRow(daemonId: string, state: HedgerDailyState, wallNowMs: number): DailyState {
  return {
    daemonId,
    tradingDay: state.tradingDay,
    hedgeCount: state.hedgeCount,
    realizedPnlUsd: state.realizedPnlUsd,
    commissionsUsd: state.commissionsUsd,
    lastHedgeTsMs: state.lastHedgeTsMs,
    lastHedgePrice: state.lastHedgePrice,
    circuitBreakerTripped: state.circuitBreakerTripped,
    updatedAtMs: wallNowMs,
  };
}

export function hedgerDailyState(row: DailyState): HedgerDailyState {
  return {
    tradingDay: row.tradingDay,
    hedgeCount: row.hedgeCount,
    realizedPnlUsd: row.realizedPnlUsd,
    commissionsUsd: row.commissionsUsd,
    lastHedgeTsMs: row.lastHedgeTsMs,
    lastHedgePrice: row.lastHedgePrice,
    circuitBreakerTripped: row.circuitBreakerTripped,
  };
}
