// Parity: the same bars fed (a) to the backtest and (b) to the daemon's HedgeLoop on the
// real sim broker (zero latency, same spread, costs and option marks, a real SQLite sink
// for the audit trail) give the same Hedger decisions, the same orders at the same prices
// and the same end-of-run Hedger state: with the replay calling the Hedger on every bar, one
// decision for one; as gs runs it (quiet bars decided, and hedged on, without the per-quote
// calls), the same hedges, per-bar delta, hold counts and denial counts.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBacktestParams } from "../../src/backtest/backtest-params.ts";
import type { BacktestParams } from "../../src/backtest/backtest-params.ts";
import { LegMark, markStraddle } from "../../src/backtest/option-marks.ts";
import { replay } from "../../src/backtest/replay-engine.ts";
import { chooseStraddle } from "../../src/backtest/straddle-schedule.ts";
import { SimBroker } from "../../src/broker/sim/sim-broker.ts";
import type { OptionMarker } from "../../src/broker/sim/sim-broker.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import { parseDay } from "../../src/core/civil-date.ts";
import type { HedgeDecision } from "../../src/core/hedge-decision.ts";
import { Hedger } from "../../src/core/hedger.ts";
import type { Position } from "../../src/core/instrument.ts";
import { expiryCloseUtcMs } from "../../src/core/nyse-calendar.ts";
import { memoryDaemonLog } from "../../src/daemon/daemon-log.ts";
import { HedgeLoop } from "../../src/daemon/hedge-loop.ts";
import { hedgerParamsFromConfig } from "../../src/config/hedger-params.ts";
import { OperationRecorder } from "../../src/daemon/operation-recorder.ts";
import { DaemonIds } from "../../src/daemon/order-ref.ts";
import { statusRow } from "../../src/daemon/status-row.ts";
import type { BarSeries, IvSeries } from "../../src/market-data/index.ts";
import { bundledBars, bundledVix, constantIv, gbmBars, ivAt, loadBars, parseDataSource, parseGbmSpec } from "../../src/market-data/index.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import type { StatusRow } from "../../src/sink/records.ts";
import { FakeClock } from "../support/fake-clock.ts";

const CLOSE_BEFORE_BAR_END_MS = 1000;
const dir = mkdtempSync(join(tmpdir(), "gs-parity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every evaluate() result and quiet hedge, with its time: the decision stream both drivers must share. */
class RecordingHedger extends Hedger {
  readonly decisions: (HedgeDecision & { readonly atMs: number })[] = [];
  quietHedges = 0;

  override evaluate(nowMs: number): HedgeDecision {
    const decision = super.evaluate(nowMs);
    this.decisions.push({ ...decision, atMs: nowMs });
    return decision;
  }

  override quietHedge(nowMs: number, spot: number, bid: number, ask: number): ReturnType<Hedger["quietHedge"]> {
    const decision = super.quietHedge(nowMs, spot, bid, ask);
    this.quietHedges++;
    this.decisions.push({ ...decision, atMs: nowMs });
    return decision;
  }
}

/** The backtest's option market as a sim-broker marker (same function, IB units). */
function backtestMarker(iv: IvSeries, rate: number, dividendYield: number): OptionMarker {
  const call = new LegMark();
  const put = new LegMark();
  return (option, spot, tsMs) => {
    const expiry = parseDay(option.expiryYmd) as number;
    markStraddle(option.strike, expiryCloseUtcMs(expiry), spot, ivAt(iv, tsMs), tsMs, rate, dividendYield, call, put);
    const mark = option.right === "C" ? call : put;
    return { price: mark.price, impliedVol: mark.impliedVol, delta: mark.delta, gamma: mark.gamma, vega: mark.vega / 100, theta: mark.theta / 365 };
  };
}

/** The daemon's own minimal status row (no snapshot): what the recorder writes with each operation. */
function minimalStatus(tsMs: number): StatusRow {
  return statusRow(
    {
      daemonId: "parity",
      host: "parity-host",
      wallNowMs: tsMs,
      state: "RUNNING",
      configHash: "parity",
      heartbeatIntervalS: 5,
      pid: 1,
      version: "test",
      brokerName: "sim",
      brokerClientId: null,
      brokerServerVersion: null,
      nextRetryTsMs: null,
      marketDataKind: "live",
      operatorPause: null,
      extraBlockReasons: [],
      marketNowMs: tsMs,
      sinkHealth: { queueDepth: 0, spooledRows: 0, failedWrites: 0, lostRows: 0, lastError: null },
    },
    null,
    "SPY",
  );
}

/** The same, never quiet: the replay then calls it on every bar, as the daemon's loop does. */
class NeverQuietRecordingHedger extends RecordingHedger {
  override quietUntilMs(): number {
    return Number.NEGATIVE_INFINITY;
  }
}

interface DriverRun {
  readonly decisions: RecordingHedger["decisions"];
  readonly fills: { tsMs: number; side: string; shares: number; price: number }[];
  readonly dailyState: ReturnType<Hedger["dailyState"]>;
}

interface BacktestRun extends DriverRun {
  /** Per bar: the portfolio delta the decision was made on (NaN: none); the hold reasons' counts; the guard audit's denials. */
  readonly deltaShares: Float64Array;
  readonly holds: Readonly<Record<string, number>>;
  readonly denials: ReturnType<typeof denialCounts>;
}

/** Per guard code: denied bars, and runs of them (a run ends at any other decision), as the guard audit counts them. */
function denialCounts(decisions: readonly { type: string; code?: string }[]): Record<string, { deniedEvaluations: number; episodes: number }> {
  const counts: Record<string, { deniedEvaluations: number; episodes: number }> = {};
  let previous: string | null = null;
  for (const d of decisions) {
    const code = d.type === "deny" ? (d.code as string) : null;
    if (code !== null) {
      const entry = (counts[code] ??= { deniedEvaluations: 0, episodes: 0 });
      entry.deniedEvaluations++;
      if (code !== previous) entry.episodes++;
    }
    previous = code;
  }
  return counts;
}

function runBacktest(series: BarSeries, iv: IvSeries, params: BacktestParams, hedger: RecordingHedger): BacktestRun {
  const result = replay({ hedger, series, iv, params, runId: "parity", log: null, onProgress: null });
  const lastMs = (series.tsMs[series.length - 1] as number) + series.barSeconds * 1000 - CLOSE_BEFORE_BAR_END_MS;
  return {
    decisions: hedger.decisions,
    fills: result.hedges.map((h) => ({ tsMs: h.tsMs, side: h.side, shares: h.shares, price: h.price })),
    dailyState: hedger.dailyState(lastMs),
    deltaShares: result.bars.deltaShares,
    holds: result.guards.holds,
    denials: Object.fromEntries(result.guards.binding.map((b) => [b.code, { deniedEvaluations: b.deniedEvaluations, episodes: b.episodes }])),
  };
}

async function runDaemonLoop(series: BarSeries, iv: IvSeries, params: BacktestParams): Promise<DriverRun> {
  const config = defaultConfig();
  const hedgerParams = hedgerParamsFromConfig(config);
  const barMs = series.barSeconds * 1000;
  const t0 = (series.tsMs[0] as number) + barMs - CLOSE_BEFORE_BAR_END_MS;
  const clock = new FakeClock(t0);
  const straddle = chooseStraddle(series.close[0] as number, t0, {
    symbol: "SPY",
    minDte: hedgerParams.strategy.minDte,
    maxDte: hedgerParams.strategy.maxDte,
    strikeStep: params.strikeStep,
    rollBandFraction: params.rollBandFraction,
    multiplier: 100,
  });
  const legs: Position[] = [straddle.call, straddle.put].map((contract) => ({ contract, quantity: params.contracts, avgCost: 0, account: "PARITY" }));
  const broker = new SimBroker({
    symbol: "SPY",
    account: "PARITY",
    clock,
    costs: { slippageBps: params.stockSlippageBps, commissionPerShareUsd: params.stockCommissionPerShareUsd, minCommissionUsd: params.stockCommissionMinUsd },
    halfSpreadBps: params.stockHalfSpreadBps,
    ackLatencyMs: 0,
    fillLatencyMs: 0,
    cancelLatencyMs: 0,
    markOption: backtestMarker(iv, hedgerParams.strategy.riskFreeRate, hedgerParams.strategy.dividendYield),
    initialAccount: { positions: legs, executions: [], nextOrderId: 1 },
  });
  const sink = SqliteSink.open({ path: join(dir, `parity-${series.barSeconds}.db`) });
  await sink.migrate();
  const hedger = new RecordingHedger(hedgerParams);
  const ids = new DaemonIds("parity", "SPY", t0);
  const loop = new HedgeLoop({
    hedger,
    broker,
    ids,
    recorder: new OperationRecorder(sink, ids, clock, () => sink.writeStatus(minimalStatus(clock.nowMs()), { history: true })),
    log: memoryDaemonLog([]),
    marketNowMs: () => clock.nowMs(),
    wallNowMs: () => clock.nowMs(),
    tradingAllowed: () => true,
    ordersAllowed: () => true,
    stateName: () => "RUNNING",
    onDailyStateChanged: () => {},
    onOrderFinal: () => {},
    findRecordedFill: async () => null,
  });
  broker.onEvent((event) => loop.onBrokerEvent(event));
  await broker.connect();
  hedger.setBrokerConnected(true, t0);
  loop.resetPositions(await broker.positions());
  // As the daemon does after reconciling (the sim streams option greeks before each quote).
  broker.subscribeMarketData([{ secType: "STK", symbol: "SPY" }, straddle.call, straddle.put]);
  for (let i = 0; i < series.length; i++) {
    const nowMs = (series.tsMs[i] as number) + barMs - CLOSE_BEFORE_BAR_END_MS;
    await clock.advance(nowMs - clock.nowMs());
    broker.pushPrice(series.close[i] as number, nowMs);
    await clock.advance(0);
  }
  const fills = broker.accountState().executions.map(({ execution }) => ({ tsMs: execution.tsEventMs, side: execution.side, shares: execution.shares, price: execution.price }));
  const dailyState = hedger.dailyState(clock.nowMs());
  await sink.close();
  return { decisions: hedger.decisions, fills, dailyState };
}

function expectSameDay(daemon: DriverRun, backtest: DriverRun): void {
  expect(daemon.fills).toEqual(backtest.fills);
  expect(daemon.dailyState.hedgeCount).toBe(backtest.dailyState.hedgeCount);
  expect(daemon.dailyState.realizedPnlUsd).toBeCloseTo(backtest.dailyState.realizedPnlUsd, 9);
  expect(daemon.dailyState.commissionsUsd).toBeCloseTo(backtest.dailyState.commissionsUsd, 9);
  expect(daemon.dailyState.circuitBreakerTripped).toBe(backtest.dailyState.circuitBreakerTripped);
}

async function expectParity(series: BarSeries, iv: IvSeries): Promise<BacktestRun> {
  // A window without rolls: the daemon's sim account never rolls its straddle.
  const params = { ...defaultBacktestParams(0.5) };
  const hedgerParams = hedgerParamsFromConfig(defaultConfig());
  const daemon = await runDaemonLoop(series, iv, params);
  // The replay driving the Hedger on every bar makes the daemon's decisions, one for one.
  const everyBar = runBacktest(series, iv, params, new NeverQuietRecordingHedger(hedgerParams));
  expect(everyBar.decisions.length).toBe(series.length);
  expect(daemon.decisions).toEqual(everyBar.decisions);
  expectSameDay(daemon, everyBar);
  // The replay as gs runs it decides quiet bars (holds, denials and hedges while nothing is in
  // flight) without the Hedger's per-quote calls: every hedge of the daemon's is made at the
  // same time, most through quietHedge(); each bar's delta, the hold reasons' counts and the
  // denials' counts and runs are the daemon's.
  const recording = new RecordingHedger(hedgerParams);
  const backtest = runBacktest(series, iv, params, recording);
  expect(backtest.decisions.length).toBeLessThan(series.length / 2);
  const hedges = (run: DriverRun) => run.decisions.filter((d) => d.type === "hedge");
  expect(hedges(backtest)).toEqual(hedges(daemon));
  expect(recording.quietHedges).toBeGreaterThan(hedges(daemon).length / 2);
  expect(Array.from(backtest.deltaShares)).toEqual(daemon.decisions.map((d) => d.deltaShares ?? Number.NaN));
  const holdCounts: Record<string, number> = {};
  for (const d of daemon.decisions) if (d.type === "hold") holdCounts[d.reason] = (holdCounts[d.reason] ?? 0) + 1;
  expect(backtest.holds).toEqual(holdCounts);
  expect(backtest.denials).toEqual(denialCounts(daemon.decisions));
  expectSameDay(daemon, backtest);
  return backtest;
}

describe("backtest and daemon decide alike", () => {
  test("real SPY 5-minute bars with VIX as implied vol (4 sessions)", async () => {
    const loaded = await loadBars(parseDataSource("bundled", { symbol: "SPY", zone: null, barSeconds: null }), { fromDay: "2024-07-15", toDay: "2024-07-18" });
    expect(bundledBars().series.symbol).toBe("SPY");
    const run = await expectParity(loaded.series, bundledVix());
    // The window must exercise hedges and guard denials, some decided quietly, or parity proves little.
    expect(run.fills.length).toBeGreaterThan(10);
    const denied = Object.values(run.denials).reduce((sum, d) => sum + d.deniedEvaluations, 0);
    expect(denied).toBeGreaterThan(run.decisions.filter((d) => d.type === "deny").length);
  });

  test("1-minute GBM path with constant implied vol (3 sessions)", async () => {
    const series = gbmBars(parseGbmSpec("seed=11,vol=0.3,bar=1m,days=3,start=2024-06-10"));
    const run = await expectParity(series, constantIv(0.3));
    expect(run.fills.length).toBeGreaterThan(20);
  });
});
