// When a sweep left to choose starts its workers: the idle cores' worth at once, the rest once
// the runs left pay for their warm-up.
import { describe, expect, test } from "bun:test";
import { GROW_AFTER_RUNS, GROW_WHEN_REMAINING_MS, initialWorkers, JIT_CORES, workersToAdd } from "../../../src/backtest/sweep/worker-growth.ts";
import type { PoolState } from "../../../src/backtest/sweep/worker-growth.ts";

describe("initialWorkers", () => {
  test("one on a machine whose cores the JIT's compiler threads already fill", () => {
    expect(initialWorkers(2, 2)).toBe(1);
    expect(initialWorkers(2, 1)).toBe(1);
    expect(initialWorkers(8, JIT_CORES)).toBe(1);
  });

  test("the cores beside the JIT's, within the cap", () => {
    expect(initialWorkers(16, 16)).toBe(16 - JIT_CORES);
    expect(initialWorkers(3, 16)).toBe(3);
    expect(initialWorkers(4, 4)).toBe(4 - JIT_CORES);
  });
});

describe("workersToAdd", () => {
  // A long grid on 2 cores, past the warm-up: 100 runs of 30 ms left at one worker (3 s).
  const long: PoolState = { running: 1, maxWorkers: 2, finishedRuns: GROW_AFTER_RUNS, queuedRuns: 100, lastRunMs: 30 };

  test("grows to the cap when the runs left at the current workers outlast the threshold", () => {
    expect(workersToAdd(long)).toBe(1);
    expect(workersToAdd({ ...long, maxWorkers: 8 })).toBe(7);
  });

  test("holds while the first runs are still compiling", () => {
    expect(workersToAdd({ ...long, finishedRuns: GROW_AFTER_RUNS - 1 })).toBe(0);
  });

  test("holds on a short grid: the remaining time is measured at the workers running", () => {
    const atThreshold = GROW_WHEN_REMAINING_MS / long.lastRunMs;
    expect(workersToAdd({ ...long, queuedRuns: Math.ceil(atThreshold) })).toBe(1);
    expect(workersToAdd({ ...long, queuedRuns: Math.floor(atThreshold) - 1 })).toBe(0);
    // The same runs left, shared by two running workers, are half the time.
    expect(workersToAdd({ ...long, running: 2, maxWorkers: 4, queuedRuns: Math.ceil(atThreshold) })).toBe(0);
  });

  test("never past the cap, nor more workers than queued runs", () => {
    expect(workersToAdd({ ...long, running: 2 })).toBe(0);
    expect(workersToAdd({ ...long, maxWorkers: 16, queuedRuns: 3, lastRunMs: 1000 })).toBe(3);
    expect(workersToAdd({ ...long, queuedRuns: 0 })).toBe(0);
  });
});
