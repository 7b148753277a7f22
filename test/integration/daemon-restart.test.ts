// A restart is not a reset: daily hedge counts and the cooldown survive it (daily_state),
// order refs stay unique, and a stock position nobody can explain blocks trading (red lamp).
import { expect, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { createDaemon, createMarket, DAEMON_ID, operations, SETTINGS, SPOT, startDaemon, stopDaemon, testConfig } from "./daemon-harness.ts";

describeSinks("daemon restart", (makeSink) => {
  test("keeps the daily hedge count and the cooldown across a restart", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const first = createDaemon(market, sink);
    await startDaemon(first, market);
    market.broker.pushPrice(SPOT);
    await market.clock.advance(100);
    expect(await stopDaemon(first, market)).toBe(0);

    const second = createDaemon(market, sink);
    await startDaemon(second, market);
    await sink.flush();
    const [restarted] = await sink.readStatusCurrent(DAEMON_ID);
    expect(restarted?.dailyHedgeCount).toBe(1);
    expect(restarted?.blockReasons).toEqual([]);

    // A 1 % move wants a hedge, but the last hedge was < 60 s ago (before the restart).
    market.broker.pushPrice(SPOT * 1.01);
    await market.clock.advance(100);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    await market.clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [cooling] = await sink.readStatusCurrent(DAEMON_ID);
    expect(cooling?.details.lastDecision).toMatchObject({ type: "deny", code: "cooldown" });

    await market.clock.advance(60_000);
    market.broker.pushPrice(SPOT * 1.01);
    await market.clock.advance(100);
    const sent = await operations(sink, ["order_sent"]);
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((operation) => operation.orderRef)).size).toBe(2);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("keeps max hedges per day across a restart", async () => {
    const sink = await makeSink();
    const base = testConfig();
    const config = { ...base, guards: { ...base.guards, max_daily_hedges: 1 } };
    const market = createMarket(config);
    const first = createDaemon(market, sink, { config });
    await startDaemon(first, market);
    market.broker.pushPrice(SPOT);
    await market.clock.advance(100);
    expect(await stopDaemon(first, market)).toBe(0);

    const second = createDaemon(market, sink, { config });
    await startDaemon(second, market);
    await market.clock.advance(120_000);
    market.broker.pushPrice(SPOT * 1.01);
    await market.clock.advance(100);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    await market.clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.details.lastDecision).toMatchObject({ type: "deny", code: "max_daily_hedges" });
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("an unexplained stock position found at restart is a hard block, not a guess", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const first = createDaemon(market, sink);
    await startDaemon(first, market);
    market.broker.pushPrice(SPOT);
    await market.clock.advance(100);
    expect(await stopDaemon(first, market)).toBe(0);

    // Someone trades the account by hand while gs is down.
    await market.broker.connect();
    market.broker.placeOrder({ orderRef: "manual-1", symbol: "SPY", side: "BUY", quantityShares: 300, orderType: "market" });
    await market.clock.advance(100);

    const second = createDaemon(market, sink);
    await startDaemon(second, market);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.details.hardBlock).toBe(true);
    expect(status?.blockReasons.map((reason) => reason.code)).toContain("hard_block");
    const [reconcile] = (await operations(sink, ["reconcile"])).slice(-1);
    expect(reconcile?.reason).toBe("mismatch");
    market.broker.pushPrice(SPOT * 1.02);
    await market.clock.advance(100);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    expect(await stopDaemon(second, market)).toBe(0);
  });
});
