// The daemon with broker = ib against the fake TWS: scenes and waits shared by the ib-daemon
// test files. Daemon timers run on a fake clock (market time is a regular session); socket
// I/O is real, so tests wait for it by polling. Each test file calls `closeScenes` afterEach.
import { expect } from "bun:test";
import { IbBroker } from "../../src/broker/ib/ib-broker.ts";
import type { GsConfig } from "../../src/config/schema.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import type { DaemonLifecycleState } from "../../src/core/daemon-fsm.ts";
import { memoryDaemonLog } from "../../src/daemon/daemon-log.ts";
import { hedgerParamsFromConfig } from "../../src/config/hedger-params.ts";
import type { Sink } from "../../src/sink/port.ts";
import { FakeTws } from "../fake-tws/index.ts";
import type { FakeContract, FakeOrderView, FakeTwsOptions } from "../fake-tws/index.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { DAEMON_ID, SESSION_START_MS, SETTINGS, SPOT, testConfig } from "./daemon-harness.ts";

export const EXPIRY = "20240423"; // 28 days after SESSION_START_MS
export const STRIKE = 521;
export const LEGS = 10;
/** Real time any single wait may take; each test has its own budget above it. */
const UNTIL_MS = 4_000;
export const TEST_TIMEOUT_MS = 20_000;

export interface IbDaemon {
  readonly daemon: Daemon;
  readonly broker: IbBroker;
  readonly log: string[];
}

const cleanups: (() => Promise<void>)[] = [];

/** Stops every TWS and broker the last test started (register with afterEach). */
export async function closeScenes(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export async function startTws(twsOptions: FakeTwsOptions = {}): Promise<{ tws: FakeTws; call: FakeContract; put: FakeContract }> {
  const tws = new FakeTws(twsOptions);
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
export function setStraddleDelta(tws: FakeTws, call: FakeContract, put: FakeContract, spot: number, deltaShares: number): void {
  const perLeg = deltaShares / (LEGS * 100);
  const common = { impliedVol: 0.15, gamma: 0.02, vega: 0.6, theta: -0.2, underlyingPrice: spot };
  tws.setGreeks(call, { ...common, delta: 0.5 + perLeg / 2, optionPrice: 11.5 });
  tws.setGreeks(put, { ...common, delta: -0.5 + perLeg / 2, optionPrice: 10.8 });
}

export function quote(tws: FakeTws, spot: number): void {
  tws.setQuote("SPY", { bid: spot - 0.01, ask: spot + 0.01, last: spot });
}

/** `account`: ib.account ("" = the only managed account). */
export function createIbDaemon(tws: FakeTws, clock: FakeClock, sink: Sink, config: GsConfig = testConfig(), account = ""): IbDaemon {
  const log: string[] = [];
  const broker = new IbBroker({
    host: "127.0.0.1", port: tws.port, clientId: 11, clientIdMaxTries: 3, connectTimeoutMs: 2_000, requestTimeoutMs: 2_000,
    account, marketDataType: "live", exchange: "SMART", currency: "USD", maxRequestsPerSecond: 1_000,
    log: (level, message) => void log.push(`${level} ib: ${message}`), now: () => clock.nowMs(),
  });
  const daemon = new Daemon({
    daemonId: DAEMON_ID, broker, sink, hedger: new Hedger(hedgerParamsFromConfig(config)), wallClock: clock, marketClock: clock,
    log: memoryDaemonLog(log), settings: { ...SETTINGS, heartbeatMs: config.status.heartbeat_s * 1000, controlFile: null }, configHash: "test-config-hash", version: "test", pid: 4242, announce: () => {},
  });
  cleanups.push(async () => {
    await broker.disconnect();
    // The real client reports a message it cannot decode as 505; the fake must never cause one.
    expect(log.filter((line) => line.includes("(505)"))).toEqual([]);
  });
  return { daemon, broker, log };
}

/** Lets real socket I/O and fake-clock timers run until `done` holds (or fails after 5 s of real time). */
export async function until(clock: FakeClock, done: () => boolean | Promise<boolean>, what: string, stepMs = 0): Promise<void> {
  const deadline = Date.now() + UNTIL_MS;
  while (Date.now() < deadline) {
    await clock.advance(stepMs);
    if (await done()) return;
    await Bun.sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const inState = (running: IbDaemon, state: DaemonLifecycleState) => () => running.daemon.state === state;

export interface Scene {
  readonly sink: Sink;
  readonly tws: FakeTws;
  readonly call: FakeContract;
  readonly put: FakeContract;
  readonly clock: FakeClock;
  readonly running: IbDaemon;
}

/** TWS up with the straddle net long 240 delta and SPY quoted; a daemon started on it. */
export async function hedgingScene(
  makeSink: () => Promise<Sink>,
  orderPolicy: FakeTws["orderPolicy"],
  prepare: (tws: FakeTws) => void = () => undefined,
  config: GsConfig = testConfig(),
): Promise<Scene> {
  const sink = await makeSink();
  const { tws, call, put } = await startTws();
  tws.orderPolicy = orderPolicy;
  prepare(tws);
  quote(tws, SPOT);
  setStraddleDelta(tws, call, put, SPOT, 240);
  const clock = new FakeClock(SESSION_START_MS);
  const running = createIbDaemon(tws, clock, sink, config);
  await running.daemon.start();
  return { sink, tws, call, put, clock, running };
}

/** Waits for the daemon's hedge to be working at TWS and returns it. */
export async function workingHedge(scene: Scene): Promise<FakeOrderView> {
  await until(scene.clock, () => scene.tws.workingOrders().length === 1, "a working hedge order");
  const [order] = scene.tws.workingOrders();
  if (!order) throw new Error("no working order");
  return order;
}

export async function stopAndWait(running: IbDaemon, clock: FakeClock): Promise<number> {
  running.daemon.requestStop("test");
  await until(clock, inState(running, "STOPPED"), "STOPPED", 500);
  return running.daemon.stopped;
}

/**
 * Runs `act` right behind the positionEnd answering the next reconciliation's positions request
 * (a new session's 2nd reqPositions; its 1st opens the position stream), so the client reads both
 * in one socket chunk. Sessions open now (before a drop) are not watched. Says whether it ran.
 */
export function rightBehindReconciliationDump(tws: FakeTws, act: () => void): () => boolean {
  const earlier = new Set([...tws.sessions].map((session) => session.id));
  const requestsBySession = new Map<number, number>();
  let acted = false;
  const stop = tws.onRequest((entry) => {
    if (entry.request.type !== "req_positions" || earlier.has(entry.sessionId)) return;
    const requests = (requestsBySession.get(entry.sessionId) ?? 0) + 1;
    requestsBySession.set(entry.sessionId, requests);
    if (requests !== 2) return;
    const session = [...tws.sessions].find((candidate) => candidate.id === entry.sessionId);
    if (!session) throw new Error(`fake TWS: no session ${entry.sessionId}`);
    session.positionDumps = session.positionDumps.then(() => {
      act();
      acted = true;
    });
    stop();
  });
  return () => acted;
}
