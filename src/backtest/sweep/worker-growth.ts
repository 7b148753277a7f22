// How many workers a sweep left to choose runs on. Every worker is its own JavaScript VM:
// before it runs at full speed it compiles the replay (about a second of CPU on this project's
// 2-core reference machine), on the process's two JIT compiler threads, which need cores of
// their own meanwhile. A worker started on a machine without a spare core takes them from the
// workers already running: a short grid then finishes later on two workers than on one, a
// long one sooner. So a sweep starts the workers the idle cores can warm up, and grows to one
// per core once the runs left would keep the others busy long enough to pay for that.

/** Cores the JIT's compiler threads keep busy while a worker warms up (JSC's worklist threads). */
export const JIT_CORES = 2;

/**
 * Remaining work, at the current workers, above which the rest start. Measured on 2 vCPUs
 * (docs/BENCHMARKS.md): a second worker lost time on a 36-run grid and gained on 144 runs.
 */
export const GROW_WHEN_REMAINING_MS = 2000;

/**
 * Runs finished before their durations are trusted. A worker's JIT goes on compiling through
 * its first dozen runs or so (in a 144-run grid: 0.9 s of compilation in the first 12 runs,
 * 0.25 s in the next 12). Later run times still overstate the steady ones, so the estimate
 * errs towards fewer workers.
 */
export const GROW_AFTER_RUNS = 8;

/** Workers to start with: those the cores beside the JIT's can run, at least one. */
export function initialWorkers(maxWorkers: number, cores: number): number {
  return Math.max(1, Math.min(maxWorkers, cores - JIT_CORES));
}

export interface PoolState {
  readonly running: number;
  readonly maxWorkers: number;
  readonly finishedRuns: number;
  /** Runs not yet handed to any worker. */
  readonly queuedRuns: number;
  /** Wall time of the run that just finished, ms. */
  readonly lastRunMs: number;
}

/** How a sweep's pool of workers starts and grows. */
export interface WorkerGrowth {
  readonly initial: number;
  readonly max: number;
  /** Workers to start after a run finished, in this state. */
  add(state: PoolState): number;
}

/** One worker per core at most (and per run), started as above. */
export function coreGrowth(cores: number, runs: number): WorkerGrowth {
  const max = Math.max(1, Math.min(cores, runs));
  return { initial: initialWorkers(max, cores), max, add: workersToAdd };
}

/** Workers to start now: 0, or enough to reach the cap (never more than the queued runs). */
export function workersToAdd(s: PoolState): number {
  if (s.running >= s.maxWorkers || s.finishedRuns < GROW_AFTER_RUNS || s.queuedRuns === 0) return 0;
  const remainingMs = (s.queuedRuns * s.lastRunMs) / s.running;
  if (remainingMs < GROW_WHEN_REMAINING_MS) return 0;
  return Math.min(s.maxWorkers - s.running, s.queuedRuns);
}
