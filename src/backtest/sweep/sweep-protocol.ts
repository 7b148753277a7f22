// Messages between the sweep coordinator and its Bun workers (structured-clone data only).
import type { BacktestRequest } from "../run-backtest.ts";
import type { BacktestSummary } from "../summary.ts";

export type SweepJob = { readonly type: "job"; readonly index: number; readonly request: BacktestRequest };

export type SweepReply =
  | { readonly type: "result"; readonly index: number; readonly summary: BacktestSummary; readonly startedAtMs: number; readonly finishedAtMs: number; readonly bars: number }
  | { readonly type: "error"; readonly index: number; readonly message: string; readonly userError: boolean };

/** argv a worker started from the compiled binary runs with (`gs backtest --sweep-worker`). */
export const SWEEP_WORKER_ARGV: readonly string[] = ["backtest", "--sweep-worker"];
