// The daemon: a thin shell that runs core's Hedger against a broker and records everything
// in the sink. Its life cycle is core's daemon transition table; it never exits because the
// broker is down (WAITING_BROKER, retrying), and it stops only on a signal or a command.
import type { Broker, BrokerEvent } from "../broker/port.ts";
import { type DaemonEvent, type DaemonLifecycleState, nextDaemonState } from "../core/daemon-fsm.ts";
import type { Hedger } from "../core/hedger.ts";
import type { DaemonIdClaimant } from "../sink/daemon-claim.ts";
import type { Sink } from "../sink/port.ts";
import type { ControlCommand, StatusRow } from "../sink/records.ts";
import { type Clock, every, withTimeout } from "./clock.ts";
import { ControlLoop } from "./control-loop.ts";
import type { DaemonLog } from "./daemon-log.ts";
import { dailyStateRow } from "./daily-state-row.ts";
import { HedgeLoop } from "./hedge-loop.ts";
import { ClaimRenewal } from "./claim-renewal.ts";
import type { InstanceIdentity } from "./instance-guard.ts";
import { claimantOf, thisInstance, waitForNoOtherInstance } from "./instance-guard.ts";
import { executeCommand } from "./operator-commands.ts";
import { OperationRecorder } from "./operation-recorder.ts";
import { carriedOperatorState, type OperatorPause, pauseBlockReason, pausedBy } from "./operator-pause.ts";
import { DaemonIds } from "./order-ref.ts";
import { reconcile } from "./reconcile.ts";
import { findRecordedFill } from "./recorded-fill.ts";
import { waitForSpoolReplay } from "./spool-replay-barrier.ts";
import { daemonBlockReasons, statusRow } from "./status-row.ts";
import { VouchedHedge } from "./vouched-hedge.ts";

/** A one-line status on the console this often (the sink gets every heartbeat). */
const CONSOLE_STATUS_EVERY_MS = 15_000;

export interface DaemonSettings {
  readonly heartbeatMs: number;
  readonly historyEveryMs: number;
  readonly pollMs: number;
  readonly retryIntervalMs: number;
  readonly connectTimeoutMs: number;
  /** On stop: how long to wait for own working orders to be cancelled. */
  readonly stopCancelWaitMs: number;
  /** How long a correction waits for the operations trail's record of the execution it replaces (see recorded-fill.ts). */
  readonly trailLookupTimeoutMs: number;
  readonly controlFile: string | null;
}

export interface DaemonDeps {
  readonly daemonId: string;
  readonly broker: Broker;
  readonly sink: Sink;
  readonly hedger: Hedger;
  readonly wallClock: Clock;
  /** Market time: the replay's on sim, wall time on IB. Core decides on this time. */
  readonly marketClock: { nowMs(): number };
  readonly log: DaemonLog;
  readonly settings: DaemonSettings;
  readonly configHash: string;
  readonly version: string;
  readonly pid: number;
  /** What the daemon waits for while it starts, for systemd's STATUS line. */
  readonly announce: (status: string) => void;
}

export class Daemon {
  private current: DaemonLifecycleState = "IDLE";
  private readonly ids: DaemonIds;
  private readonly identity: InstanceIdentity;
  private readonly claimant: DaemonIdClaimant;
  private readonly claim: ClaimRenewal;
  private readonly recorder: OperationRecorder;
  private readonly hedgeLoop: HedgeLoop;
  private readonly controlLoop: ControlLoop;
  private readonly stopTimers: (() => void)[] = [];
  private readonly stateWaiters: { state: DaemonLifecycleState; resolve: () => void }[] = [];
  private cancelRetry: (() => void) | null = null;
  private nextRetryTsMs: number | null = null;
  private lastBrokerError: string | null = null;
  /** Connection attempts that failed since the broker was last connected. */
  private failedAttempts = 0;
  private brokerInfo: { clientId: number | null; serverVersion: number | null } = { clientId: null, serverVersion: null };
  private marketDataKind: "live" | "delayed" | "frozen" | null = null;
  /** The operator's pause (pause or flatten), kept across broker outages and, via the status row, restarts. */
  private operatorPause: OperatorPause | null = null;
  private reconciledOnce = false;
  /** Counts connection attempts: each one's connect and reconciliation results count only while it is the newest. */
  private connectionAttempt = 0;
  private readonly vouched = new VouchedHedge();
  private lastHistoryWallMs = 0;
  private lastConsoleStatusWallMs = 0;
  private stopRequested = false;
  private resolveStopRequested: () => void = () => {};
  /** Settles on the stop request: start-up waits end at once instead of at their next timer. */
  private readonly stopRequestedSignal = new Promise<void>((resolve) => (this.resolveStopRequested = resolve));
  /**
   * This process holds the daemon id (claim won, no live twin, not taken over since): only then
   * does it write status rows and daily state, record its state changes and take commands;
   * those belong to whoever holds the id.
   */
  private isInstance = false;
  private exitCode = 0;
  private resolveStopped: (code: number) => void = () => {};
  private orderFinalWaiter: (() => void) | null = null;
  /** Resolves with the exit code once the daemon is STOPPED and the sink flushed. */
  readonly stopped: Promise<number>;

  constructor(private readonly deps: DaemonDeps) {
    const symbol = deps.hedger.params.strategy.symbol;
    this.ids = new DaemonIds(deps.daemonId, symbol, deps.wallClock.nowMs());
    this.identity = thisInstance(deps.pid);
    this.claimant = claimantOf(deps.daemonId, this.identity, deps.settings.heartbeatMs);
    this.claim = new ClaimRenewal({
      sink: deps.sink,
      claimant: this.claimant,
      clock: deps.wallClock,
      log: deps.log,
      stateName: () => this.current,
      onLost: (message) => this.onClaimLost(message),
    });
    this.recorder = new OperationRecorder(deps.sink, this.ids, deps.wallClock, () => this.writeStatus(true));
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.hedgeLoop = new HedgeLoop({
      hedger: deps.hedger,
      broker: deps.broker,
      ids: this.ids,
      recorder: this.recorder,
      log: deps.log,
      marketNowMs: () => deps.marketClock.nowMs(),
      wallNowMs: () => deps.wallClock.nowMs(),
      tradingAllowed: () => this.current === "RUNNING",
      ordersAllowed: () => this.current === "RUNNING" || this.current === "PAUSED",
      stateName: () => this.current,
      onDailyStateChanged: () => this.persistDailyState(),
      onOrderFinal: () => this.orderFinalWaiter?.(),
      findRecordedFill: (orderRef, execId) => findRecordedFill(deps.sink, this.ids.daemonId, orderRef, execId, deps.settings.trailLookupTimeoutMs),
    });
    this.controlLoop = new ControlLoop({
      controlFile: deps.settings.controlFile,
      sink: deps.sink,
      daemonId: deps.daemonId,
      wallClock: deps.wallClock,
      log: deps.log,
      recorder: this.recorder,
      stateName: () => this.current,
      holdsDaemonId: () => this.isInstance,
      execute: async (command) => this.execute(command),
    });
    deps.broker.onEvent((event) => this.guard(() => this.onBrokerEvent(event)));
  }

  get state(): DaemonLifecycleState {
    return this.current;
  }

  /** Resolves when the daemon enters `state` (at once if it is there). */
  whenState(state: DaemonLifecycleState): Promise<void> {
    if (this.current === state) return Promise.resolve();
    return new Promise((resolve) => this.stateWaiters.push({ state, resolve }));
  }

  /**
   * Waits for an earlier run's spooled rows to reach the database and for a live twin to go,
   * then restores persisted counters, starts heartbeat and control polling, connects.
   */
  async start(): Promise<void> {
    const { hedger, sink, daemonId, settings, wallClock, log, announce } = this.deps;
    const stop = this.stopRequestedSignal;
    if (!(await waitForSpoolReplay({ sink, clock: wallClock, log, stop, announce }))) return;
    const instance = await waitForNoOtherInstance({ sink, clock: wallClock, log, claimant: this.claimant, pollMs: settings.heartbeatMs, stop, announce });
    if (instance === null || this.stopRequested) return; // stopped while waiting: shutdown already runs
    this.isInstance = true;
    // Only now: a twin that was still live a moment ago may have persisted counters meanwhile.
    const marketNowMs = this.deps.marketClock.nowMs();
    const saved = await sink.loadDailyState(daemonId, hedger.dailyState(marketNowMs).tradingDay);
    if (saved) hedger.restoreDailyState(saved, marketNowMs);
    await this.vouched.load(sink, daemonId, instance.last ?? null);
    this.carryOver(instance.last);
    if (this.stopRequested) return; // stopped while reading the sink: shutdown already runs
    this.stopTimers.push(every(wallClock, settings.heartbeatMs, () => this.guard(() => this.heartbeat())));
    this.stopTimers.push(every(wallClock, settings.pollMs, () => void this.controlLoop.poll()));
    this.transition("start");
    await this.connect();
  }

  /** Polls the control file and queue now (the poll timer calls the same); resolves when done. */
  pollControl(): Promise<void> {
    return this.controlLoop.poll();
  }

  /** Graceful stop: no new orders, cancel own working orders, final status, flush. */
  requestStop(reason: string, exitCode = 0): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.resolveStopRequested();
    this.exitCode = exitCode;
    this.deps.log.log("info", this.current, `stop requested (${reason})`);
    this.cancelRetry?.();
    this.nextRetryTsMs = null;
    this.transition("stop", { reason });
    void this.shutdown();
  }

  /** The current status row (full when there is market data, minimal otherwise). */
  statusNow(): StatusRow {
    const { deps } = this;
    let snapshot = null;
    try {
      snapshot = deps.hedger.snapshot(deps.marketClock.nowMs());
    } catch (error) {
      // The row is still written (minimal) so the status never goes dark; the cause is logged.
      deps.log.log("error", this.current, `status snapshot failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return statusRow(
      {
        daemonId: deps.daemonId,
        wallNowMs: deps.wallClock.nowMs(),
        state: this.current,
        configHash: deps.configHash,
        heartbeatIntervalS: deps.settings.heartbeatMs / 1000,
        pid: deps.pid,
        host: this.identity.host,
        version: deps.version,
        brokerName: deps.broker.name,
        brokerClientId: this.brokerInfo.clientId,
        brokerServerVersion: this.brokerInfo.serverVersion,
        nextRetryTsMs: this.nextRetryTsMs,
        marketDataKind: this.marketDataKind,
        operatorPause: this.operatorPause,
        extraBlockReasons: [
          ...daemonBlockReasons(this.current, this.lastBrokerError),
          ...this.hedgeLoop.flattenBlockReasons(),
          ...(this.operatorPause === null ? [] : [pauseBlockReason(this.operatorPause)]),
        ],
        marketNowMs: deps.marketClock.nowMs(),
        sinkHealth: deps.sink.health(),
      },
      snapshot,
      deps.hedger.params.strategy.symbol,
    );
  }

  // --- life cycle ------------------------------------------------------------------------
  /** `quiet`: a repeat of the same broker retry cycle, logged at debug and not recorded again. */
  private transition(event: DaemonEvent, payload: Readonly<Record<string, unknown>> = {}, quiet = false): void {
    const from = this.current;
    this.current = nextDaemonState(from, event);
    this.deps.log.log(quiet ? "debug" : "info", this.current, `${from} -> ${this.current} (${event})`);
    if (!quiet && this.isInstance) this.recorder.record("state_change", { reason: event, payload: { from, to: this.current, ...payload } });
    if (this.current === "RUNNING") this.writeStatus(false);
    for (const waiter of this.stateWaiters.filter((candidate) => candidate.state === this.current)) {
      this.stateWaiters.splice(this.stateWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private async connect(): Promise<void> {
    const { broker, hedger, settings, wallClock } = this.deps;
    const attempt = ++this.connectionAttempt;
    this.hedgeLoop.awaitReconciliation();
    try {
      const info = await withTimeout(broker.connect(), settings.connectTimeoutMs, wallClock, "broker connect");
      if (this.current !== "CONNECTING" || attempt !== this.connectionAttempt) return;
      this.brokerInfo = { clientId: info.clientId, serverVersion: info.serverVersion };
      this.lastBrokerError = null;
      hedger.setBrokerConnected(true, this.deps.marketClock.nowMs());
      this.transition("connected", { clientId: info.clientId, accounts: info.accounts, failedAttempts: this.failedAttempts });
      this.failedAttempts = 0;
    } catch (error) {
      if (this.current !== "CONNECTING" || attempt !== this.connectionAttempt) return;
      this.waitForBroker("connect_failed", error);
      return;
    }
    await this.reconcileAndArm(attempt);
  }

  /** `attempt`: the connection it reconciles; a result that comes after a newer connection began is dropped. */
  private async reconcileAndArm(attempt: number): Promise<void> {
    const { broker, hedger, settings, wallClock } = this.deps;
    try {
      const result = await reconcile(
        {
          broker,
          sink: this.deps.sink,
          ids: this.ids,
          recorder: this.recorder,
          wallClock,
          marketNowMs: () => this.deps.marketClock.nowMs(),
          cancelWaitMs: settings.stopCancelWaitMs,
          seen: this.hedgeLoop.fills.seen,
          positionsAnswer: this.hedgeLoop.positionsAnswer,
          tracksOrder: (orderRef) => this.hedgeLoop.tracksOrder(orderRef),
        },
        hedger.params,
        this.vouched.now(hedger.book.shares, this.hedgeLoop.fills.seen.mark()),
      );
      // Overtaken (the connection dropped and a newer one reconciles now): its list is older
      // than reports that newer one's will follow with, so applying it would lose them.
      if (this.current !== "RECONCILING" || attempt !== this.connectionAttempt) return;
      this.hedgeLoop.applyReconciliation(result);
      hedger.setHardBlock(result.hardBlock);
      this.vouched.reconciled(result);
      if (result.hardBlock) this.deps.log.log("error", this.current, `hard block: ${result.hardBlock.message}`);
      this.reconciledOnce = true;
      hedger.setPaused(this.operatorPause !== null);
      this.transition("reconciled", { positions: result.positions.length, hardBlock: result.hardBlock?.code ?? null });
      if (this.operatorPause !== null) this.transition("pause", { reason: pauseBlockReason(this.operatorPause).message, sinceTsMs: this.operatorPause.sinceTsMs });
      this.hedgeLoop.progressFlatten();
    } catch (error) {
      if (this.current !== "RECONCILING" || attempt !== this.connectionAttempt) return;
      this.waitForBroker("reconcile_failed", error);
    }
  }

  private waitForBroker(event: "connect_failed" | "reconcile_failed" | "broker_lost", error: unknown): void {
    const { wallClock, settings } = this.deps;
    const message = error instanceof Error ? error.message : String(error);
    // The same failure again (an outage lasting hours): heartbeats go on, the trail is not flooded.
    const repeat = event === "connect_failed" && this.failedAttempts > 0 && message === this.lastBrokerError;
    this.failedAttempts += 1;
    this.lastBrokerError = message;
    this.deps.hedger.setBrokerConnected(false, this.deps.marketClock.nowMs());
    this.nextRetryTsMs = wallClock.nowMs() + settings.retryIntervalMs;
    this.transition(event, { error: message, nextRetryTsMs: this.nextRetryTsMs, failedAttempts: this.failedAttempts }, repeat);
    this.deps.log.log(repeat ? "debug" : "warn", this.current, `broker not connected: ${message}`, { nextRetryInS: settings.retryIntervalMs / 1000, attempts: this.failedAttempts });
    this.writeStatus(!repeat);
    this.cancelRetry?.();
    this.cancelRetry = wallClock.setTimer(settings.retryIntervalMs, () => this.retryNow());
  }

  private retryNow(): void {
    if (this.current !== "WAITING_BROKER") return;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.nextRetryTsMs = null;
    this.transition("retry", { failedAttempts: this.failedAttempts }, this.failedAttempts > 1);
    void this.connect();
  }

  private onBrokerEvent(event: BrokerEvent): void {
    if (event.type === "connection") {
      this.onConnectionEvent(event);
      return;
    }
    if (event.type === "market_data_health") {
      this.deps.log.log(event.ok ? "info" : "warn", this.current, `market data: ${event.message}`, { code: event.code });
      return;
    }
    if (event.type === "quote") this.marketDataKind = event.kind;
    if (this.current === "IDLE" || this.current === "STOPPED" || this.current === "WAITING_BROKER" || this.current === "CONNECTING") return;
    this.hedgeLoop.onBrokerEvent(event);
  }

  private onConnectionEvent(event: Extract<BrokerEvent, { type: "connection" }>): void {
    const live = this.current === "RUNNING" || this.current === "PAUSED" || this.current === "RECONCILING";
    if ((event.state === "lost" || event.state === "disconnected") && live) {
      this.waitForBroker("broker_lost", new Error(`${event.message}${event.code === null ? "" : ` (code ${event.code})`}`));
    } else if (event.state === "restored" && this.current === "WAITING_BROKER") {
      this.retryNow();
    }
  }

  private heartbeat(): void {
    const wallNowMs = this.deps.wallClock.nowMs();
    this.claim.renew();
    this.hedgeLoop.fills.recordMissingCommissions();
    if (this.current === "RUNNING" || this.current === "PAUSED") {
      const marketNowMs = this.deps.marketClock.nowMs();
      this.hedgeLoop.cancelTimedOutOrders(marketNowMs);
      this.hedgeLoop.tick(marketNowMs);
    }
    const history = wallNowMs - this.lastHistoryWallMs >= this.deps.settings.historyEveryMs;
    const row = this.statusNow();
    this.writeStatus(history, row);
    if (history) this.lastHistoryWallMs = wallNowMs;
    if (wallNowMs - this.lastConsoleStatusWallMs >= CONSOLE_STATUS_EVERY_MS) {
      this.lastConsoleStatusWallMs = wallNowMs;
      this.deps.log.log("info", this.current, "heartbeat", {
        spot: row.spot === null ? null : Math.round(row.spot * 100) / 100,
        deltaShares: row.portfolioDeltaShares === null ? null : Math.round(row.portfolioDeltaShares),
        hedgeShares: row.hedgeShares,
        hedgesToday: row.dailyHedgeCount,
        blocked: row.blockReasons.map((reason) => reason.code).join(",") || null,
      });
    }
    if (this.reconciledOnce) this.persistDailyState();
  }

  /** Another process took the daemon id over: its rows and commands are the new holder's from now on; this one stops (exit 1, so systemd restarts it to wait behind the new holder). */
  private onClaimLost(message: string): void {
    this.isInstance = false;
    this.deps.log.log("error", this.current, message);
    this.deps.announce(message);
    this.requestStop("daemon id taken over by another process", 1);
  }

  /** What the last status row says the operator left on: a pause (or flatten) and a flatten not finished. */
  private carryOver(last: StatusRow | undefined): void {
    const { pause, flattenFailure } = carriedOperatorState(last);
    if (flattenFailure !== null) {
      this.hedgeLoop.carryOverFlattenFailure(flattenFailure);
      this.deps.log.log("error", this.current, `flatten not finished ${flattenFailure}`);
    }
    if (pause === null) return;
    this.operatorPause = pause;
    this.deps.hedger.setPaused(true);
    this.deps.log.log("warn", this.current, `starting paused: ${pauseBlockReason(pause).message}`);
  }

  /** Status rows belong to the holder of the daemon id: a process that does not hold it (yet, or any more) writes none. */
  private writeStatus(history: boolean, row?: StatusRow): void {
    if (this.isInstance) this.deps.sink.writeStatus(row ?? this.statusNow(), { history });
  }

  /** The day's counters, like the status row, are the holder's: a process that lost the id would overwrite the new holder's. */
  private persistDailyState(): void {
    if (!this.isInstance) return;
    const { hedger, sink, daemonId, wallClock, marketClock } = this.deps;
    sink.writeDailyState(dailyStateRow(daemonId, hedger.dailyState(marketClock.nowMs()), wallClock.nowMs()));
  }

  // --- commands ---------------------------------------------------------------------------
  private execute(command: ControlCommand): string {
    return executeCommand(command, {
      state: this.current,
      setOperatorPause: (by) => {
        this.operatorPause = by === null ? null : pausedBy(by, this.operatorPause, this.deps.wallClock.nowMs());
        this.deps.hedger.setPaused(by !== null);
      },
      transition: (event, payload) => this.transition(event, payload),
      requestStop: (reason) => this.requestStop(reason),
      flattenRefusal: () => this.hedgeLoop.flattenRefusal(),
      requestFlatten: () => this.hedgeLoop.requestFlatten(),
      endFlatten: (cause) => this.hedgeLoop.endFlatten(cause),
      retryBrokerNow: () => this.retryNow(),
      acceptBrokerPosition: () => this.vouched.accept(this.deps.hedger, this.recorder),
    });
  }

  // --- stop -------------------------------------------------------------------------------
  private async shutdown(): Promise<void> {
    const { broker, sink, wallClock, settings } = this.deps;
    const working = this.hedgeLoop.workingOrderRefs();
    if (working.length > 0 && !broker.isConnected()) {
      this.deps.log.log("warn", this.current, `stopping with ${working.length} order(s) the broker could not be asked to cancel (not connected): they may still execute; check them in TWS`, { orderRefs: working.join(",") });
    }
    if (working.length > 0 && broker.isConnected()) {
      for (const orderRef of working) this.hedgeLoop.requestCancel(orderRef, "shutdown");
      const deadlineMs = wallClock.nowMs() + settings.stopCancelWaitMs;
      while (this.hedgeLoop.workingOrderRefs().length > 0 && wallClock.nowMs() < deadlineMs) {
        await new Promise<void>((resolve) => {
          const cancelTimer = wallClock.setTimer(Math.max(1, deadlineMs - wallClock.nowMs()), resolve);
          this.orderFinalWaiter = () => {
            cancelTimer();
            resolve();
          };
        });
        this.orderFinalWaiter = null;
      }
      const left = this.hedgeLoop.workingOrderRefs();
      if (left.length > 0) this.deps.log.log("warn", this.current, `stopping with ${left.length} order(s) not confirmed cancelled`, { orderRefs: left.join(",") });
    }
    this.hedgeLoop.fills.drain();
    // After the cancels: the row says how many hedge shares the stop leaves.
    this.hedgeLoop.endFlatten("stopped");
    for (const stop of this.stopTimers) stop();
    if (this.reconciledOnce) this.persistDailyState();
    // Disconnect first, so the final row says what is true after the stop.
    await withTimeout(broker.disconnect(), 2_000, wallClock, "broker disconnect").catch(() => undefined);
    this.deps.hedger.setBrokerConnected(false, this.deps.marketClock.nowMs());
    this.transition("stopped", { exitCode: this.exitCode });
    // A daemon stopped while a live twin held its id (or after the twin took it over) leaves the twin's row alone.
    if (this.isInstance) this.writeStatus(true);
    else this.deps.log.log("info", this.current, `stopped without holding daemon ${this.deps.daemonId}: its status row is left to the live one`);
    await sink.flush();
    // After the final row: a twin that takes over at once finds this one STOPPED.
    if (this.isInstance) await this.claim.release();
    this.resolveStopped(this.exitCode);
  }

  /** A thrown error in event handling is a broken invariant: stop (exit 1) and let systemd restart. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.deps.log.log("error", this.current, `internal error, stopping: ${message}`);
      this.requestStop("internal error", 1);
    }
  }
}
