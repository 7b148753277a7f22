// The market tape: what the replay reads per bar must be exactly what pricing that bar would
// give (the same function, so the daemon's sim broker and the backtest agree to the bit),
// the days must partition the bars, and a shared tape must not change a run.
import { describe, expect, test } from "bun:test";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { MarketTapeCache, recordMarketTape, tapeBytes } from "../../../src/backtest/market-tape.ts";
import { LegMark, markStraddle, readStraddleMarks } from "../../../src/backtest/option-marks.ts";
import { replay } from "../../../src/backtest/replay-engine.ts";
import { ASK, BID, NOW_MS, SPOT, TAPE_BAR_FIELDS, VOL } from "../../../src/backtest/tape-bar.ts";
import { quoteAround } from "../../../src/broker/sim/sim-fills.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import { Hedger } from "../../../src/core/hedger.ts";
import { exchangeDayAt } from "../../../src/core/nyse-calendar.ts";
import { bundledVix, constantIv, gbmBars, loadBars, parseDataSource, parseGbmSpec } from "../../../src/market-data/index.ts";

const hedgerParams = hedgerParamsFromConfig(defaultConfig());
const strategy = hedgerParams.strategy;

describe("market tape", async () => {
  const loaded = await loadBars(parseDataSource("bundled", { symbol: "SPY", zone: null, barSeconds: null }), { fromDay: "2024-07-01", toDay: "2024-08-30" });
  const series = loaded.series;
  const params = defaultBacktestParams(0.025);
  const tape = recordMarketTape(series, bundledVix(), params, strategy);

  test("each bar's quote, time and marks (read back in full) are the sim venue's quote and markStraddle's numbers", () => {
    const call = new LegMark();
    const put = new LegMark();
    const readCall = new LegMark();
    const readPut = new LegMark();
    let roll = 0;
    let held = tape.rolls[0]!;
    for (let i = 0; i < tape.length; i++) {
      const touch = quoteAround(series.close[i] as number, params.stockHalfSpreadBps);
      const p = i * TAPE_BAR_FIELDS;
      expect([tape.bars[p + BID], tape.bars[p + ASK], tape.bars[p + SPOT]]).toEqual([touch.bid, touch.ask, (touch.bid + touch.ask) / 2]);
      // The straddle held at the decision is the one traded last before this bar (or the open at it).
      while (roll < tape.rolls.length && (tape.rolls[roll]!.index < i || tape.rolls[roll]!.reason === "open")) held = tape.rolls[roll++]!;
      markStraddle(held.next.call.strike, held.nextExpiryMs, tape.bars[p + SPOT]!, tape.bars[p + VOL]!, tape.bars[p + NOW_MS]!, strategy.riskFreeRate, strategy.dividendYield, call, put);
      readStraddleMarks(tape.bars, i, readCall, readPut);
      expect([readCall, readPut]).toEqual([call, put]);
    }
    expect(tape.rolls.filter((r) => r.reason === "strike_outside_band").length).toBeGreaterThan(2);
    expect(tape.rolls.filter((r) => r.reason === "dte_below_min").length).toBeGreaterThan(2);
  });

  test("the days partition the bars, each bar inside its day, decided before the day closes", () => {
    let next = 0;
    for (const day of tape.days) {
      expect(day.firstIndex).toBe(next);
      expect(day.endIndex).toBeGreaterThan(day.firstIndex);
      for (let i = day.firstIndex; i < day.endIndex; i++) {
        const exchangeDay = exchangeDayAt(series.tsMs[i] as number);
        expect(exchangeDay.dayNumber).toBe(day.dayNumber);
        expect(tape.bars[i * TAPE_BAR_FIELDS + NOW_MS]).toBeLessThan(exchangeDay.closeMs ?? exchangeDay.endMs);
      }
      next = day.endIndex;
    }
    expect(next).toBe(series.length);
    expect(tape.days.length).toBe(44); // July 2024 (without the 4th) and August: 22 sessions each
  });

  test("a run on a tape recorded beforehand is the run that records its own", () => {
    const gbm = gbmBars(parseGbmSpec("seed=4,vol=0.3,bar=1m,days=5,start=2024-05-06"));
    const iv = constantIv(0.25);
    const shared = recordMarketTape(gbm, iv, params, strategy);
    const run = (withTape: boolean) =>
      replay({ hedger: new Hedger(hedgerParams), series: gbm, iv, params, runId: "t", log: null, onProgress: null, ...(withTape ? { tape: shared } : {}) });
    const own = run(false);
    expect(own.hedges.length).toBeGreaterThan(20);
    expect(run(true)).toEqual(own);
    // The tape is only read: a second run on it is the same again.
    expect(run(true)).toEqual(own);
  });

  test("a tape cache gives a sweep's runs one tape per roll and spread params, and keeps what fits its budget", () => {
    const gbm = gbmBars(parseGbmSpec("seed=4,vol=0.3,bar=5m,days=3,start=2024-05-06"));
    const twoTapes = 2 * tapeBytes(recordMarketTape(gbm, constantIv(0.25), params, strategy));
    const cache = new MarketTapeCache(gbm, constantIv(0.25), twoTapes);
    const first = cache.tape(params, strategy);
    // Contracts and costs do not shape the tape; the roll band and the stock spread do.
    expect(cache.tape({ ...params, contracts: 3, stockCommissionMinUsd: 5 }, strategy)).toBe(first);
    const wide = cache.tape({ ...params, rollBandFraction: 0.5 }, strategy);
    expect(wide).not.toBe(first);
    expect(cache.tape({ ...params, stockHalfSpreadBps: 3 }, strategy)).not.toBe(first);
    expect(cache.tape({ ...params, stockHalfSpreadBps: 3 }, { ...strategy, minDte: 14 })).not.toBe(first);
    // Room for two: the first tape was evicted and is recorded again (the same numbers), then kept.
    const again = cache.tape(params, strategy);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    expect(cache.tape(params, strategy)).toBe(again);
  });

  test("a tape larger than the budget is still kept, alone", () => {
    const gbm = gbmBars(parseGbmSpec("seed=4,vol=0.3,bar=5m,days=3,start=2024-05-06"));
    const cache = new MarketTapeCache(gbm, constantIv(0.25), 1);
    const first = cache.tape(params, strategy);
    expect(cache.tape(params, strategy)).toBe(first);
    expect(cache.tape({ ...params, rollBandFraction: 0.5 }, strategy)).not.toBe(first);
    expect(cache.tape(params, strategy)).not.toBe(first);
  });
});
