// `gs daemon` end to end: open the sink, build the broker (sim or IB), the Hedger and the
// Daemon, wire signals, run until stopped. Returns the process exit code.
import { dirname, join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import type { Broker } from "../broker/port.ts";
import type { Sink } from "../sink/port.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { GsConfig } from "../config/schema.ts";
import { UserError } from "../config/user-error.ts";
import { Hedger } from "../core/hedger.ts";
import type { Clock } from "./clock.ts";
import { SYSTEM_CLOCK } from "./clock.ts";
import { Daemon } from "./daemon.ts";
import type { DaemonLog, LogLevel } from "./daemon-log.ts";
import { consoleDaemonLog } from "./daemon-log.ts";
import { daemonSettingsFromConfig } from "./daemon-settings.ts";
import { hedgerParamsFromConfig } from "../config/hedger-params.ts";
import { openSinkPatiently } from "./open-sink-patiently.ts";
import { onStopSignals } from "./stop-signals.ts";
import { systemdNotifier } from "../systemd/notify.ts";
import type { SystemdNotifier } from "../systemd/notify.ts";

/** Bound on waiting for own working orders to be cancelled at stop (with the other bounded waits the whole stop stays under about 14 s; systemd waits 30 s). */
const STOP_CANCEL_WAIT_MS = 4_000;
const SECOND_SIGNAL_FLUSH_MS = 1_500;

export interface RunDaemonOptions {
  readonly loaded: LoadedConfig;
  /** Stop by itself after this many wall seconds (demos, checks); null = until told to stop. */
  readonly durationS: number | null;
  readonly log?: DaemonLog;
}

interface BrokerRuntime {
  readonly broker: Broker;
  readonly marketClock: { nowMs(): number };
  readonly description: string;
  start(): void;
  stop(): void;
}

export async function runDaemon(options: RunDaemonOptions): Promise<number> {
  const { config } = options.loaded;
  const log = options.log ?? consoleDaemonLog(config.log.format, config.log.level);
  const notifier = systemdNotifier(process.env, (message) => log.log("warn", "IDLE", message));
  // Ready once running: a daemon waiting patiently for its database or broker is up (its STATUS
  // says what it waits for); the watchdog pings from now on, from this process's event loop.
  const stopWatchdog = notifier.startWatchdog();
  notifier.send("READY=1\nSTATUS=opening the status database");
  try {
    return await runDaemonNotifying(options, log, notifier);
  } finally {
    stopWatchdog();
    notifier.close();
  }
}

async function runDaemonNotifying(options: RunDaemonOptions, log: DaemonLog, notifier: SystemdNotifier): Promise<number> {
  const { config, configHash } = options.loaded;
  const wallClock = SYSTEM_CLOCK;
  let current: Daemon | null = null;
  const daemonState = (): string => current?.state ?? "IDLE";
  // A stop signal before the daemon exists (opening the database, building the broker) is
  // remembered until the daemon's own handlers take over, and honoured before anything trades.
  let stopSignalled = false;
  let stopWhileOpening: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (stopWhileOpening = resolve));
  const removeEarlySignals = onStopSignals({
    graceful: () => {
      stopSignalled = true;
      notifier.send("STOPPING=1");
      stopWhileOpening();
    },
    immediate: async () => {},
  });
  const brokerLog = (level: LogLevel, message: string): void => log.log(level, daemonState(), message);
  const opened = await openSinkAndBroker(config, wallClock, log, stopRequested, brokerLog).finally(removeEarlySignals);
  if (opened === null) {
    log.log("info", "STOPPED", "stopped before the status database was reachable");
    return 0;
  }
  const { sink, runtime } = opened;
  if (stopSignalled) {
    log.log("info", "STOPPED", "stopped while starting, before connecting to the broker");
    await sink.close();
    return 0;
  }
  const daemon: Daemon = new Daemon({
    daemonId: config.status.daemon_id,
    broker: runtime.broker,
    sink,
    hedger: new Hedger(hedgerParamsFromConfig(config)),
    wallClock,
    marketClock: runtime.marketClock,
    log,
    settings: daemonSettingsFromConfig(config, STOP_CANCEL_WAIT_MS),
    configHash,
    version: packageJson.version,
    pid: process.pid,
    announce: (status) => notifier.send(`STATUS=${status.replace(/\s+/g, " ")}`),
  });
  current = daemon;
  void daemon.whenState("CONNECTING").then(() => notifier.send(`STATUS=daemon ${config.status.daemon_id} running (broker ${runtime.broker.name})`));
  void daemon.whenState("STOPPING").then(() => notifier.send("STOPPING=1"));
  const removeSignals = onStopSignals({
    graceful: (signal) => daemon.requestStop(signal),
    immediate: async (signal) => {
      log.log("warn", daemon.state, `second ${signal}: exiting now, flushing the sink first`);
      runtime.stop();
      await Promise.race([sink.flush(), new Promise((resolve) => setTimeout(resolve, SECOND_SIGNAL_FLUSH_MS))]);
    },
  });
  log.log("info", daemon.state, `starting daemon ${config.status.daemon_id}`, {
    broker: runtime.broker.name,
    market: runtime.description,
    sink: config.status.sink === "sqlite" ? `sqlite ${config.status.sqlite.path}` : "postgres",
    controlFile: config.control.file === "" ? null : config.control.file,
    configHash: configHash.slice(0, 12),
  });
  runtime.start();
  const stopAfter = options.durationS === null ? null : wallClock.setTimer(options.durationS * 1000, () => daemon.requestStop(`--duration ${options.durationS}s elapsed`));
  try {
    await daemon.start();
    const exitCode = await daemon.stopped;
    return exitCode;
  } finally {
    stopAfter?.();
    runtime.stop();
    removeSignals();
    await sink.close();
  }
}

/** The sink (waited for patiently) and the broker; null when a stop came while the sink was unreachable. */
async function openSinkAndBroker(config: GsConfig, wallClock: Clock, log: DaemonLog, stopRequested: Promise<void>, brokerLog: (level: LogLevel, message: string) => void): Promise<{ sink: Sink; runtime: BrokerRuntime } | null> {
  const sink = await openSinkPatiently(config, wallClock, log, stopRequested);
  if (sink === null) return null;
  try {
    return { sink, runtime: await createBrokerRuntime(config, wallClock, brokerLog) };
  } catch (error) {
    await sink.close();
    throw error;
  }
}

async function createBrokerRuntime(config: GsConfig, wallClock: Clock, brokerLog: (level: LogLevel, message: string) => void): Promise<BrokerRuntime> {
  switch (config.broker) {
    case "sim": {
      const { createSimMarket } = await import("../broker/sim/create-sim-market.ts");
      const accountFile = join(dirname(config.status.spool_path), `sim-account-${config.status.daemon_id}.json`);
      const onEnd = (): void => brokerLog("warn", "sim: the price path has ended; no more quotes (stale data blocks hedging). Delete the sim account file to replay from the start.");
      const market = await createSimMarket(config, { wallClock, accountFile, onEnd });
      return { broker: market.broker, marketClock: market.marketClock, description: market.description, start: market.start, stop: market.stop };
    }
    case "ib": {
      const { createIbBroker } = await import("../broker/ib/index.ts");
      const broker = createIbBroker(config, (level, message) => brokerLog(level, `ib: ${message}`));
      return { broker, marketClock: wallClock, description: `IB ${config.ib.host}:${config.ib.port} client ${config.ib.client_id}`, start: () => {}, stop: () => {} };
    }
    default: {
      const unreachable: never = config.broker;
      throw new UserError(`broker was ${JSON.stringify(unreachable)}, expected "sim" or "ib"`);
    }
  }
}
