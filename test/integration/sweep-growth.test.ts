// A sweep's pool grown mid-run: the worker started late gets the coordinator's loaded inputs
// and its share of the grid, and every run comes out as it does on one worker.
import { describe, expect, test } from "bun:test";
import type { BacktestRequest } from "../../src/backtest/run-backtest.ts";
import { parseSweepAxes } from "../../src/backtest/sweep/sweep-grid.ts";
import { runSweep } from "../../src/backtest/sweep/sweep-runner.ts";
import type { SweepOutcome } from "../../src/backtest/sweep/sweep-runner.ts";
import type { PoolState } from "../../src/backtest/sweep/worker-growth.ts";

const request: BacktestRequest = {
  configPath: null,
  assignments: [],
  sweepAssignments: [],
  data: null,
  dataTz: null,
  dataBar: null,
  iv: null,
  fromDay: "2024-07-01",
  toDay: "2024-07-31",
};
const axes = parseSweepAxes(["hedge.threshold_shares=20,30,40", "hedge.cooldown_s=0,60"]);

/** What a run decided and earned, without its id and times. */
const outcomes = (sweep: SweepOutcome) =>
  sweep.runs.map((run) => ({ assignments: run.assignments, pnl: run.summary.pnl, hedges: run.summary.hedges, guards: run.summary.guards, months: run.summary.months }));

describe("sweep worker growth", () => {
  test("a worker added after the first run takes jobs and changes no result", async () => {
    const states: PoolState[] = [];
    const grown = await runSweep(request, axes, {
      growth: {
        initial: 1,
        max: 2,
        add: (state) => {
          states.push(state);
          return state.finishedRuns === 1 ? 1 : 0;
        },
      },
    });
    const single = await runSweep(request, axes, { workers: 1 });
    expect(grown.workers).toBe(2);
    expect(single.workers).toBe(1);
    expect(grown.runs).toHaveLength(6);
    expect(outcomes(grown)).toEqual(outcomes(single));
    // The pool saw each finished run but the last, with the cap and the queue as they were.
    expect(states.map((s) => s.finishedRuns)).toEqual([1, 2, 3, 4, 5]);
    // (the finishing worker has its next job by then).
    expect(states[0]).toMatchObject({ running: 1, maxWorkers: 2, queuedRuns: 4 });
    expect(states[1]?.running).toBe(2);
    expect(states.every((s) => s.lastRunMs >= 0)).toBe(true);
  }, 60_000);

  test("a fixed worker count starts them all and never grows", async () => {
    const sweep = await runSweep(request, parseSweepAxes(["hedge.threshold_shares=20,30"]), { workers: 2 });
    expect(sweep.workers).toBe(2);
    expect(sweep.runs).toHaveLength(2);
  }, 60_000);
});
