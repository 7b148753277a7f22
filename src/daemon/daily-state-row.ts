// Core's daily counters <-> the sink's daily_state row (the sink adds who and when).
import type { HedgerDailyState } from "../core/daily-state.ts";
import type { DailyState } from "../sink/records.ts";

export function dailyStateRow(daemonId: string, state: HedgerDailyState, wallNowMs: number): DailyState {
  return { ...state, daemonId, updatedAtMs: wallNowMs };
}
