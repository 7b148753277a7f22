// The daemon with broker = ib: the real IB adapter and @stoqey/ib client against the fake
// TWS over loopback, on both sinks (scenes in ib-daemon-harness.ts).
import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../support/fake-clock.ts";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, operations, SESSION_START_MS, SETTINGS, SPOT, testConfig } from "./daemon-harness.ts";
import { closeScenes, createIbDaemon, hedgingScene, inState, quote, setStraddleDelta, startTws, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

describeSinks("daemon with broker = ib against the fake TWS", (makeSink) => {
  test("WAITING_BROKER while TWS is down, RUNNING once it is up; a hedge fills at the execution price", async () => {
    const sink = await makeSink();
    const { tws, call, put } = await startTws();
    const port = tws.port;
    await tws.stop();
    const clock = new FakeClock(SESSION_START_MS);
    const running = createIbDaemon(tws, clock, sink);
    const started = running.daemon.start();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER");
    await started;
    await clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [waiting] = await sink.readStatusCurrent(DAEMON_ID);
    expect(waiting?.state).toBe("WAITING_BROKER");
    expect(waiting?.brokerConnected).toBe(false);
    expect(waiting?.details.nextRetryTsMs).not.toBeNull();

    await tws.start(port);
    quote(tws, SPOT);
    setStraddleDelta(tws, call, put, SPOT, 240);
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING");
    await until(clock, () => tws.requestsOf("place_order").length > 0, "a hedge order");
    const [order] = tws.requestsOf("place_order").map((r) => r.request);
    // The straddle is net long delta: the hedge sells stock, and the fill is the execution TWS reported.
    expect(order?.action).toBe("SELL");
    const shares = order?.totalQuantity ?? 0;
    expect(shares).toBeGreaterThan(0);
    expect(order?.orderRef.startsWith(`gs:${DAEMON_ID}:`)).toBe(true);
    await until(clock, async () => (await operations(sink, ["fill"])).length === 1, "the fill recorded");
    const [fill] = await operations(sink, ["fill"]);
    expect(fill).toMatchObject({ orderRef: order?.orderRef, quantityShares: shares, price: SPOT - 0.01 });
    expect(fill?.commissionUsd).toBeCloseTo(shares * 0.005, 6);
    expect(fill?.execId).toBe(tws.account.executions()[0]?.execId ?? "missing");
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("restart with an unacknowledged order: the old order is cancelled, its fill recorded once, never sent again", async () => {
    // Heartbeats of 100 ms: the dead run's claim lapses (three of them, database clock) in real time.
    const config = testConfig();
    const { sink, tws, clock: clock1, running: first } = await hedgingScene(makeSink, { type: "work" }, undefined, { ...config, status: { ...config.status, heartbeat_s: 0.1 } });
    await until(clock1, () => tws.requestsOf("place_order").length > 0, "the first hedge order");
    const [lost] = tws.requestsOf("place_order").map((r) => r.request);
    if (!lost) throw new Error("no order");
    await clock1.advance(SETTINGS.heartbeatMs); // a status row exists, as after any real run
    await sink.flush();
    await first.broker.disconnect(); // gs dies: the order stays working at TWS, no fill seen
    await Bun.sleep(500); // its claim lapses: a restart (even with its host and pid) waits for that

    const filledWhileDown = Math.floor(lost.totalQuantity / 2);
    tws.fillOrder(lost.orderId, filledWhileDown, SPOT - 0.02, 0.4);
    const clock2 = new FakeClock(SESSION_START_MS + 60_000);
    const second = createIbDaemon(tws, clock2, sink);
    const started = second.daemon.start();
    await until(clock2, () => second.daemon.state === "RUNNING", "RUNNING after reconciliation", 200);
    await started;

    expect(tws.requestsOf("cancel_order").map((r) => r.request.orderId)).toEqual([lost.orderId]);
    expect(tws.account.order(lost.orderId)?.status).toBe("Cancelled");
    expect(tws.requestsOf("place_order").filter((r) => r.request.orderRef === lost.orderRef)).toHaveLength(1);
    const fills = await operations(sink, ["fill", "partial_fill"]);
    expect(fills.map((f) => [f.orderRef, f.quantityShares, f.price])).toEqual([[lost.orderRef, filledWhileDown, SPOT - 0.02]]);
    expect(fills[0]?.reason).toContain("reconcile");
    const [reconciled] = (await operations(sink, ["reconcile"])).slice(-1);
    expect(reconciled?.reason).toBe("ok");
    // Hedging resumes from fresh data (the price moved past min_price_move_pct), under a new orderRef.
    quote(tws, SPOT * 1.005);
    await until(clock2, () => tws.requestsOf("place_order").length === 2, "a fresh hedge", 1_000);
    const fresh = tws.requestsOf("place_order")[1]?.request;
    expect(fresh?.orderRef).not.toBe(lost.orderRef);
    expect(fresh?.action).toBe("SELL");
    expect(tws.requestsOf("place_order").filter((r) => r.request.orderRef === lost.orderRef)).toHaveLength(1);
    expect(await stopAndWait(second, clock2)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("SIGTERM with a working order: the order is cancelled before the daemon stops", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const working = await workingHedge(scene);
    running.daemon.requestStop("SIGTERM");
    await until(clock, () => running.daemon.state === "STOPPED", "STOPPED", 100);
    expect(await running.daemon.stopped).toBe(0);
    expect(tws.requestsOf("cancel_order").map((r) => r.request.orderId)).toEqual([working.orderId]);
    expect(tws.workingOrders()).toEqual([]);
    expect((await operations(sink, ["cancel_request"])).map((o) => o.orderRef)).toEqual([working.orderRef]);
  }, TEST_TIMEOUT_MS);

  test("1100 during a hedge: no order while TWS is cut off; 1101 renews market data and a fresh hedge follows", async () => {
    const { sink, tws, call, put, clock, running } = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 });
    await until(clock, async () => (await operations(sink, ["fill"])).length === 1, "the first hedge filled");

    tws.connectivityLost();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after 1100");
    const ordersBefore = tws.requestsOf("place_order").length;
    const requestsBefore = tws.requests.length;
    // The market moves while TWS is cut off: net delta 800 - 240 hedged is past forced_delta
    // (500), so the fresh hedge goes out inside the cooldown of the first one.
    setStraddleDelta(tws, call, put, SPOT + 2, 800);
    quote(tws, SPOT + 2);
    await clock.advance(SETTINGS.retryIntervalMs); // a scheduled retry while TWS is still cut off
    await Bun.sleep(50);
    await clock.advance(0);
    expect(running.daemon.state).toBe("WAITING_BROKER");
    expect(tws.requestsOf("place_order").length).toBe(ordersBefore);

    tws.connectivityRestored(true);
    await until(clock, inState(running, "RUNNING"), "RUNNING after 1101");
    const renewed = tws.requests.slice(requestsBefore).filter((e) => e.request.type === "req_mkt_data");
    expect(renewed.length).toBeGreaterThanOrEqual(3); // the stock and both legs, under fresh request ids
    quote(tws, SPOT + 2.01);
    await until(clock, () => tws.requestsOf("place_order").length > ordersBefore, "a fresh hedge", 100);
    expect(tws.requestsOf("place_order")[ordersBefore]?.request.action).toBe("SELL");
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("client id in use (326): the daemon runs on the next id and its status says which", async () => {
    const { sink, clock, running } = await hedgingScene(makeSink, { type: "work" }, (tws) => tws.clientIdsInUse.add(11));
    await until(clock, inState(running, "RUNNING"), "RUNNING");
    await clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.details).toMatchObject({ brokerName: "ib", brokerClientId: 12, brokerServerVersion: 193 });
    expect(running.log.some((line) => line.includes("connected as client id 12"))).toBe(true);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a hedge filled in two executions is recorded as a partial then a full fill at TWS's prices and commissions", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const order = await workingHedge(scene);
    const first = Math.floor(order.totalQuantity / 3);
    tws.fillOrder(order.orderId, first, SPOT - 0.01, 1.0);
    tws.fillOrder(order.orderId, order.totalQuantity - first, SPOT - 0.03, 1.25);
    await until(clock, async () => (await operations(sink, ["fill"])).length === 1, "the full fill recorded");
    const fills = await operations(sink, ["partial_fill", "fill"]);
    expect(fills.map((f) => [f.type, f.orderRef, f.quantityShares, f.price, f.commissionUsd])).toEqual([
      ["partial_fill", order.orderRef, first, SPOT - 0.01, 1.0],
      ["fill", order.orderRef, order.totalQuantity - first, SPOT - 0.03, 1.25],
    ]);
    expect(new Set(fills.map((f) => f.execId)).size).toBe(2);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a rejected hedge (201) is recorded with TWS's reason and nothing is counted as filled", async () => {
    const { sink, tws, clock, running } = await hedgingScene(makeSink, { type: "reject", message: "Order rejected - reason: no trading permissions" });
    await until(clock, async () => (await operations(sink, ["reject"])).length >= 1, "the reject recorded");
    const [reject] = await operations(sink, ["reject"]);
    expect(reject?.orderRef).toBe(tws.requestsOf("place_order")[0]?.request.orderRef ?? "missing");
    expect(reject?.reason).toContain("201 Order rejected - reason: no trading permissions");
    expect(await operations(sink, ["fill", "partial_fill"])).toEqual([]);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("socket drop with a hedge working: WAITING_BROKER; after reconnecting this run's order stays followed (not cancelled as a previous run's), never resent, and its timeout cancels it", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const working = await workingHedge(scene);
    tws.dropConnections();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
    quote(tws, SPOT + 0.5);
    await clock.advance(1_000);
    expect(tws.requestsOf("place_order")).toHaveLength(1);

    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING after reconnecting", 200);
    expect(tws.workingOrders().map((order) => order.orderRef)).toEqual([working.orderRef]);
    expect(await operations(sink, ["cancel_request"])).toEqual([]);
    await until(clock, () => tws.account.order(working.orderId)?.status === "Cancelled", "the order timeout cancels it", 5_000);
    expect(tws.requestsOf("place_order").filter((r) => r.request.orderRef === working.orderRef)).toHaveLength(1);
    expect((await operations(sink, ["cancel_request"])).map((o) => [o.orderRef, o.reason])).toEqual([[working.orderRef, "order_timeout"]]);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
