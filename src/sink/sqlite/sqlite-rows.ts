// Row <-> column mapping for SQLite. Money and prices are INTEGER micro-units (see
// sql/sqlite/001_init.sql): exact sums, exact round trip for values with <= 6 decimals.
import type {
  BacktestRunRow,
  Bar,
  BlockReason,
  ControlCommand,
  ControlRow,
  DaemonState,
  DailyState,
  OperationRow,
  OperationType,
  StatusDetails,
  StatusRow,
  StoredOperation,
} from "../records.ts";
import { dayPnlMarksFrom } from "../../core/day-pnl.ts";
import { fromMicros, toMicros } from "./micros.ts";

export type SqliteValue = string | number | null;
export type SqliteRecord = Record<string, SqliteValue>;

export function toMicrosOrNull(value: number | null): number | null {
  return value === null ? null : toMicros(value);
}

function fromMicrosColumn(value: SqliteValue): number {
  return fromMicros(Number(value));
}

function fromMicrosOrNull(value: SqliteValue): number | null {
  return value === null ? null : fromMicros(Number(value));
}

function numberOrNull(value: SqliteValue): number | null {
  return value === null ? null : Number(value);
}

function stringOrNull(value: SqliteValue): string | null {
  return value === null ? null : String(value);
}

/** Absent (undefined) is NULL too: a spool line written before its field existed lacks it. */
function jsonTextOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function jsonOrNull(value: SqliteValue): unknown {
  return value === null ? null : JSON.parse(String(value));
}

export const STATUS_COLUMNS = [
  "daemon_id",
  "ts_ms",
  "state",
  "hedge_state",
  "symbol",
  "spot_micros",
  "bid_micros",
  "ask_micros",
  "portfolio_delta_shares",
  "option_delta_shares",
  "hedge_shares",
  "pending_shares",
  "legs_count",
  "daily_hedge_count",
  "daily_realized_pnl_micros",
  "unrealized_pnl_micros",
  "data_age_ms",
  "broker_connected",
  "paused",
  "block_reasons",
  "config_hash",
  "heartbeat_interval_s",
  "details",
] as const;

export function statusValues(row: StatusRow): SqliteValue[] {
  return [
    row.daemonId,
    row.tsMs,
    row.state,
    row.hedgeState,
    row.symbol,
    toMicrosOrNull(row.spot),
    toMicrosOrNull(row.bid),
    toMicrosOrNull(row.ask),
    row.portfolioDeltaShares,
    row.optionDeltaShares,
    row.hedgeShares,
    row.pendingShares,
    row.legsCount,
    row.dailyHedgeCount,
    toMicros(row.dailyRealizedPnlUsd),
    toMicrosOrNull(row.unrealizedPnlUsd),
    row.dataAgeMs,
    row.brokerConnected ? 1 : 0,
    row.paused ? 1 : 0,
    JSON.stringify(row.blockReasons),
    row.configHash,
    row.heartbeatIntervalS,
    JSON.stringify(row.details),
  ];
}

export function statusFromRecord(record: SqliteRecord): StatusRow {
  return {
    daemonId: String(record.daemon_id),
    tsMs: Number(record.ts_ms),
    state: String(record.state) as DaemonState,
    hedgeState: String(record.hedge_state),
    symbol: String(record.symbol),
    spot: fromMicrosOrNull(record.spot_micros ?? null),
    bid: fromMicrosOrNull(record.bid_micros ?? null),
    ask: fromMicrosOrNull(record.ask_micros ?? null),
    portfolioDeltaShares: numberOrNull(record.portfolio_delta_shares ?? null),
    optionDeltaShares: numberOrNull(record.option_delta_shares ?? null),
    hedgeShares: Number(record.hedge_shares),
    pendingShares: Number(record.pending_shares),
    legsCount: Number(record.legs_count),
    dailyHedgeCount: Number(record.daily_hedge_count),
    dailyRealizedPnlUsd: fromMicrosColumn(record.daily_realized_pnl_micros ?? 0),
    unrealizedPnlUsd: fromMicrosOrNull(record.unrealized_pnl_micros ?? null),
    dataAgeMs: numberOrNull(record.data_age_ms ?? null),
    brokerConnected: record.broker_connected === 1,
    paused: record.paused === 1,
    blockReasons: JSON.parse(String(record.block_reasons)) as BlockReason[],
    configHash: String(record.config_hash),
    heartbeatIntervalS: Number(record.heartbeat_interval_s),
    details: JSON.parse(String(record.details)) as StatusDetails,
  };
}

export const OPERATION_COLUMNS = [
  "op_id",
  "exec_id",
  "ts_ms",
  "daemon_id",
  "type",
  "order_ref",
  "broker_order_id",
  "side",
  "quantity_shares",
  "price_micros",
  "commission_micros",
  "reason",
  "payload",
] as const;

export function operationValues(row: OperationRow): SqliteValue[] {
  return [
    row.opId,
    row.execId,
    row.tsMs,
    row.daemonId,
    row.type,
    row.orderRef,
    row.brokerOrderId,
    row.side,
    row.quantityShares,
    toMicrosOrNull(row.price),
    toMicrosOrNull(row.commissionUsd),
    row.reason,
    jsonTextOrNull(row.payload),
  ];
}

export function operationFromRecord(record: SqliteRecord): StoredOperation {
  return {
    id: Number(record.id),
    opId: String(record.op_id),
    execId: stringOrNull(record.exec_id ?? null),
    tsMs: Number(record.ts_ms),
    daemonId: String(record.daemon_id),
    type: String(record.type) as OperationType,
    orderRef: stringOrNull(record.order_ref ?? null),
    brokerOrderId: numberOrNull(record.broker_order_id ?? null),
    side: (record.side ?? null) as OperationRow["side"],
    quantityShares: numberOrNull(record.quantity_shares ?? null),
    price: fromMicrosOrNull(record.price_micros ?? null),
    commissionUsd: fromMicrosOrNull(record.commission_micros ?? null),
    reason: stringOrNull(record.reason ?? null),
    payload: jsonOrNull(record.payload ?? null) as OperationRow["payload"],
  };
}

export const DAILY_STATE_COLUMNS = [
  "daemon_id",
  "trading_day",
  "hedge_count",
  "realized_pnl_micros",
  "commissions_micros",
  "last_hedge_ts_ms",
  "last_hedge_price_micros",
  "circuit_breaker_tripped",
  "updated_at_ms",
  "pnl_marks",
] as const;

export function dailyStateValues(state: DailyState): SqliteValue[] {
  return [
    state.daemonId,
    state.tradingDay,
    state.hedgeCount,
    toMicros(state.realizedPnlUsd),
    toMicros(state.commissionsUsd),
    state.lastHedgeTsMs,
    toMicrosOrNull(state.lastHedgePrice),
    state.circuitBreakerTripped ? 1 : 0,
    state.updatedAtMs,
    jsonTextOrNull(state.pnlMarks),
  ];
}

export function dailyStateFromRecord(record: SqliteRecord): DailyState {
  return {
    daemonId: String(record.daemon_id),
    tradingDay: String(record.trading_day),
    hedgeCount: Number(record.hedge_count),
    realizedPnlUsd: fromMicrosColumn(record.realized_pnl_micros ?? 0),
    commissionsUsd: fromMicrosColumn(record.commissions_micros ?? 0),
    lastHedgeTsMs: numberOrNull(record.last_hedge_ts_ms ?? null),
    lastHedgePrice: fromMicrosOrNull(record.last_hedge_price_micros ?? null),
    circuitBreakerTripped: record.circuit_breaker_tripped === 1,
    updatedAtMs: Number(record.updated_at_ms),
    pnlMarks: dayPnlMarksFrom(record.pnl_marks ?? null),
  };
}

export function controlFromRecord(record: SqliteRecord): ControlRow {
  return {
    id: Number(record.id),
    tsMs: Number(record.ts_ms),
    daemonId: String(record.daemon_id),
    command: String(record.command) as ControlCommand,
    args: JSON.parse(String(record.args)) as ControlRow["args"],
    issuedBy: String(record.issued_by),
    consumedAtMs: numberOrNull(record.consumed_at_ms ?? null),
    result: stringOrNull(record.result ?? null),
  };
}

export function barValues(bar: Bar): SqliteValue[] {
  return [
    bar.symbol,
    bar.barSeconds,
    bar.tsMs,
    toMicros(bar.open),
    toMicros(bar.high),
    toMicros(bar.low),
    toMicros(bar.close),
    bar.volume,
  ];
}

export function barFromRecord(record: SqliteRecord): Bar {
  return {
    symbol: String(record.symbol),
    barSeconds: Number(record.bar_seconds),
    tsMs: Number(record.ts_ms),
    open: fromMicrosColumn(record.open_micros ?? 0),
    high: fromMicrosColumn(record.high_micros ?? 0),
    low: fromMicrosColumn(record.low_micros ?? 0),
    close: fromMicrosColumn(record.close_micros ?? 0),
    volume: Number(record.volume),
  };
}

export function backtestRunFromRecord(record: SqliteRecord): BacktestRunRow {
  return {
    runId: String(record.run_id),
    startedAtMs: Number(record.started_at_ms),
    finishedAtMs: Number(record.finished_at_ms),
    configHash: String(record.config_hash),
    dataFingerprint: String(record.data_fingerprint),
    fromDay: String(record.from_day),
    toDay: String(record.to_day),
    summary: JSON.parse(String(record.summary)) as BacktestRunRow["summary"],
  };
}
