// The replay decides quiet bars without the Hedger's calls (Hedger.quietUntilMs, quietHold,
// quietDenial), and hedges on them through quietHedge and the order's life cycle. That must
// change nothing: the same run with the Hedger never quiet (every bar through the full daemon
// sequence) gives the identical result, to the bit, over configs that exercise every way
// out of quiet: hedges, denials, limit orders, the band policy, the circuit breaker,
// blackouts, model greeks, intraday implied vol, rolls and days.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { DecisionLog } from "../../../src/backtest/decision-log.ts";
import { replay } from "../../../src/backtest/replay-engine.ts";
import type { ReplayResult } from "../../../src/backtest/replay-engine.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import type { HedgerParams } from "../../../src/core/hedger-params.ts";
import { Hedger } from "../../../src/core/hedger.ts";
import type { BarSeries, IvSeries } from "../../../src/market-data/index.ts";
import { constantIv, gbmBars, parseGbmSpec } from "../../../src/market-data/index.ts";

/** A Hedger that is never quiet: the replay then drives it through every bar's calls. */
class NeverQuietHedger extends Hedger {
  override quietUntilMs(): number {
    return Number.NEGATIVE_INFINITY;
  }
}

/** Counts the bars the replay decided with evaluate(), and the quiet bars it hedged on. */
class CountingHedger extends Hedger {
  evaluations = 0;
  quietHedges = 0;
  override evaluate(nowMs: number): ReturnType<Hedger["evaluate"]> {
    this.evaluations++;
    return super.evaluate(nowMs);
  }
  override quietHedge(nowMs: number, spot: number, bid: number, ask: number): ReturnType<Hedger["quietHedge"]> {
    this.quietHedges++;
    return super.quietHedge(nowMs, spot, bid, ask);
  }
}

const defaults = hedgerParamsFromConfig(defaultConfig());
const series = gbmBars(parseGbmSpec("seed=3,vol=0.3,bar=1m,days=8,start=2024-05-06"));

function intradayIv(bars: BarSeries): IvSeries {
  const vols = new Float64Array(bars.length);
  for (let i = 0; i < bars.length; i++) vols[i] = 0.2 + 0.05 * Math.sin(i / 50);
  return { type: "intraday", tsMs: bars.tsMs, vols, source: "test" };
}

function runWith(hedger: Hedger, iv: IvSeries, rollBand: number): ReplayResult {
  return replay({ hedger, series, iv, params: defaultBacktestParams(rollBand), runId: "quiet", log: null, onProgress: null });
}

const cases: Record<string, { params: HedgerParams; iv?: IvSeries; rollBand?: number }> = {
  "default config": { params: defaults },
  "band policy": { params: { ...defaults, hedge: { ...defaults.hedge, policy: { type: "band", costFraction: 0.0005, riskAversion: 0.01 } } } },
  "hedging on nearly every bar": {
    params: {
      ...defaults,
      hedge: { ...defaults.hedge, epsilonBandShares: 0, thresholdShares: 1, minShares: 1 },
      guards: { ...defaults.guards, cooldownMs: 0, minPriceMoveFraction: 0, maxDailyHedges: 1e9 },
    },
  },
  "marketable limit orders": { params: { ...defaults, hedge: { ...defaults.hedge, orderType: "limit", limitOffsetBps: 0 } } },
  "circuit breaker": { params: { ...defaults, guards: { ...defaults.guards, maxDailyLossUsd: 20 } } },
  "daily hedge cap": { params: { ...defaults, guards: { ...defaults.guards, maxDailyHedges: 5 } } },
  "earnings blackout": { params: { ...defaults, guards: { ...defaults.guards, earningsDates: ["2024-05-09"] } } },
  "model greeks": { params: { ...defaults, strategy: { ...defaults.strategy, greeksSource: "model" } } },
  "intraday implied vol, strike rolls": { params: defaults, iv: intradayIv(series), rollBand: 0.004 },
};

describe("quiet bars change nothing", () => {
  for (const [name, { params, iv = constantIv(0.25), rollBand = 0.03 }] of Object.entries(cases)) {
    test(name, () => {
      const full = runWith(new NeverQuietHedger(params), iv, rollBand);
      const counting = new CountingHedger(params);
      const quiet = runWith(counting, iv, rollBand);
      expect(quiet).toEqual(full);
      // Otherwise the comparison proves nothing: some bars must have been decided quietly.
      if (params.strategy.greeksSource === "broker") expect(counting.evaluations).toBeLessThan(series.length);
      else expect(counting.evaluations).toBe(series.length);
    });
  }

  test("the cases exercise hedges and denials (most decided quietly) and rolls", () => {
    const counting = new CountingHedger(defaults);
    const hedges = runWith(counting, constantIv(0.25), 0.03);
    expect(hedges.hedges.length).toBeGreaterThan(50);
    const denied = hedges.guards.binding.reduce((sum, b) => sum + b.deniedEvaluations, 0);
    expect(denied).toBeGreaterThan(20);
    // evaluate() ran on few bars (days' first, rolls): most hedges and denials were decided quietly.
    expect(counting.quietHedges).toBeGreaterThan(hedges.hedges.length * 0.9);
    expect(counting.evaluations).toBeLessThan((hedges.hedges.length - counting.quietHedges + denied) / 2);
    const rolls = runWith(new Hedger(defaults), intradayIv(series), 0.004);
    expect(rolls.rolls.filter((roll) => roll.reason === "strike_outside_band").length).toBeGreaterThan(1);
    for (const [name, code] of [["circuit breaker", "circuit_breaker"], ["daily hedge cap", "max_daily_hedges"]] as const) {
      const run = runWith(new Hedger(cases[name]!.params), constantIv(0.25), 0.03);
      expect(run.guards.binding.map((b) => b.code)).toContain(code);
    }
  });

  test("with a decision log the run is the same, one line per bar, denials with their numbers", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "gs-quiet-")), "decisions.jsonl");
    const log = DecisionLog.open(path, { configHash: "c", dataFingerprint: "d", data: "gbm", iv: "constant 0.25", ivFingerprint: "v", fromDay: "2024-05-06", toDay: "2024-05-15", gsVersion: "test" });
    const logged = replay({ hedger: new Hedger(defaults), series, iv: constantIv(0.25), params: defaultBacktestParams(0.03), runId: "quiet", log, onProgress: null });
    await log.close();
    expect(logged).toEqual(runWith(new Hedger(defaults), constantIv(0.25), 0.03));
    const lines = readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.length).toBe(series.length + 1);
    const denials = lines.filter((line) => line.decision === "deny");
    expect(denials.length).toBe(logged.guards.binding.reduce((sum, b) => sum + b.deniedEvaluations, 0));
    expect(denials.length).toBeGreaterThan(0);
    expect(denials.every((line) => typeof line.context === "object" && line.context !== null)).toBe(true);
    expect(lines.filter((line) => line.decision === "hedge").length).toBe(logged.hedges.length);
  });
});
