// Backtest throughput. One process, a year of 1-minute GBM bars (252 sessions on the NYSE
// calendar) for one 10-lot straddle:
//  - baseline, bare loop: per bar, the same two legs' BS delta and gamma (core's computeDeltaGamma);
//  - reference loop: the same numbers written out inline, one d1 for both legs (the issue's
//    "bare Bun loop", ~26 M/s on this machine): the floor a per-bar backtest cannot go under;
//  - full backtest, decision log off: replay() with the real Hedger, guards, venue, ledger,
//    attribution and guard audit; once with the default config (threshold 25 shares: ~7k
//    hedges a year) and once with hedging out of reach (the per-bar cost alone);
//  - its two parts: recording the market tape (quotes, rolls, option marks) alone, and the
//    default config replayed on a tape recorded beforehand (what each run of a sweep after a
//    worker's first costs);
// each round runs all cases back to back and divides by the bare loop of the same round; the
// medians over the rounds are reported (the machine is shared, so absolute rates swing).
// Steady state: untimed warm-up rounds of every case come first (the JIT keeps compiling for
// several runs; one warm-up run left the first 3 timed rounds of the full backtest 2-2.7x
// slower). The cold first run is printed apart; the compiled binary's start-to-report time is
// the figure for a cold run.
// Then the order life cycle's cost per hedge: a run hedging on almost every bar (threshold 1
// share, no cooldown or minimum move) against the hold path, in rounds of their own after the
// main ones (its type profile would otherwise shape the JIT's code for the cases above).
// Then sweep throughput: a 36-run and a 144-run grid on 1 worker, on all cores at once, and as
// `gs backtest --sweep` runs them by default (CPU / wall shows how many cores each keeps busy:
// one worker already has the JIT's compiler threads beside it), and the steady state: warmed
// workers replaying at once (what more cores give past warm-up).
// Run: bun bench/backtest.ts [--rounds 7] [--warmup 6] [--no-sweep]
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defaultBacktestParams } from "../src/backtest/backtest-params.ts";
import { recordMarketTape } from "../src/backtest/market-tape.ts";
import { replay } from "../src/backtest/replay-engine.ts";
import { CALL_PRICE } from "../src/backtest/tape-bar.ts";
import { parseSweepAxes } from "../src/backtest/sweep/sweep-grid.ts";
import { runSweep } from "../src/backtest/sweep/sweep-runner.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import { computeDeltaGamma, GreeksScratch } from "../src/core/greeks.ts";
import { INV_SQRT_2PI, normalCdfWithGauss } from "../src/core/normal.ts";
import type { HedgerParams } from "../src/core/hedger-params.ts";
import { Hedger } from "../src/core/hedger.ts";
import { hedgerParamsFromConfig } from "../src/config/hedger-params.ts";
import { constantIv, gbmBars, parseGbmSpec } from "../src/market-data/index.ts";

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};
const ROUNDS = Number(flag("--rounds") ?? 7);
const WARMUP_ROUNDS = Number(flag("--warmup") ?? 6);
const YEAR_MS = 365 * 86_400_000;

const series = gbmBars(parseGbmSpec("seed=1,vol=0.2,bar=1m,days=252"));
const config = defaultConfig();
const defaults = hedgerParamsFromConfig(config);
const holdOnly: HedgerParams = { ...defaults, hedge: { ...defaults.hedge, epsilonBandShares: 1e6, thresholdShares: 2e6, forcedDeltaShares: 1e7 } };
const everyBar: HedgerParams = {
  ...defaults,
  hedge: { ...defaults.hedge, epsilonBandShares: 0, thresholdShares: 1, minShares: 1 },
  guards: { ...defaults.guards, cooldownMs: 0, minPriceMoveFraction: 0, maxDailyHedges: 1e9 },
};
const strike = Math.round(series.close[0] as number);
const expiryMs = (series.tsMs[0] as number) + 400 * 86_400_000;
let sink = 0;

function bareLoop(): void {
  const g = new GreeksScratch();
  const { riskFreeRate: rate, dividendYield } = defaults.strategy;
  for (let i = 0; i < series.length; i++) {
    const spot = series.close[i] as number;
    const years = (expiryMs - (series.tsMs[i] as number)) / YEAR_MS;
    computeDeltaGamma("C", spot, strike, years, rate, dividendYield, 0.2, g);
    sink += g.delta + g.gamma;
    computeDeltaGamma("P", spot, strike, years, rate, dividendYield, 0.2, g);
    sink += g.delta + g.gamma;
  }
}

/** Both legs from one d1: call delta e^{-qT}N(d1), put delta the call's minus e^{-qT}, one gamma. */
function referenceLoop(): void {
  const { riskFreeRate: rate, dividendYield } = defaults.strategy;
  const vol = 0.2;
  for (let i = 0; i < series.length; i++) {
    const spot = series.close[i] as number;
    const years = (expiryMs - (series.tsMs[i] as number)) / YEAR_MS;
    const volSqrtT = vol * Math.sqrt(years);
    const d1 = (Math.log(spot / strike) + (rate - dividendYield) * years) / volSqrtT + 0.5 * volSqrtT;
    const gauss = Math.exp(-0.5 * d1 * d1);
    const dq = Math.exp(-dividendYield * years);
    const callDelta = dq * normalCdfWithGauss(d1, gauss);
    const gamma = (dq * INV_SQRT_2PI * gauss) / (spot * volSqrtT);
    sink += callDelta + gamma + (callDelta - dq) + gamma;
  }
}

const backtestParams = defaultBacktestParams(config.strategy.atm_band_pct);
const iv = constantIv(0.2);
const recordedTape = recordMarketTape(series, iv, backtestParams, defaults.strategy);
function tapeAlone(): void {
  sink += recordMarketTape(series, iv, backtestParams, defaults.strategy).bars[CALL_PRICE] as number;
}

const hedgesPerRun = new Map<HedgerParams, number>();
function fullReplay(params: HedgerParams, tape?: typeof recordedTape): () => void {
  return () => {
    const result = replay({ hedger: new Hedger(params), series, iv, params: backtestParams, runId: "bench", log: null, onProgress: null, ...(tape === undefined ? {} : { tape }) });
    hedgesPerRun.set(params, result.hedges.length);
    sink += result.totals.totalUsd;
  };
}

/**
 * CPU time of this thread in ms: its on-CPU nanoseconds from /proc/thread-self/schedstat on
 * Linux, which leave out the JIT's and GC's own threads and the time other processes held the
 * core; process.cpuUsage() (all threads) elsewhere.
 */
const threadCpuMs: () => number = existsSync("/proc/thread-self/schedstat")
  ? () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6
  : () => {
      const used = process.cpuUsage();
      return (used.user + used.system) / 1000;
    };

/** Wall time of a run; this thread's CPU time for it is added to cpuMs[key]. */
const cpuMs: Record<string, number[]> = { bare: [], reference: [], full: [], holdOnly: [], tape: [], onTape: [], holdOnly2: [], everyBar: [] };
function timeMs(key: string, run: () => void): number {
  const cpu = threadCpuMs();
  const start = Bun.nanoseconds();
  run();
  const wall = (Bun.nanoseconds() - start) / 1e6;
  cpuMs[key]?.push(threadCpuMs() - cpu);
  return wall;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const cases = { bare: bareLoop, reference: referenceLoop, full: fullReplay(defaults), holdOnly: fullReplay(holdOnly), tape: tapeAlone, onTape: fullReplay(defaults, recordedTape) };
const coldStart = Bun.nanoseconds();
cases.full();
const coldFullMs = (Bun.nanoseconds() - coldStart) / 1e6;
for (let round = 0; round < WARMUP_ROUNDS; round++) for (const run of Object.values(cases)) run();
const rates: Record<keyof typeof cases, number[]> = { bare: [], reference: [], full: [], holdOnly: [], tape: [], onTape: [] };
const ratios: { full: number[]; holdOnly: number[]; fullToReference: number[] } = { full: [], holdOnly: [], fullToReference: [] };
for (let round = 0; round < ROUNDS; round++) {
  // The baselines run just before and just after the default-config run, which is divided by
  // their mean: this VM changes speed every ~50 ms, about one full run's length.
  const bareBefore = timeMs("bare", cases.bare);
  const referenceBefore = timeMs("reference", cases.reference);
  const full = timeMs("full", cases.full);
  const referenceAfter = timeMs("reference", cases.reference);
  const bareAfter = timeMs("bare", cases.bare);
  const ms = {
    full,
    holdOnly: timeMs("holdOnly", cases.holdOnly),
    tape: timeMs("tape", cases.tape),
    onTape: timeMs("onTape", cases.onTape),
  };
  for (const key of Object.keys(ms) as (keyof typeof ms)[]) rates[key].push(series.length / ms[key] / 1000);
  for (const bareMs of [bareBefore, bareAfter]) rates.bare.push(series.length / bareMs / 1000);
  for (const referenceMs of [referenceBefore, referenceAfter]) rates.reference.push(series.length / referenceMs / 1000);
  const bare = (bareBefore + bareAfter) / 2;
  ratios.full.push(full / bare);
  ratios.holdOnly.push(ms.holdOnly / bareAfter);
  ratios.fullToReference.push(full / ((referenceBefore + referenceAfter) / 2));
}
const perCpu = (key: string): string => `${(series.length / median(cpuMs[key] ?? []) / 1000).toFixed(2)} M per thread CPU-s`;
const mps = (values: number[]): string => `${median(values).toFixed(2)} M bar-steps/s (best ${Math.max(...values).toFixed(2)})`;
/** Best against best: noise on a shared machine only ever slows a round down. */
const bestRatio = (key: "full" | "holdOnly"): string => `${(Math.max(...rates.bare) / Math.max(...rates[key])).toFixed(2)}x`;
console.log(`bars: ${series.length} (1-minute GBM, 252 sessions), rounds: ${ROUNDS} after ${WARMUP_ROUNDS} untimed, hedges per default run: ${hedgesPerRun.get(defaults)}`);
console.log(`full backtest, first run of the process (cold JIT): ${coldFullMs.toFixed(0)} ms`);
console.log(`bare loop (2 legs delta+gamma):            ${mps(rates.bare)}, ${perCpu("bare")}`);
console.log(`reference loop (inline, one d1 per bar):    ${mps(rates.reference)}, ${perCpu("reference")}`);
console.log(`full backtest, default config (log off):   ${mps(rates.full)}, ${perCpu("full")}; median ratio ${median(ratios.full).toFixed(2)}x bare, best/best ${bestRatio("full")}`);
console.log(`full backtest, default config vs reference loop: median ratio ${median(ratios.fullToReference).toFixed(2)}x`);
console.log(`full backtest, hedging out of reach:       ${mps(rates.holdOnly)}, ${perCpu("holdOnly")}; median ratio ${median(ratios.holdOnly).toFixed(2)}x bare, best/best ${bestRatio("holdOnly")}`);
console.log(`  its parts: market tape alone              ${mps(rates.tape)}, ${perCpu("tape")}`);
console.log(`             default config on a recorded tape ${mps(rates.onTape)}, ${perCpu("onTape")}`);

const everyBarRun = fullReplay(everyBar);
for (let round = 0; round < WARMUP_ROUNDS; round++) everyBarRun();
for (let round = 0; round < ROUNDS; round++) {
  timeMs("everyBar", everyBarRun);
  timeMs("holdOnly2", cases.holdOnly);
}
const everyBarHedges = hedgesPerRun.get(everyBar) ?? 0;
/** Best against best, thread CPU: the guard chain, order, fill and bookkeeping of one hedge. */
const usPerHedge = ((Math.min(...(cpuMs.everyBar ?? [])) - Math.min(...(cpuMs.holdOnly2 ?? []))) * 1000) / everyBarHedges;
console.log(`order life cycle: ${usPerHedge.toFixed(2)} us thread CPU per hedge over the hold path (${everyBarHedges} hedges on ${series.length} bars, best of ${ROUNDS})`);

if (!process.argv.includes("--no-sweep")) {
  // Two grids: 36 points (shorter than a worker's JIT warm-up on 2 cores) and 144 points.
  const grids = [
    ["hedge.threshold_shares=15,25,35,50,60,70", "hedge.cooldown_s=0,30,60,120,180,240"],
    [`hedge.threshold_shares=${Array.from({ length: 12 }, (_, i) => 15 + i * 5).join(",")}`, `hedge.cooldown_s=${Array.from({ length: 12 }, (_, i) => i * 20).join(",")}`],
  ];
  const request = { configPath: null, assignments: [], sweepAssignments: [], data: "gbm:seed=1,vol=0.2,bar=1m,days=252", dataTz: null, dataBar: null, iv: null, fromDay: null, toDay: null };
  const cores = availableParallelism();
  const cpuS = (u: { user: number; system: number }): number => (u.user + u.system) / 1e6;
  const rate = (o: { barSteps: number; wallMs: number }): number => o.barSteps / o.wallMs / 1000;
  // Per grid, twice: 1 worker, all cores started at once, and the default (the pool grows when
  // the runs left pay for it), back to back so each ratio is measured under the same load.
  for (const grid of grids) {
    const axes = parseSweepAxes(grid);
    for (let round = 1; round <= 2; round++) {
      const timed = async (options: { workers?: number }) => {
        // Terminated workers of the sweep before are still being torn down (their VMs, heaps):
        // let that finish, or its CPU lands in this sweep's time.
        Bun.gc(true);
        await Bun.sleep(1000);
        const cpuBefore = process.cpuUsage();
        const outcome = await runSweep(request, axes, options);
        return { outcome, cpu: cpuS(process.cpuUsage(cpuBefore)) };
      };
      const one = await timed({ workers: 1 });
      const all = await timed({ workers: cores });
      const grown = await timed({});
      const runs = one.outcome.runs.length;
      const line = (label: string, t: typeof one): string =>
        `${label} ${rate(t.outcome).toFixed(2)} M/s (${(t.outcome.wallMs / 1000).toFixed(2)} s, CPU ${t.cpu.toFixed(2)} s, ${(rate(t.outcome) / rate(one.outcome)).toFixed(2)}x)`;
      console.log(
        `sweep ${runs} runs x ${one.outcome.barSteps / runs} bars, round ${round}: ${line("1 worker", one)}; ${line(`${cores} at once`, all)}; ${line(`default (grew to ${grown.outcome.workers})`, grown)}`,
      );
    }
  }
  // What more workers give once warm: each worker replays the default config on its own tape
  // until the JIT has settled, then all time the same number of runs at once.
  const steady = async (workers: number): Promise<number> => {
    const started = Array.from({ length: workers }, () => new Worker(new URL("./steady-replay-worker.ts", import.meta.url).href));
    const timed = await Promise.all(
      started.map(
        (worker) =>
          new Promise<{ msPerRun: number; bars: number }>((resolve) => {
            worker.onmessage = (event) => (event.data === "ready" ? worker.postMessage({ runs: 15 }) : resolve(event.data));
          }),
      ),
    );
    for (const worker of started) worker.terminate();
    return timed.reduce((sum, t) => sum + t.bars / t.msPerRun / 1000, 0);
  };
  const steadyOne = await steady(1);
  const steadyAll = await steady(cores);
  console.log(`sweep steady state (warmed workers, default config, own tapes): 1 worker ${steadyOne.toFixed(2)} M bar-steps/s, ${cores} workers ${steadyAll.toFixed(2)}: ${(steadyAll / steadyOne).toFixed(2)}x`);
}
if (sink === 42) console.log("");
