// Runs a parameter grid across all cores with Bun workers and returns the runs in grid
// order. Every worker gets the same base request plus one combination's assignments.
// Started from source, workers load sweep-worker-entry.ts; inside the compiled binary there
// is no such file, so a worker runs the binary's own entry as `gs backtest --sweep-worker`.
import { availableParallelism } from "node:os";
import { UserError } from "../../config/user-error.ts";
import { inputsKey, loadRequestConfig, prepareInputs } from "../run-backtest.ts";
import type { BacktestRequest } from "../run-backtest.ts";
import type { BacktestSummary } from "../summary.ts";
import { sweepCombinations } from "./sweep-grid.ts";
import type { SweepAxis } from "./sweep-grid.ts";
import { SWEEP_WORKER_ARGV } from "./sweep-protocol.ts";
import type { SweepInputs, SweepJob, SweepReply } from "./sweep-protocol.ts";
import { coreGrowth } from "./worker-growth.ts";
import type { WorkerGrowth } from "./worker-growth.ts";

export interface SweepRun {
  readonly assignments: readonly string[];
  readonly summary: BacktestSummary;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

export interface SweepOptions {
  /**
   * Workers to start at once. Without it: those the idle cores can warm up (one on 2 cores),
   * grown to one per core once the runs left would pay for the others' warm-up (worker-growth.ts).
   */
  readonly workers?: number;
  /** How the pool starts and grows, in place of the above (tests). */
  readonly growth?: WorkerGrowth;
  readonly onRunDone?: (done: number, total: number) => void;
}

/** A combination the config rejected (e.g. epsilon band not below the threshold). */
export interface SweepSkip {
  readonly assignments: readonly string[];
  readonly reason: string;
}

export interface SweepOutcome {
  readonly runs: readonly SweepRun[];
  readonly skipped: readonly SweepSkip[];
  /** Workers started in all. */
  readonly workers: number;
  readonly wallMs: number;
  readonly barSteps: number;
}

function startWorker(): Worker {
  const compiled = import.meta.url.startsWith("file:///$bunfs/") || Bun.main.startsWith("/$bunfs/");
  if (compiled) return new Worker(Bun.main, { argv: [...SWEEP_WORKER_ARGV] } as WorkerOptions);
  return new Worker(new URL("./sweep-worker-entry.ts", import.meta.url).href);
}

/**
 * Runs every combination of `axes` on `base` (a request whose config is valid: its data is
 * loaded here once, so bad data is one clear error before any run, and no worker loads it again).
 */
export async function runSweep(base: BacktestRequest, axes: readonly SweepAxis[], options: SweepOptions = {}): Promise<SweepOutcome> {
  const combos = sweepCombinations(axes);
  const fixed = options.workers === undefined ? null : Math.max(1, Math.min(options.workers, combos.length));
  const growth = options.growth ?? (fixed === null ? coreGrowth(availableParallelism(), combos.length) : { initial: fixed, max: fixed, add: () => 0 });
  const startMs = performance.now();
  const results: (SweepRun | undefined)[] = new Array(combos.length);
  const workers = Array.from({ length: growth.initial }, startWorker);
  let shared: SweepInputs;
  try {
    // While the workers start up.
    const { config } = loadRequestConfig(base).loaded;
    shared = { type: "inputs", key: inputsKey(config), inputs: await prepareInputs(base, config) };
    for (const worker of workers) worker.postMessage(shared);
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  let next = 0;
  let done = 0;
  let barSteps = 0;
  const skipped: SweepSkip[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (worker: Worker): void => {
        if (next >= combos.length) return;
        const index = next++;
        const assignments = combos[index] as string[];
        const job: SweepJob = { type: "job", index, request: { ...base, assignments: [...base.assignments, ...assignments], sweepAssignments: assignments } };
        worker.postMessage(job);
      };
      const serve = (worker: Worker): void => {
        worker.onmessage = (event: MessageEvent<SweepReply>) => {
          const reply = event.data;
          const assignments = combos[reply.index] as string[];
          if (reply.type === "error") {
            if (!reply.userError) {
              reject(new Error(`sweep run ${assignments.join(" ")} failed: ${reply.message}`));
              return;
            }
            skipped.push({ assignments, reason: reply.message });
          } else {
            results[reply.index] = { assignments, summary: reply.summary, startedAtMs: reply.startedAtMs, finishedAtMs: reply.finishedAtMs };
            barSteps += reply.bars;
          }
          done++;
          options.onRunDone?.(done, combos.length);
          if (done === combos.length) {
            resolve();
            return;
          }
          dispatch(worker);
          if (reply.type === "result") {
            const lastRunMs = reply.finishedAtMs - reply.startedAtMs;
            const add = growth.add({ running: workers.length, maxWorkers: growth.max, finishedRuns: done, queuedRuns: combos.length - next, lastRunMs });
            for (let k = 0; k < add; k++) {
              const added = startWorker();
              workers.push(added);
              added.postMessage(shared);
              serve(added);
            }
          }
        };
        worker.addEventListener("error", (event) => reject(new Error(`sweep worker failed: ${(event as ErrorEvent).message}`)));
        dispatch(worker);
      };
      for (const worker of [...workers]) serve(worker);
    });
  } finally {
    for (const worker of workers) worker.terminate();
  }
  const runs = results.filter((run): run is SweepRun => run !== undefined);
  if (runs.length === 0) {
    throw new UserError(`every sweep combination was rejected:\n${skipped.map((skip) => `  ${skip.assignments.join(" ")}: ${skip.reason}`).join("\n")}`);
  }
  return { runs, skipped, workers: workers.length, wallMs: performance.now() - startMs, barSteps };
}

export type SweepRanking = "total" | "sharpe" | "drawdown";

export const SWEEP_RANKINGS: readonly SweepRanking[] = ["total", "sharpe", "drawdown"];

/** Best first by the chosen measure (total PnL, daily Sharpe, or smallest max drawdown); ties by total PnL. */
export function rankRuns(runs: readonly SweepRun[], by: SweepRanking = "total"): SweepRun[] {
  const score = (run: SweepRun): number => {
    const s = run.summary;
    switch (by) {
      case "total":
        return s.pnl.totalUsd;
      case "sharpe":
        return s.dailySharpe ?? Number.NEGATIVE_INFINITY;
      case "drawdown":
        return -s.maxDrawdownUsd;
      default: {
        const unreachable: never = by;
        throw new Error(`unknown ranking ${String(unreachable)}`);
      }
    }
  };
  return [...runs].sort((a, b) => score(b) - score(a) || b.summary.pnl.totalUsd - a.summary.pnl.totalUsd);
}
