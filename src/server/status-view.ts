// GET /status as a pure function of the status rows, the last operation, the server's
// clock and two thresholds. No I/O: the same view serves /status, /events, /metrics and
// `gs status`, and every lamp rule is tested here without a server.
//
// Lamp rules (docs/API.md repeats them). Every matching reason is listed, worst first;
// the lamp is the worst severity found:
//   red    database unreachable · no status row · heartbeat older than 3 x heartbeat_s · STOPPED or STOPPING ·
//          the daemon dropped records (database and spool both failed) ·
//          a hard guard blocks (circuit breaker, position mismatch, hard_block e.g. reconcile_mismatch, details.hardBlock)
//   yellow paused · IDLE/CONNECTING/WAITING_BROKER/RECONCILING or broker disconnected ·
//          quote older than stale_data_ms or missing · delayed/frozen market data ·
//          a soft guard blocks · the daemon's clock is ahead of the server's
//   green  none of the above
// A stale heartbeat hides the row's other reasons: they describe a moment long gone.
import type { BlockReason, StatusRow, StoredOperation } from "../sink/records.ts";
import type { DaemonSummary, Lamp, SelfCheck, StatusReason, StatusView } from "./status-view-schema.ts";

export interface LampRules {
  /** A quote older than this is stale (config guards.stale_data_ms). */
  readonly staleDataMs: number;
}

/** A heartbeat older than this many intervals means the daemon is gone. */
export const HEARTBEAT_MISS_FACTOR = 3;
/** A row this far in the future means the daemon's and server's clocks disagree. */
export const CLOCK_SKEW_TOLERANCE_MS = 5_000;

/** Guard codes that stop trading until a human acts (red); every other guard code is soft. */
// flatten_failed: an operator asked for flat and shares are left; someone has to look.
// A reconciliation mismatch arrives as hard_block, its message "blocked (reconcile_mismatch): ...".
const HARD_GUARD_CODES: ReadonlySet<string> = new Set(["hard_block", "circuit_breaker", "position_mismatch", "flatten_failed"]);

const NOT_YET_TRADING_STATES: ReadonlySet<string> = new Set(["IDLE", "CONNECTING", "WAITING_BROKER", "RECONCILING"]);

/** Which daemon a view shows: the one asked for, else the configured one, else the worst off. */
export interface DaemonChoice {
  readonly rows: readonly StatusRow[];
  /** Show this daemon; null = the default below. */
  readonly daemonId: string | null;
  /** The server's status.daemon_id: shown when no daemon is asked for and it has a row. */
  readonly defaultDaemonId?: string | null;
  readonly nowMs: number;
  readonly rules: LampRules;
}

export interface StatusInputs extends DaemonChoice {
  readonly lastOperation: StoredOperation | null;
}

export function deriveStatusView(inputs: StatusInputs): StatusView {
  const { rows, nowMs, rules } = inputs;
  const row = selectStatusRow(inputs);
  const daemons = [...rows]
    .sort((a, b) => a.daemonId.localeCompare(b.daemonId))
    .map((each): DaemonSummary => ({
      daemon_id: each.daemonId,
      status_lamp: lampOf(rowReasons(each, nowMs, rules)),
      state: each.state,
      heartbeat_age_ms: nowMs - each.tsMs,
    }));
  if (row === null) {
    const target = inputs.daemonId === null ? "" : ` for daemon ${inputs.daemonId}`;
    const reasons: StatusReason[] = [
      { code: "no_status", message: `No status row${target}: the daemon has never run against this database.`, severity: "red" },
    ];
    return emptyView(nowMs, inputs.daemonId, reasons, daemons);
  }
  const reasons = rowReasons(row, nowMs, rules);
  const lamp = lampOf(reasons);
  const details = row.details;
  return {
    generated_at_ms: nowMs,
    daemon_id: row.daemonId,
    status_lamp: lamp,
    self_check: SELF_CHECK_OF_LAMP[lamp],
    block_reasons: reasons,
    state: row.state,
    hedge_state: row.hedgeState,
    paused: row.paused,
    heartbeat: {
      last_ts_ms: row.tsMs,
      age_ms: nowMs - row.tsMs,
      interval_s: row.heartbeatIntervalS,
      stale_after_ms: staleAfterMs(row),
    },
    broker: {
      name: details.brokerName ?? null,
      connected: row.brokerConnected,
      client_id: details.brokerClientId ?? null,
      server_version: details.brokerServerVersion ?? null,
      next_retry_ts_ms: details.nextRetryTsMs ?? null,
    },
    market_data: {
      symbol: row.symbol,
      spot: row.spot,
      bid: row.bid,
      ask: row.ask,
      age_ms: row.dataAgeMs,
      kind: details.marketDataKind ?? null,
    },
    position: {
      portfolio_delta_shares: row.portfolioDeltaShares,
      option_delta_shares: row.optionDeltaShares,
      hedge_shares: row.hedgeShares,
      pending_shares: row.pendingShares,
      external_shares: details.externalShares ?? 0,
      gamma_shares: details.gammaShares ?? null,
      theta_usd_per_day: details.thetaUsdPerDay ?? null,
      vega_usd: details.vegaUsd ?? null,
    },
    legs: (details.legs ?? []).map((leg) => ({
      contract_key: leg.contractKey,
      right: leg.right,
      strike: leg.strike,
      expiry: leg.expiryYmd,
      quantity: leg.quantity,
      multiplier: leg.multiplier,
      implied_vol: leg.impliedVol,
      delta: leg.delta,
      gamma: leg.gamma,
      theta: leg.theta,
      vega: leg.vega,
      price: leg.price,
      greeks_source: leg.greeksSource,
    })),
    hedges_today: { count: row.dailyHedgeCount, limit: details.dailyHedgeLimit ?? null },
    pnl: {
      today_usd: details.dailyPnlUsd ?? null,
      scalping_usd: details.scalpingPnlUsd ?? null,
      option_mtm_usd: details.optionMtmPnlUsd ?? null,
      commissions_usd: details.dailyCommissionsUsd ?? null,
      loss_limit_usd: details.dailyLossLimitUsd ?? null,
      realized_usd: row.dailyRealizedPnlUsd,
      unrealized_usd: row.unrealizedPnlUsd,
    },
    volatility: {
      realized_today: details.realizedVolToday ?? null,
      implied: details.impliedVol ?? null,
      breakeven_move_usd: details.breakevenMoveUsd ?? null,
      breakeven_move_pct: details.breakevenMovePct ?? null,
    },
    last_decision: details.lastDecision
      ? { type: details.lastDecision.type, code: details.lastDecision.code, ts_ms: details.lastDecision.tsMs }
      : null,
    last_operation: operationSummary(inputs.lastOperation),
    config_hash: row.configHash,
    process: { pid: details.pid ?? null, version: details.version ?? null },
    sink: {
      queue_depth: details.sinkQueueDepth ?? null,
      spooled_rows: details.sinkSpooledRows ?? null,
      failed_writes: details.sinkFailedWrites ?? null,
      lost_rows: lostRowsOf(row),
      last_error: details.sinkLastError ?? null,
    },
    daemons,
  };
}

/** The view when the status database itself does not answer: red, nothing else is known. */
/** `detail`: why, when it is safe to show (a timeout; never a driver message that may name hosts). */
export function unreachableStatusView(nowMs: number, daemonId: string | null, detail: string | null = null): StatusView {
  const why = detail === null ? "" : ` (${detail})`;
  const reason: StatusReason = {
    code: "sink_unreachable",
    message: `The status database did not answer${why}, so the daemon's state is unknown; check the database and gs serve's status.* settings.`,
    severity: "red",
  };
  return emptyView(nowMs, daemonId, [reason], []);
}

/** 0 green, 1 yellow, 2 red: the lamp as a number for /metrics. */
export function lampLevel(lamp: Lamp): number {
  switch (lamp) {
    case "green":
      return 0;
    case "yellow":
      return 1;
    case "red":
      return 2;
    default: {
      const unreachable: never = lamp;
      throw new Error(`lamp was ${String(unreachable)}, expected green, yellow or red`);
    }
  }
}

const SELF_CHECK_OF_LAMP: Readonly<Record<Lamp, SelfCheck>> = { green: "ok", yellow: "degraded", red: "blocked" };

/**
 * The named daemon's row; with none named, the configured default's, else the one with the
 * worst lamp (newest first among equals). Never simply the newest: a crashed daemon's row is
 * by construction not the newest, and the default view must not hide it.
 */
export function selectStatusRow(choice: DaemonChoice): StatusRow | null {
  const { rows, daemonId, nowMs, rules } = choice;
  if (daemonId !== null) return rows.find((row) => row.daemonId === daemonId) ?? null;
  const configured = rows.find((row) => row.daemonId === choice.defaultDaemonId);
  if (configured !== undefined) return configured;
  let worst: { row: StatusRow; level: number } | null = null;
  for (const row of rows) {
    const level = lampLevel(lampOf(rowReasons(row, nowMs, rules)));
    if (worst === null || level > worst.level || (level === worst.level && row.tsMs > worst.row.tsMs)) worst = { row, level };
  }
  return worst?.row ?? null;
}

function lostRowsOf(row: StatusRow): number {
  return typeof row.details.sinkLostRows === "number" ? row.details.sinkLostRows : 0;
}

function staleAfterMs(row: StatusRow): number {
  return HEARTBEAT_MISS_FACTOR * row.heartbeatIntervalS * 1000;
}

function lampOf(reasons: readonly StatusReason[]): Lamp {
  if (reasons.some((reason) => reason.severity === "red")) return "red";
  return reasons.length > 0 ? "yellow" : "green";
}

function pushLostRecords(row: StatusRow, red: StatusReason[]): void {
  const lostRows = lostRowsOf(row);
  if (lostRows === 0) return;
  const why = row.details.sinkLastError ? ` (last error: ${row.details.sinkLastError})` : "";
  red.push({ code: "records_lost", message: `The daemon dropped ${lostRows} record(s): its database and its disk spool both failed${why}. The audit trail has a gap; check the disk and the database.`, severity: "red" });
}

function rowReasons(row: StatusRow, nowMs: number, rules: LampRules): StatusReason[] {
  const red: StatusReason[] = [];
  const yellow: StatusReason[] = [];
  const ageMs = nowMs - row.tsMs;
  if (row.state === "STOPPED") {
    red.push({ code: "daemon_stopped", message: "The daemon is stopped: nothing is being hedged.", severity: "red" });
    // What the stop left behind stays true while it is stopped (and its next start shows it again).
    for (const reason of row.blockReasons) if (reason.code === "flatten_failed") red.push({ code: reason.code, message: reason.message, severity: "red" });
    pushLostRecords(row, red);
    return red;
  }
  if (ageMs > staleAfterMs(row)) {
    red.push({
      code: "heartbeat_stale",
      message: `Last heartbeat was ${formatSeconds(ageMs)} ago, expected at most ${formatSeconds(staleAfterMs(row))} (3 x ${row.heartbeatIntervalS} s): the daemon crashed, hangs or lost the database.`,
      severity: "red",
    });
    return red;
  }
  pushLostRecords(row, red);
  if (row.state === "STOPPING") red.push({ code: "daemon_stopping", message: "The daemon is shutting down.", severity: "red" });
  if (-ageMs > CLOCK_SKEW_TOLERANCE_MS) {
    yellow.push({
      code: "clock_skew",
      message: `The daemon's status is ${formatSeconds(-ageMs)} in the future: its clock and this server's disagree.`,
      severity: "yellow",
    });
  }
  if (row.paused || row.state === "PAUSED") yellow.push({ code: "paused", message: "Hedging is paused by an operator.", severity: "yellow" });
  if (NOT_YET_TRADING_STATES.has(row.state)) {
    yellow.push({ code: "not_trading_yet", message: `The daemon is ${row.state}, not yet hedging.`, severity: "yellow" });
  }
  if (!row.brokerConnected) {
    const retry = typeof row.details.nextRetryTsMs === "number" ? `; next retry in ${formatSeconds(row.details.nextRetryTsMs - nowMs)}` : "";
    yellow.push({ code: "broker_not_connected", message: `Not connected to the broker${retry}.`, severity: "yellow" });
  }
  if (row.dataAgeMs === null) {
    if (row.state === "RUNNING") yellow.push({ code: "stale_data", message: "No quote for the underlying yet.", severity: "yellow" });
  } else if (row.dataAgeMs > rules.staleDataMs) {
    yellow.push({
      code: "stale_data",
      message: `Last quote is ${formatSeconds(row.dataAgeMs)} old, expected at most ${formatSeconds(rules.staleDataMs)}.`,
      severity: "yellow",
    });
  }
  const dataKind = row.details.marketDataKind;
  if (dataKind === "delayed" || dataKind === "frozen") {
    yellow.push({ code: "market_data_delayed", message: `Market data is ${dataKind}, not live.`, severity: "yellow" });
  }
  for (const reason of row.blockReasons) addGuardReason(reason, red, yellow);
  if (row.details.hardBlock === true && !red.some((reason) => HARD_GUARD_CODES.has(reason.code))) {
    red.push({ code: "hard_block", message: "A hard guard blocks trading until an operator acts.", severity: "red" });
  }
  return [...red, ...yellow];
}

/** The daemon's own block reasons, minus codes already derived above (paused, stale_data...). */
function addGuardReason(reason: BlockReason, red: StatusReason[], yellow: StatusReason[]): void {
  if ([...red, ...yellow].some((known) => known.code === reason.code)) return;
  const hard = HARD_GUARD_CODES.has(reason.code);
  (hard ? red : yellow).push({ code: reason.code, message: reason.message, severity: hard ? "red" : "yellow" });
}

function emptyView(nowMs: number, daemonId: string | null, reasons: StatusReason[], daemons: DaemonSummary[]): StatusView {
  return {
    generated_at_ms: nowMs,
    daemon_id: daemonId,
    status_lamp: "red",
    self_check: "blocked",
    block_reasons: reasons,
    state: null,
    hedge_state: null,
    paused: false,
    heartbeat: null,
    broker: null,
    market_data: null,
    position: null,
    legs: [],
    hedges_today: null,
    pnl: null,
    volatility: null,
    last_decision: null,
    last_operation: null,
    config_hash: null,
    process: null,
    sink: null,
    daemons,
  };
}

function operationSummary(operation: StoredOperation | null): StatusView["last_operation"] {
  if (operation === null) return null;
  return { id: operation.id, ts_ms: operation.tsMs, type: operation.type, order_ref: operation.orderRef, reason: operation.reason };
}

function formatSeconds(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}
