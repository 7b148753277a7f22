// Records finished runs in the sink's backtest_runs table so `gs serve` can list them.
// A sink that cannot be opened does not lose the run's report: the caller gets a warning.
import type { GsConfig } from "../config/schema.ts";
import type { BacktestRunRow } from "../sink/records.ts";
import { openSink } from "../sink/open-sink.ts";
import type { BacktestSummary } from "./summary.ts";

export interface FinishedRun {
  readonly summary: BacktestSummary;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

/** The stored row: the summary without the long roll log. */
export function backtestRunRow(run: FinishedRun): BacktestRunRow {
  const { rollLog: _rollLog, ...summary } = run.summary;
  return {
    runId: run.summary.runId,
    startedAtMs: run.startedAtMs,
    finishedAtMs: run.finishedAtMs,
    configHash: run.summary.configHash,
    dataFingerprint: run.summary.dataFingerprint,
    fromDay: run.summary.fromDay,
    toDay: run.summary.toDay,
    summary: summary as unknown as Readonly<Record<string, unknown>>,
  };
}

/** Saves the runs; returns null, or the reason they could not be saved. */
export async function saveRuns(config: GsConfig, runs: readonly FinishedRun[]): Promise<string | null> {
  try {
    const sink = await openSink(config);
    try {
      for (const run of runs) await sink.saveBacktestRun(backtestRunRow(run));
      await sink.flush();
    } finally {
      await sink.close();
    }
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
