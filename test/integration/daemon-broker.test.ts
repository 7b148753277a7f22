// The daemon never exits because the broker is down: it waits in WAITING_BROKER with a
// heartbeat that says when it retries, retries on schedule or on retry_broker, re-reconciles
// after a lost connection, and still stops cleanly while waiting.
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { advanceUntil, createDaemon, createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon, SETTINGS, startDaemon, stopDaemon } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

describeSinks("daemon and an unreachable broker", (makeSink) => {
  test("waits in WAITING_BROKER with heartbeats and the next retry time, then runs once the broker answers", async () => {
    const sink = await makeSink();
    const market = createMarket();
    market.broker.refuseConnections(true);
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    expect(running.daemon.state).toBe("WAITING_BROKER");

    await market.clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [waiting] = await sink.readStatusCurrent(DAEMON_ID);
    expect(waiting?.state).toBe("WAITING_BROKER");
    expect(waiting?.tsMs).toBe(market.clock.nowMs());
    expect(waiting?.brokerConnected).toBe(false);
    const [failed] = (await operations(sink, ["state_change"])).filter((operation) => operation.reason === "connect_failed");
    expect(waiting?.details.nextRetryTsMs).toBe((failed?.tsMs ?? 0) + SETTINGS.retryIntervalMs);
    expect(waiting?.blockReasons.map((reason) => reason.code)).toContain("broker_not_connected");

    market.broker.refuseConnections(false);
    await market.clock.advance(SETTINGS.retryIntervalMs);
    expect(running.daemon.state).toBe("RUNNING");
    await quoteAndSettle(market);
    expect(await operations(sink, ["fill"])).toHaveLength(1);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("retry_broker retries at once", async () => {
    const sink = await makeSink();
    const market = createMarket();
    market.broker.refuseConnections(true);
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    market.broker.refuseConnections(false);
    await sink.issueControl({ daemonId: DAEMON_ID, command: "retry_broker", args: {}, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await running.daemon.whenState("RUNNING");
    expect((await operations(sink, ["control"])).map((operation) => operation.reason)).toEqual(["retrying now"]);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a lost connection sends the daemon back to WAITING_BROKER, and it reconciles again on reconnect", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    market.broker.dropConnection();
    expect(running.daemon.state).toBe("WAITING_BROKER");
    await quoteAndSettle(market);
    expect(await operations(sink, ["order_sent", "reject"])).toEqual([]);

    await market.clock.advance(SETTINGS.retryIntervalMs);
    expect(running.daemon.state).toBe("RUNNING");
    expect(await operations(sink, ["reconcile"])).toHaveLength(2);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("stops cleanly while waiting for the broker", async () => {
    const sink = await makeSink();
    const market = createMarket();
    market.broker.refuseConnections(true);
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    expect(await stopDaemon(running, market)).toBe(0);
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.state).toBe("STOPPED");
    expect(status?.details.nextRetryTsMs).toBeNull();
  });

  test("a stop requested before start finishes never arms the daemon", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const running = createDaemon(market, sink);
    const started = running.daemon.start();
    running.daemon.requestStop("test");
    await started;
    await market.clock.advance(SETTINGS.stopCancelWaitMs);
    expect(await running.daemon.stopped).toBe(0);
    expect(running.daemon.state).toBe("STOPPED");
    expect(market.broker.isConnected()).toBe(false);
  });

  test("a pause given while the broker is down takes effect when it is back", async () => {
    const sink = await makeSink();
    const market = createMarket();
    market.broker.refuseConnections(true);
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    await sink.issueControl({ daemonId: DAEMON_ID, command: "pause", args: {}, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    expect(running.daemon.state).toBe("WAITING_BROKER");
    market.broker.refuseConnections(false);
    await market.clock.advance(SETTINGS.retryIntervalMs);
    expect(running.daemon.state).toBe("PAUSED");
    await quoteAndSettle(market);
    expect(await operations(sink, ["order_sent"])).toEqual([]);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("after a reconnect, fills already seen are neither recorded twice nor taken for a mismatch", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    await quoteAndSettle(market);
    market.broker.dropConnection();
    await market.clock.advance(SETTINGS.retryIntervalMs);
    expect(running.daemon.state).toBe("RUNNING");
    const reconciles = await operations(sink, ["reconcile"]);
    expect(reconciles.map((operation) => operation.reason)).toEqual(["ok", "ok"]);
    expect(await operations(sink, ["fill"])).toHaveLength(1);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a hedge filled while the broker was unreachable reaches the book at reconnect: nothing left in flight or pending", async () => {
    const sink = await makeSink();
    const market = createMarket(undefined, undefined, { fillLatencyMs: 1_000 });
    const { running } = await runningDaemon(sink, { market });
    await quoteAndSettle(market); // the hedge is working at the venue
    const [sent] = await operations(sink, ["order_sent"]);
    if (!sent?.quantityShares) throw new Error("no hedge order was sent");
    market.broker.dropConnection();
    await market.clock.advance(1_000); // the venue fills it; gs hears nothing
    expect(running.daemon.state).toBe("WAITING_BROKER");
    await market.clock.advance(SETTINGS.retryIntervalMs);
    await advanceUntil(market, running.daemon.whenState("RUNNING"), 0); // reconciliation reads the sink
    const hedged = { hedgeState: "idle", hedgeShares: sent.side === "SELL" ? -sent.quantityShares : sent.quantityShares, pendingShares: 0 };
    expect(running.daemon.statusNow()).toMatchObject(hedged);
    await market.clock.advance(60_000); // past the order timeout and the position settle time
    const status = running.daemon.statusNow();
    expect(status).toMatchObject(hedged);
    expect(status.blockReasons.map((reason) => reason.code)).not.toContain("position_mismatch");
    expect((await operations(sink, ["fill"])).map((row) => [row.orderRef, row.quantityShares])).toEqual([[sent.orderRef, sent.quantityShares]]);
    expect(await operations(sink, ["cancel_request"])).toEqual([]);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a long outage does not flood the operations trail: one failure recorded, the attempts counted", async () => {
    const sink = await makeSink();
    const market = createMarket();
    market.broker.refuseConnections(true);
    const running = createDaemon(market, sink);
    await startDaemon(running, market);
    await market.clock.advance(SETTINGS.retryIntervalMs * 5);
    market.broker.refuseConnections(false);
    await market.clock.advance(SETTINGS.retryIntervalMs);
    expect(running.daemon.state).toBe("RUNNING");
    const changes = await operations(sink, ["state_change"]);
    expect(changes.filter((operation) => operation.reason === "connect_failed")).toHaveLength(1);
    expect(changes.find((operation) => operation.reason === "connected")?.payload?.failedAttempts).toBe(6);
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.state).toBe("RUNNING");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  // The order was listed as working; it fills before the executions are listed (in them) or after (reported live only).
  test.each(["executionsSince", "positions"] as const)("this run's order filling while the reconnect reconciles (before %s answers) counts once: no false mismatch", async (query) => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    market.broker.scriptNextOrder({ type: "hold" });
    await quoteAndSettle(market);
    const [working] = await market.broker.openOrders();
    if (!working) throw new Error("the hedge order is not working at the venue");
    market.broker.dropConnection();
    market.broker.beforeNextAnswer(query, () => market.broker.fillWorkingOrder(working.orderRef));
    await market.clock.advance(SETTINGS.retryIntervalMs + 1_000);
    await advanceUntil(market, running.daemon.whenState("RUNNING"), 0); // the live fill makes it read the sink
    const [, reconnect] = await operations(sink, ["reconcile"]);
    expect(reconnect?.reason).toBe("ok");
    expect(reconnect?.payload).toMatchObject({ brokerStockShares: -working.quantityShares, expectedHedgeShares: -working.quantityShares, recordedMissingExecIds: [] });
    expect(await operations(sink, ["fill"])).toHaveLength(1);
    expect(running.daemon.statusNow().hedgeShares).toBe(-working.quantityShares);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("stopped while the broker is down with an order working, the daemon warns that it could not cancel it", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    market.broker.scriptNextOrder({ type: "hold" });
    await quoteAndSettle(market);
    const [sent] = await operations(sink, ["order_sent"]);
    market.broker.refuseConnections(true);
    market.broker.dropConnection();
    expect(running.daemon.state).toBe("WAITING_BROKER");
    expect(await stopDaemon(running, market)).toBe(0);
    const warning = running.log.find((line) => line.includes("could not be asked to cancel"));
    expect(warning).toContain("level=warn");
    expect(warning).toContain(String(sent?.orderRef));
  });
});
