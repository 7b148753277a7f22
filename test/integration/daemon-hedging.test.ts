// The daemon on the sim broker with a real sink (SQLite and PostgreSQL): status rows,
// the operations trail of a hedge, partial fills, rejects and order timeouts.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { quoteAround } from "../../src/broker/sim/sim-fills.ts";
import { consoleDaemonLog } from "../../src/daemon/daemon-log.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { testSimBroker } from "../support/sim-broker.ts";
import { describeSinks } from "../support/sinks.ts";
import { createDaemon, createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon, SESSION_START_MS, SETTINGS, SPOT, startDaemon, stopDaemon } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

describeSinks("daemon hedging", (makeSink) => {
  test("status_current is written on entering RUNNING and then on every heartbeat", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    expect(running.daemon.state).toBe("RUNNING");
    await sink.flush();
    const [first] = await sink.readStatusCurrent(DAEMON_ID);
    expect(first?.state).toBe("RUNNING");
    expect(first?.tsMs).toBe(market.clock.nowMs());

    await market.clock.advance(SETTINGS.heartbeatMs * 3);
    await sink.flush();
    const [later] = await sink.readStatusCurrent(DAEMON_ID);
    // Heartbeat age: the newest row is never older than one heartbeat interval.
    expect(market.clock.nowMs() - (later?.tsMs ?? 0)).toBeLessThanOrEqual(SETTINGS.heartbeatMs);
    expect(later?.tsMs).toBeGreaterThan(first?.tsMs ?? Number.POSITIVE_INFINITY);
    expect(later?.spot).toBe(SPOT);
    expect(later?.legsCount).toBe(2);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a hedge is recorded as intent, sent, ack and fill with the execution price and commission", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    await quoteAndSettle(market);

    const trail = await operations(sink, ["hedge_intent", "order_sent", "order_ack", "fill"]);
    expect(trail.map((operation) => operation.type)).toEqual(["hedge_intent", "order_sent", "order_ack", "fill"]);
    const orderRefs = new Set(trail.map((operation) => operation.orderRef));
    expect(orderRefs.size).toBe(1);
    expect([...orderRefs][0]).toMatch(new RegExp(`^gs:${DAEMON_ID}:SPY:[0-9a-z]+\\.1$`));
    const [intent, , , fill] = trail;
    // A long ATM straddle has positive delta: the hedge sells stock.
    expect(intent?.side).toBe("SELL");
    expect(fill?.side).toBe("SELL");
    expect(fill?.quantityShares).toBe(intent?.quantityShares ?? -1);
    expect(fill?.price).toBe(quoteAround(SPOT, 1).bid);
    expect(fill?.commissionUsd).toBe(1);
    expect(fill?.execId).not.toBeNull();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.hedgeShares).toBe(-(intent?.quantityShares ?? 0));
    expect(status?.dailyHedgeCount).toBe(1);
    expect(Math.abs(status?.portfolioDeltaShares ?? 99)).toBeLessThan(10);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a partial fill that times out is cancelled, and the rest is hedged again", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    market.broker.scriptNextOrder({ type: "partial", fillShares: 40 });
    await quoteAndSettle(market);
    expect((await operations(sink, ["partial_fill"])).map((operation) => operation.quantityShares)).toEqual([40]);

    await market.clock.advance(31_000); // order_timeout_s = 30: cancel requested
    // Past the 60 s cooldown and the 0.2 % minimum move, the residual delta is hedged again.
    await market.clock.advance(30_000);
    await quoteAndSettle(market, SPOT * 1.003);
    const types = (await operations(sink)).map((operation) => operation.type);
    const cancelRequest = types.indexOf("cancel_request");
    expect(cancelRequest).toBeGreaterThan(types.indexOf("partial_fill"));
    expect(types.indexOf("cancel")).toBeGreaterThan(cancelRequest);
    const fills = await operations(sink, ["fill", "partial_fill"]);
    const soldShares = fills.reduce((sum, operation) => sum + (operation.quantityShares ?? 0), 0);
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.hedgeShares).toBe(-soldShares);
    expect(fills.length).toBe(2);
    expect(Math.abs(status?.portfolioDeltaShares ?? 99)).toBeLessThan(10);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a commission report that comes late: the fill is recorded without it, then the commission on its own", async () => {
    const sink = await makeSink();
    const clock = new FakeClock(SESSION_START_MS);
    const market = createMarket(undefined, clock, { commissionLatencyMs: 12_000 });
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    await quoteAndSettle(market);
    await market.clock.advance(SETTINGS.heartbeatMs * 2); // past the 5 s grace: recorded without commission
    const [fill] = await operations(sink, ["fill"]);
    expect(fill?.commissionUsd).toBeNull();
    expect(fill?.reason).toBe("commission_not_reported");
    await market.clock.advance(SETTINGS.heartbeatMs);
    const [late] = await operations(sink, ["commission"]);
    expect(late?.commissionUsd).toBe(1);
    expect(late?.reason).toBe(`late commission for ${fill?.execId}`);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.details.dailyCommissionsUsd).toBe(1);
    // What the operator reads next to it: the breaker's number and its limit (the config's default).
    expect(typeof status?.details.dailyPnlUsd).toBe("number");
    expect(status?.details.dailyLossLimitUsd).toBe(5000);
    expect(status?.details.sinkFailedWrites).toBe(0);
    expect(typeof status?.details.sinkQueueDepth).toBe("number");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("an order the broker refuses to take is recorded as a reject; the delta is hedged after the cooldown", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    market.broker.scriptNextOrder({ type: "refuse_send", reason: "rate limit exceeded" });
    await quoteAndSettle(market);
    const [reject] = await operations(sink, ["reject"]);
    expect(reject?.reason).toBe("send_failed: rate limit exceeded");
    expect(await operations(sink, ["order_sent"])).toEqual([]);
    // The attempt counts for the cooldown and minimum move (a refusing broker is not hammered).
    await market.clock.advance(61_000);
    await quoteAndSettle(market, SPOT * 1.003);
    expect(await operations(sink, ["fill"])).toHaveLength(1);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a rejected order is recorded with the broker's reason and nothing is filled", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    market.broker.scriptNextOrder({ type: "reject", reason: "201 Order rejected - no shortable shares" });
    await quoteAndSettle(market);
    const rejects = await operations(sink, ["reject"]);
    expect(rejects.map((operation) => operation.reason)).toEqual(["201 Order rejected - no shortable shares"]);
    expect(await operations(sink, ["fill"])).toEqual([]);
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.hedgeShares).toBe(0);
    expect(status?.pendingShares).toBe(0);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("with no price yet, entering RUNNING still writes a minimal status row", async () => {
    const sink = await makeSink();
    const clock = new FakeClock(SESSION_START_MS);
    const market = { clock, broker: testSimBroker(clock) }; // a venue that has not quoted yet
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    expect(running.daemon.state).toBe("RUNNING");
    await sink.flush();
    const [row] = await sink.readStatusCurrent(DAEMON_ID);
    expect(row).toMatchObject({ state: "RUNNING", spot: null, portfolioDeltaShares: null, legsCount: 0, brokerConnected: true });
    expect(await stopDaemon(running, market)).toBe(0);
  });
});

describe("daemon console lines", () => {
  test("text lines start with [Daemon] state=; json lines are one object each", () => {
    const text: string[] = [];
    consoleDaemonLog("text", "info", (line) => text.push(line)).log("info", "RUNNING", "hedge SELL 75 SPY", { orderRef: "gs:a:SPY:1.1", spot: 521 });
    expect(text).toEqual(["[Daemon] state=RUNNING hedge SELL 75 SPY orderRef=gs:a:SPY:1.1 spot=521"]);
    const json: string[] = [];
    const log = consoleDaemonLog("json", "info", (line) => json.push(line));
    log.log("debug", "RUNNING", "not shown below the level");
    log.log("warn", "WAITING_BROKER", "broker unreachable", { nextRetryInS: 15 });
    expect(json).toHaveLength(1);
    expect(JSON.parse(json[0] ?? "")).toMatchObject({ level: "warn", component: "daemon", state: "WAITING_BROKER", message: "broker unreachable", nextRetryInS: 15 });
  });
});
