// A restart is not a reset: daily hedge counts and the cooldown survive it (daily_state),
// order refs stay unique, and a stock position nobody can explain blocks trading (red lamp).
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import type { GsConfig } from "../../src/config/schema.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { Market, RunningDaemon } from "./daemon-harness.ts";
import {
  advanceUntil,
  createDaemon,
  createMarket,
  DAEMON_ID,
  operations,
  quoteAndSettle,
  runningDaemon,
  SETTINGS,
  SPOT,
  stopDaemon,
  testConfig,
  untilWaitingForTwin,
  writeLiveTwinHeartbeat,
} from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

/** A first daemon run that hedges once and stops; the market (and its account) lives on. */
async function hedgeOnceAndStop(sink: Sink, config?: GsConfig): Promise<Market> {
  const { market, running } = await runningDaemon(sink, config ? { config } : {});
  await quoteAndSettle(market);
  expect(await stopDaemon(running, market)).toBe(0);
  return market;
}

/** A second daemon started while a live twin holds the id: it waits in IDLE. */
async function startedBehindTwin(sink: Sink, market: Market, config?: GsConfig): Promise<{ second: RunningDaemon; started: Promise<void> }> {
  await writeLiveTwinHeartbeat(sink, market);
  const second = createDaemon(market, sink, config ? { config } : {});
  const started = second.daemon.start();
  await untilWaitingForTwin(second);
  return { second, started };
}

describeSinks("daemon restart", (makeSink) => {
  test("keeps the daily hedge count and the cooldown across a restart", async () => {
    const sink = await makeSink();
    const market = await hedgeOnceAndStop(sink);

    const { running: second } = await runningDaemon(sink, { market });
    await sink.flush();
    const [restarted] = await sink.readStatusCurrent(DAEMON_ID);
    expect(restarted?.dailyHedgeCount).toBe(1);
    expect(restarted?.blockReasons).toEqual([]);

    // A 1 % move wants a hedge, but the last hedge was < 60 s ago (before the restart).
    await quoteAndSettle(market, SPOT * 1.01);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    await market.clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [cooling] = await sink.readStatusCurrent(DAEMON_ID);
    expect(cooling?.details.lastDecision).toMatchObject({ type: "deny", code: "cooldown" });

    await market.clock.advance(60_000);
    await quoteAndSettle(market, SPOT * 1.01);
    const sent = await operations(sink, ["order_sent"]);
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((operation) => operation.orderRef)).size).toBe(2);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("keeps the day's PnL baselines: after a mid-day restart the breaker sees the whole day's option loss", async () => {
    const sink = await makeSink();
    const market = await hedgeOnceAndStop(sink);
    const tradingDay = "2024-03-26";
    const saved = await sink.loadDailyState(DAEMON_ID, tradingDay);
    const baselines = saved?.pnlMarks?.legBaselines ?? [];
    expect(baselines).toHaveLength(2);
    expect(saved?.pnlMarks?.hedgeOpenValueUsd).not.toBeNull();

    market.broker.pushPrice(SPOT * 0.995); // the straddle loses value while gs is down
    const { running: second } = await runningDaemon(sink, { market });
    await quoteAndSettle(market, SPOT * 0.995);
    await market.clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    // Measured from the first run's opening marks, not from the restart's first mark (0).
    const baselineOf = new Map(baselines.map((leg) => [leg.contractKey, leg.baselinePriceUsd]));
    const optionPnlNow = (second.daemon.statusNow().details.legs ?? []).reduce((sum, leg) => sum + ((leg.price ?? 0) - (baselineOf.get(leg.contractKey) ?? Number.NaN)) * leg.quantity * leg.multiplier, 0);
    expect(status?.details.optionMtmPnlUsd).toBeCloseTo(optionPnlNow, 0);
    expect(Math.abs(status?.details.optionMtmPnlUsd ?? 0)).toBeGreaterThan(1);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("keeps max hedges per day across a restart", async () => {
    const sink = await makeSink();
    const base = testConfig();
    const config = { ...base, guards: { ...base.guards, max_daily_hedges: 1 } };
    const market = await hedgeOnceAndStop(sink, config);

    const { running: second } = await runningDaemon(sink, { market, config });
    await market.clock.advance(120_000);
    await quoteAndSettle(market, SPOT * 1.01);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    await market.clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.details.lastDecision).toMatchObject({ type: "deny", code: "max_daily_hedges" });
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("an unexplained stock position found at restart is a hard block, not a guess", async () => {
    const sink = await makeSink();
    const market = await hedgeOnceAndStop(sink);

    // Someone trades the account by hand while gs is down.
    await market.broker.connect();
    market.broker.placeOrder({ orderRef: "manual-1", symbol: "SPY", side: "BUY", quantityShares: 300, orderType: "market" });
    await market.clock.advance(100);

    const { running: second } = await runningDaemon(sink, { market });
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.details.hardBlock).toBe(true);
    expect(status?.blockReasons.map((reason) => reason.code)).toContain("hard_block");
    const [reconcile] = (await operations(sink, ["reconcile"])).slice(-1);
    expect(reconcile?.reason).toBe("mismatch");
    await quoteAndSettle(market, SPOT * 1.02);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("reconciliation records fills it missed and cancels working orders of a previous run", async () => {
    const sink = await makeSink();
    const market = await hedgeOnceAndStop(sink);
    // While gs is down, an order of an earlier (crashed) run fills and another is still working.
    await market.broker.connect();
    const missedRef = `gs:${DAEMON_ID}:SPY:crashed.1`;
    const workingRef = `gs:${DAEMON_ID}:SPY:crashed.2`;
    market.broker.placeOrder({ orderRef: missedRef, symbol: "SPY", side: "SELL", quantityShares: 10, orderType: "market" });
    await market.clock.advance(100);
    market.broker.scriptNextOrder({ type: "hold" });
    market.broker.placeOrder({ orderRef: workingRef, symbol: "SPY", side: "SELL", quantityShares: 10, orderType: "market" });
    await market.clock.advance(100);

    const second = createDaemon(market, sink);
    await advanceUntil(market, second.daemon.start(), 100); // the venue confirms the old order's cancel
    expect(second.daemon.state).toBe("RUNNING");
    const recorded = await operations(sink, ["fill"]);
    expect(recorded.at(-1)).toMatchObject({ orderRef: missedRef, quantityShares: 10, side: "SELL" });
    expect(recorded.at(-1)?.reason).toStartWith("reconcile:");
    const cancels = await operations(sink, ["cancel_request"]);
    expect(cancels.map((operation) => operation.orderRef)).toEqual([workingRef]);
    expect((await market.broker.openOrders()).map((order) => order.orderRef)).toEqual([]);
    // The missed fill explains the position: no hard block.
    const [reconcile] = (await operations(sink, ["reconcile"])).slice(-1);
    expect(reconcile?.reason).toBe("ok");
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("an earlier run's order filling while the start waits for its cancel counts once: no false mismatch", async () => {
    const sink = await makeSink();
    const market = createMarket(undefined, undefined, { cancelLatencyMs: 1_000 });
    const { running: first } = await runningDaemon(sink, { market });
    await quoteAndSettle(market);
    expect(await stopDaemon(first, market)).toBe(0);
    await market.broker.connect();
    const hedged = (await market.broker.positions()).find((position) => position.contract.secType === "STK")?.quantity ?? 0;
    // An order of an earlier (crashed) run still works at the venue when the next run starts.
    const workingRef = `gs:${DAEMON_ID}:SPY:crashed.1`;
    market.broker.scriptNextOrder({ type: "hold" });
    market.broker.placeOrder({ orderRef: workingRef, symbol: "SPY", side: "SELL", quantityShares: 10, orderType: "market" });
    await market.clock.advance(100);

    // The start lists it and asks for its cancel; before the next look at the open orders it fills (reported live).
    market.broker.beforeNextAnswer("openOrders", () => market.broker.beforeNextAnswer("openOrders", () => market.broker.fillWorkingOrder(workingRef)));
    const second = createDaemon(market, sink);
    await advanceUntil(market, second.daemon.start(), 100);
    expect(second.daemon.state).toBe("RUNNING");
    const [reconcile] = (await operations(sink, ["reconcile"])).slice(-1);
    expect(reconcile?.reason).toBe("ok");
    expect(reconcile?.payload).toMatchObject({ brokerStockShares: hedged - 10, expectedHedgeShares: hedged - 10, liveExecIds: [expect.any(String)] });
    expect((await operations(sink, ["fill"])).filter((fill) => fill.orderRef === workingRef)).toHaveLength(1);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("a second daemon with the same id waits while the first one is alive", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const { second, started } = await startedBehindTwin(sink, market);
    await market.clock.advance(SETTINGS.heartbeatMs);
    expect(second.daemon.state).toBe("IDLE");
    // Its heartbeat has stopped: after three intervals the id is free.
    await advanceUntil(market, started, 1_000);
    expect(second.daemon.state).toBe("RUNNING");
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("the day's counters are read once the twin is gone: what it persisted while the new daemon waited counts", async () => {
    const sink = await makeSink();
    const base = testConfig();
    const config = { ...base, guards: { ...base.guards, max_daily_hedges: 1 } };
    const market = createMarket(config);
    const { second, started } = await startedBehindTwin(sink, market, config);
    // Still alive, the twin hedges (the day's one hedge) and its breaker trips; it persists that, then dies.
    sink.writeDailyState({
      daemonId: DAEMON_ID, tradingDay: "2024-03-26", hedgeCount: 1, realizedPnlUsd: -5_000, commissionsUsd: 10,
      lastHedgeTsMs: market.clock.nowMs() - 120_000, lastHedgePrice: SPOT, circuitBreakerTripped: true,
      pnlMarks: null, updatedAtMs: market.clock.nowMs(),
    });
    await writeLiveTwinHeartbeat(sink, market);

    await advanceUntil(market, started, 1_000);
    expect(second.daemon.state).toBe("RUNNING");
    expect(second.daemon.statusNow().dailyHedgeCount).toBe(1);
    await market.clock.advance(120_000);
    await quoteAndSettle(market);
    expect(await operations(sink, ["order_sent"])).toEqual([]);
    expect((await sink.loadDailyState(DAEMON_ID, "2024-03-26"))?.circuitBreakerTripped).toBe(true);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("a daemon stopped while a live twin holds the id leaves the twin's status row alone", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const { second, started } = await startedBehindTwin(sink, market);
    second.daemon.requestStop("operator stops the accidental second daemon");
    expect(await advanceUntil(market, second.daemon.stopped, 0)).toBe(0);
    await advanceUntil(market, started, 1_000);
    await sink.flush();
    const [row] = await sink.readStatusCurrent(DAEMON_ID);
    expect(row?.state).toBe("RUNNING");
    expect(row?.details.pid).toBe(999_999);
    expect(await operations(sink)).toEqual([]);
  });
});
