// Messages between the sweep coordinator and its Bun workers (structured-clone data only).
import type { BacktestRequest, PreparedInputs } from "../run-backtest.ts";
import type { BacktestSummary } from "../summary.ts";

/**
 * To each worker first: the bars and implied vol the coordinator loaded once, for the runs
 * whose inputsKey is `key` (runs of another symbol or fallback vol load their own).
 */
export type SweepInputs = { readonly type: "inputs"; readonly key: string; readonly inputs: PreparedInputs };

export type SweepJob = { readonly type: "job"; readonly index: number; readonly request: BacktestRequest };

export type SweepReply =
  | { readonly type: "result"; readonly index: number; readonly summary: BacktestSummary; readonly startedAtMs: number; readonly finishedAtMs: number; readonly bars: number }
  | { readonly type: "error"; readonly index: number; readonly message: string; readonly userError: boolean };

/** argv a worker started from the compiled binary runs with (`gs backtest --sweep-worker`). */
export const SWEEP_WORKER_ARGV: readonly string[] = ["backtest", "--sweep-worker"];
