// The daemon with broker = ib: the real IB adapter and @stoqey/ib client against the fake
// TWS over loopback, on both sinks. Daemon timers run on a fake clock (market time is a
// regular session); socket I/O is real, so the tests wait for it by polling.
import { afterEach, expect, test } from "bun:test";
import { IbBroker } from "../../src/broker/ib/ib-broker.ts";
import type { GsConfig } from "../../src/config/schema.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import type { DaemonLifecycleState } from "../../src/core/daemon-fsm.ts";
import { memoryDaemonLog } from "../../src/daemon/daemon-log.ts";
import { hedgerParamsFromConfig } from "../../src/daemon/hedger-params-from-config.ts";
import type { Sink } from "../../src/sink/port.ts";
import { FakeTws } from "../fake-tws/index.ts";
import type { FakeContract, FakeOrderView } from "../fake-tws/index.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, operations, SESSION_START_MS, SETTINGS, SPOT, testConfig } from "./daemon-harness.ts";

const EXPIRY = "20240423"; // 28 days after SESSION_START_MS
const STRIKE = 521;
const LEGS = 10;
/** Real time any single wait may take; each test has its own budget above it. */
const UNTIL_MS = 4_000;
const TEST_TIMEOUT_MS = 20_000;

interface IbDaemon {
  readonly daemon: Daemon;
  readonly broker: IbBroker;
  readonly log: string[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startTws(): Promise<{ tws: FakeTws; call: FakeContract; put: FakeContract }> {
  const tws = new FakeTws();
  await tws.start(0);
  cleanups.push(async () => {
    await tws.stop();
    expect(tws.protocolErrors).toEqual([]);
  });
  const call = tws.optionContract("SPY", EXPIRY, STRIKE, "C");
  const put = tws.optionContract("SPY", EXPIRY, STRIKE, "P");
  tws.setPosition(call, LEGS, 1_150);
  tws.setPosition(put, LEGS, 1_080);
  tws.orderPolicy = { type: "fill", commissionPerShare: 0.005 };
  return { tws, call, put };
}

/** Greeks making the straddle net long `deltaShares` shares. */
function setStraddleDelta(tws: FakeTws, call: FakeContract, put: FakeContract, spot: number, deltaShares: number): void {
  const perLeg = deltaShares / (LEGS * 100);
  const common = { impliedVol: 0.15, gamma: 0.02, vega: 0.6, theta: -0.2, underlyingPrice: spot };
  tws.setGreeks(call, { ...common, delta: 0.5 + perLeg / 2, optionPrice: 11.5 });
  tws.setGreeks(put, { ...common, delta: -0.5 + perLeg / 2, optionPrice: 10.8 });
}

function quote(tws: FakeTws, spot: number): void {
  tws.setQuote("SPY", { bid: spot - 0.01, ask: spot + 0.01, last: spot });
}

function createIbDaemon(tws: FakeTws, clock: FakeClock, sink: Sink, config: GsConfig = testConfig()): IbDaemon {
  const log: string[] = [];
  const broker = new IbBroker({
    host: "127.0.0.1", port: tws.port, clientId: 11, clientIdMaxTries: 3, connectTimeoutMs: 2_000, requestTimeoutMs: 2_000,
    account: "", marketDataType: "live", exchange: "SMART", currency: "USD", maxRequestsPerSecond: 1_000,
    log: (level, message) => void log.push(`${level} ib: ${message}`), now: () => clock.nowMs(),
  });
  const daemon = new Daemon({
    daemonId: DAEMON_ID, broker, sink, hedger: new Hedger(hedgerParamsFromConfig(config)), wallClock: clock, marketClock: clock,
    log: memoryDaemonLog(log), settings: { ...SETTINGS, controlFile: null }, configHash: "test-config-hash", version: "test", pid: 4242,
  });
  cleanups.push(async () => {
    await broker.disconnect();
    // The real client reports a message it cannot decode as 505; the fake must never cause one.
    expect(log.filter((line) => line.includes("(505)"))).toEqual([]);
  });
  return { daemon, broker, log };
}

/** Lets real socket I/O and fake-clock timers run until `done` holds (or fails after 5 s of real time). */
async function until(clock: FakeClock, done: () => boolean | Promise<boolean>, what: string, stepMs = 0): Promise<void> {
  const deadline = Date.now() + UNTIL_MS;
  while (Date.now() < deadline) {
    await clock.advance(stepMs);
    if (await done()) return;
    await Bun.sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const inState = (running: IbDaemon, state: DaemonLifecycleState) => () => running.daemon.state === state;

interface Scene {
  readonly sink: Sink;
  readonly tws: FakeTws;
  readonly call: FakeContract;
  readonly put: FakeContract;
  readonly clock: FakeClock;
  readonly running: IbDaemon;
}

/** TWS up with the straddle net long 240 delta and SPY quoted; a daemon started on it. */
async function hedgingScene(makeSink: () => Promise<Sink>, orderPolicy: FakeTws["orderPolicy"], prepare: (tws: FakeTws) => void = () => undefined): Promise<Scene> {
  const sink = await makeSink();
  const { tws, call, put } = await startTws();
  tws.orderPolicy = orderPolicy;
  prepare(tws);
  quote(tws, SPOT);
  setStraddleDelta(tws, call, put, SPOT, 240);
  const clock = new FakeClock(SESSION_START_MS);
  const running = createIbDaemon(tws, clock, sink);
  await running.daemon.start();
  return { sink, tws, call, put, clock, running };
}

/** Waits for the daemon's hedge to be working at TWS and returns it. */
async function workingHedge(scene: Scene): Promise<FakeOrderView> {
  await until(scene.clock, () => scene.tws.workingOrders().length === 1, "a working hedge order");
  const [order] = scene.tws.workingOrders();
  if (!order) throw new Error("no working order");
  return order;
}

async function stopAndWait(running: IbDaemon, clock: FakeClock): Promise<number> {
  running.daemon.requestStop("test");
  await until(clock, inState(running, "STOPPED"), "STOPPED", 500);
  return running.daemon.stopped;
}

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
    const { sink, tws, clock: clock1, running: first } = await hedgingScene(makeSink, { type: "work" });
    await until(clock1, () => tws.requestsOf("place_order").length > 0, "the first hedge order");
    const [lost] = tws.requestsOf("place_order").map((r) => r.request);
    if (!lost) throw new Error("no order");
    await clock1.advance(SETTINGS.heartbeatMs); // a status row exists, as after any real run
    await sink.flush();
    await first.broker.disconnect(); // gs dies: the order stays working at TWS, no fill seen

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
    setStraddleDelta(tws, call, put, SPOT + 2, 600); // the market moves while TWS is cut off
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

  test("socket drop with a hedge working: WAITING_BROKER, and after reconnecting the order is cancelled, never resent", async () => {
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
    expect(tws.account.order(working.orderId)?.status).toBe("Cancelled");
    expect(tws.requestsOf("place_order").filter((r) => r.request.orderRef === working.orderRef)).toHaveLength(1);
    expect((await operations(sink, ["cancel_request"])).map((o) => o.orderRef)).toContain(working.orderRef);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
