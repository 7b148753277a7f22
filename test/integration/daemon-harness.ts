// An in-process daemon on the sim broker and a real sink, driven by a fake clock: the
// market (prices) and time move only when a test says so.
import type { SimBroker, SimBrokerOptions } from "../../src/broker/sim/sim-broker.ts";
import { openingAccount, optionMarker } from "../../src/broker/sim/create-sim-market.ts";
import type { SimAccountState } from "../../src/broker/sim/sim-broker.ts";
import type { GsConfig } from "../../src/config/schema.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { memoryDaemonLog } from "../../src/daemon/daemon-log.ts";
import { statusRow } from "../../src/daemon/status-row.ts";
import { hedgerParamsFromConfig } from "../../src/config/hedger-params.ts";
import { constantIv } from "../../src/market-data/index.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { OperationType, StoredOperation } from "../../src/sink/records.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { testSimBroker } from "../support/sim-broker.ts";

/** Tuesday 2024-03-26 10:00 New York: a regular session. */
export const SESSION_START_MS = Date.UTC(2024, 2, 26, 14, 0, 0);
export const SPOT = 521;
export const DAEMON_ID = "test-daemon";
export const SETTINGS = {
  heartbeatMs: 5_000,
  historyEveryMs: 60_000,
  // Tests poll the control channels explicitly (daemon.pollControl); the timer rarely fires.
  pollMs: 5_000,
  retryIntervalMs: 15_000,
  connectTimeoutMs: 10_000,
  stopCancelWaitMs: 4_000,
  // Real time (the sink's deadlines are): a hung database's test waits it out.
  trailLookupTimeoutMs: 1_000,
} as const;

export function testConfig(): GsConfig {
  return defaultConfig();
}

export interface Market {
  readonly clock: FakeClock;
  readonly broker: SimBroker;
}

/** The sim venue with a 10-lot ATM straddle, quoting SPOT; survives daemon restarts. */
export function createMarket(config: GsConfig = testConfig(), clock = new FakeClock(SESSION_START_MS), venue: Partial<SimBrokerOptions> = {}): Market {
  const markOption = optionMarker(constantIv(0.15), config.strategy.rate, config.strategy.dividend_yield);
  const account: SimAccountState = openingAccount("SPY", SPOT, SESSION_START_MS, 10, markOption, config.strategy.external_shares);
  const broker = testSimBroker(clock, { ackLatencyMs: 10, cancelLatencyMs: 10, markOption, initialAccount: account, ...venue });
  broker.pushPrice(SPOT, clock.nowMs());
  return { clock, broker };
}

export interface RunningDaemon {
  readonly daemon: Daemon;
  readonly log: string[];
  /** What the daemon announced for systemd's STATUS line, in order. */
  readonly announced: string[];
}

export function createDaemon(market: Market, sink: Sink, options: { controlFile?: string | null; config?: GsConfig; pid?: number; heartbeatMs?: number } = {}): RunningDaemon {
  const config = options.config ?? testConfig();
  const log: string[] = [];
  const announced: string[] = [];
  const daemon = new Daemon({
    daemonId: DAEMON_ID,
    broker: market.broker,
    sink,
    hedger: new Hedger(hedgerParamsFromConfig(config)),
    wallClock: market.clock,
    marketClock: market.clock,
    log: memoryDaemonLog(log),
    settings: { ...SETTINGS, heartbeatMs: options.heartbeatMs ?? SETTINGS.heartbeatMs, controlFile: options.controlFile ?? null },
    configHash: "test-config-hash",
    version: "test",
    pid: options.pid ?? 4242,
    announce: (status) => void announced.push(status),
  });
  return { daemon, log, announced };
}

/** Starts the daemon and lets connection and reconciliation finish, without moving the clock. */
export async function startDaemon(running: RunningDaemon, market: Market): Promise<void> {
  await advanceUntil(market, running.daemon.start(), 0);
}

/**
 * Lets `work` finish when it mixes real I/O (a PostgreSQL query) with clock timers: yields to
 * the I/O and moves the fake clock `stepMs` per round (0 = time stands still).
 */
export async function advanceUntil<T>(market: Market, work: Promise<T>, stepMs: number): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  await market.clock.advance(0);
  while (!settled) {
    await Bun.sleep(1);
    await market.clock.advance(stepMs);
  }
  return done;
}

export async function operations(sink: Sink, types?: readonly OperationType[]): Promise<StoredOperation[]> {
  await sink.flush();
  const rows = await sink.queryOperations({ daemonId: DAEMON_ID, limit: 10_000, ...(types ? { types } : {}) });
  return [...rows].sort((a, b) => a.id - b.id);
}

export async function stopDaemon(running: RunningDaemon, market: Market): Promise<number> {
  running.daemon.requestStop("test");
  await market.clock.advance(SETTINGS.stopCancelWaitMs + 1_000);
  return running.daemon.stopped;
}

/** A market and a daemon on it, started (RUNNING unless the broker refuses). */
export async function runningDaemon(sink: Sink, options: { market?: Market; config?: GsConfig; controlFile?: string } = {}): Promise<{ market: Market; running: RunningDaemon }> {
  const market = options.market ?? createMarket(options.config);
  const running = createDaemon(market, sink, options);
  await startDaemon(running, market);
  return { market, running };
}

/** Quotes the opening price again: the straddle's delta (~+75 shares) is past the threshold. */
export async function quoteAndSettle(market: Market, price = SPOT): Promise<void> {
  market.broker.pushPrice(price);
  await market.clock.advance(100);
}

/** The pid and host of the twin writeLiveTwinHeartbeat() plays, as its status row names them. */
export const TWIN_LOG_MARK = "pid 999999 on other-host";

/** Another live process holding DAEMON_ID heartbeats now (every 5 s, RUNNING, by default pid 999999 on other-host). */
export async function writeLiveTwinHeartbeat(sink: Sink, market: Market, writer: { readonly pid: number; readonly host: string } = { pid: 999_999, host: "other-host" }): Promise<void> {
  const context = {
    daemonId: DAEMON_ID, wallNowMs: market.clock.nowMs(), state: "RUNNING" as const, configHash: "other", heartbeatIntervalS: 5,
    pid: writer.pid, host: writer.host, version: "other", brokerName: "sim" as const, brokerClientId: null, brokerServerVersion: null,
    nextRetryTsMs: null, marketDataKind: null, operatorPause: null, extraBlockReasons: [], marketNowMs: market.clock.nowMs(),
    sinkHealth: { queueDepth: 0, spooledRows: 0, failedWrites: 0, lostRows: 0, lastError: null },
  };
  sink.writeStatus(statusRow(context, null, "SPY"), { history: false });
  await sink.flush();
}

/** Waits (real time, bounded) until the daemon logged that it waits for the twin. */
export async function untilWaitingForTwin(running: RunningDaemon): Promise<void> {
  for (let attempt = 0; attempt < 400 && !running.log.some((line) => line.includes(TWIN_LOG_MARK)); attempt++) await Bun.sleep(5);
  if (!running.log.some((line) => line.includes(TWIN_LOG_MARK))) throw new Error(`the daemon did not report the live twin; its log:\n${running.log.join("\n")}`);
}
