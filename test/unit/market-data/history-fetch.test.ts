// gs data fetch's engine: windows of whole sessions, paced requests, bars saved to a real
// SQLite sink as they arrive, cached windows skipped on a rerun, pacing errors retried.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Broker, HistoricalBar, HistoricalBarsRequest } from "../../../src/broker/port.ts";
import { BrokerError } from "../../../src/broker/port.ts";
import { fetchHistory, planWindows, RequestPacer } from "../../../src/market-data/history-fetch.ts";
import type { FetchClock } from "../../../src/market-data/history-fetch.ts";
import { resolveIv } from "../../../src/backtest/iv-source.ts";
import { ivAt, loadBars, parseDataSource, parseDay, sessionOf } from "../../../src/market-data/index.ts";
import { SqliteSink } from "../../../src/sink/sqlite/sqlite-sink.ts";

const dir = mkdtempSync(join(tmpdir(), "gs-fetch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Time that moves only when the code under test sleeps. */
class SleepClock implements FetchClock {
  now = 0;
  readonly sleeps: number[] = [];
  nowMs(): number {
    return this.now;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.now += ms;
  }
}

/** A broker that serves a flat price path bar by bar, plus one pre-market bar per request. */
class HistoryBroker implements Pick<Broker, "name" | "capabilities" | "historicalBars"> {
  readonly name = "ib" as const;
  readonly capabilities = { modelGreeks: false, partialFills: true, historicalBars: true };
  readonly requests: HistoricalBarsRequest[] = [];
  pacingErrorsLeft = 0;

  async historicalBars(request: HistoricalBarsRequest): Promise<HistoricalBar[]> {
    this.requests.push(request);
    if (this.pacingErrorsLeft > 0) {
      this.pacingErrorsLeft--;
      throw new BrokerError("temporary", "Historical Market Data Service error message:pacing violation", 162);
    }
    const bars: HistoricalBar[] = [{ tsMs: request.startMs - 3_600_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }];
    for (let ts = request.startMs; ts < request.endMs; ts += request.barSeconds * 1000) {
      const day = sessionOf(Math.floor((ts - 4 * 3_600_000) / 86_400_000));
      const iv = request.what === "implied_volatility";
      if (day !== null && ts >= day.openUtcMs && ts < day.closeUtcMs) bars.push(iv ? { tsMs: ts, open: 0.15, high: 0.16, low: 0.14, close: 0.15, volume: 0 } : { tsMs: ts, open: 500, high: 501, low: 499, close: 500.5, volume: 1000 });
    }
    return bars;
  }
}

const JULY_1 = parseDay("2024-07-01") as number;
const JULY_12 = parseDay("2024-07-12") as number;

describe("fetching history", () => {
  test("windows are whole sessions: a week per 1-minute request, 20 sessions per 5-minute one", () => {
    const minute = planWindows(JULY_1, JULY_12, 60);
    expect(minute.map((w) => w.sessions.length)).toEqual([5, 4]);
    expect(minute[0]?.expectedBars).toBe(390 * 4 + 210); // 07-01..07-08: 07-03 closes at 13:00, 07-04 closed
    expect(planWindows(JULY_1, JULY_12, 300).map((w) => w.sessions.length)).toEqual([9]);
  });

  test("the pacer keeps 2 s between requests and at most 60 in 10 minutes", async () => {
    const clock = new SleepClock();
    const pacer = new RequestPacer(clock);
    for (let i = 0; i < 61; i++) await pacer.wait();
    expect(clock.sleeps.slice(0, 3)).toEqual([2000, 2000, 2000]);
    // The 61st request waits until the first leaves the 10-minute window.
    expect(clock.now).toBe(600_000);
  });

  test("saves session bars, drops others, skips cached windows on a rerun, retries pacing errors", async () => {
    const sink = SqliteSink.open({ path: join(dir, "fetch.db") });
    await sink.migrate();
    try {
      const broker = new HistoryBroker();
      broker.pacingErrorsLeft = 1;
      const clock = new SleepClock();
      const deps = { broker, sink, clock, pacer: new RequestPacer(clock), onProgress: () => {} };
      const request = { symbol: "SPY", barSeconds: 60, fromDay: JULY_1, toDay: JULY_12 };
      const first = await fetchHistory(deps, request);
      expect(first).toEqual({ windows: 2, fetchedWindows: 2, skippedWindows: 0, savedBars: 390 * 8 + 210, droppedBars: 2 });
      expect(broker.requests.length).toBe(3);
      expect(clock.sleeps).toContain(60_000);
      const again = await fetchHistory(deps, request);
      expect(again).toMatchObject({ fetchedWindows: 0, skippedWindows: 2, savedBars: 0 });
      expect(broker.requests.length).toBe(3);
      // The cache feeds a backtest data source.
      const loaded = await loadBars(parseDataSource("cache:1m", { symbol: "SPY", zone: null, barSeconds: null }), { fromDay: "2024-07-01", toDay: "2024-07-12" }, (s, b, from, to) => sink.loadBars(s, b, from, to));
      expect(loaded.series.length).toBe(390 * 8 + 210);
      expect(loaded.description).toContain("cached 1m bars of SPY");
    } finally {
      await sink.close();
    }
  });

  test("implied vol history is cached under SYMBOL:IV and prices a backtest with --iv cache", async () => {
    const sink = SqliteSink.open({ path: join(dir, "iv.db") });
    await sink.migrate();
    try {
      const broker = new HistoryBroker();
      const clock = new SleepClock();
      const report = await fetchHistory({ broker, sink, clock, pacer: new RequestPacer(clock), onProgress: () => {} }, { symbol: "SPY", barSeconds: 3600, fromDay: JULY_1, toDay: JULY_12, what: "implied_volatility" });
      expect(broker.requests.every((request) => request.what === "implied_volatility")).toBe(true);
      expect(report.savedBars).toBeGreaterThan(0);
      expect((await sink.loadBars("SPY", 3600, 0, Number.MAX_SAFE_INTEGER)).length).toBe(0);
      const read = (s: string, b: number, from: number, to: number) => sink.loadBars(s, b, from, to);
      const bundled = parseDataSource("bundled", { symbol: "SPY", zone: null, barSeconds: null });
      const iv = await resolveIv("cache:1h", bundled, 0.2, null, { read, symbol: "SPY", sinceMs: Date.parse("2024-07-02T13:30:00Z"), untilMs: Date.parse("2024-07-12T20:00:00Z") });
      if (iv.type !== "intraday") throw new Error(`expected an intraday series, was ${iv.type}`);
      // A bar's vol is known at its end: the 13:30 bar applies from 14:30.
      expect(iv.tsMs[0]).toBe(Date.parse("2024-07-01T14:30:00Z"));
      expect(ivAt(iv, Date.parse("2024-07-08T15:00:00Z"))).toBe(0.15);
      await expect(resolveIv("cache:5m", bundled, 0.2, null, { read, symbol: "SPY", sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER })).rejects.toThrow("fetch them with gs data fetch SPY --what iv --bar 5m");
    } finally {
      await sink.close();
    }
  });

  test("a broker without history is a clear error", async () => {
    const sink = SqliteSink.open({ path: join(dir, "none.db") });
    await sink.migrate();
    try {
      const clock = new SleepClock();
      const broker = { name: "sim" as const, capabilities: { modelGreeks: true, partialFills: true, historicalBars: false } };
      await expect(fetchHistory({ broker, sink, clock, pacer: new RequestPacer(clock), onProgress: () => {} }, { symbol: "SPY", barSeconds: 60, fromDay: JULY_1, toDay: JULY_12 })).rejects.toThrow(
        "the sim broker in this build cannot fetch historical bars",
      );
    } finally {
      await sink.close();
    }
  });
});
