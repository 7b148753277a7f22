// Row <-> column mapping for PostgreSQL. Money is NUMERIC(20,6): sent as decimal strings,
// read back as strings (postgres.js keeps NUMERIC and BIGINT exact) and mapped to number.
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
import type { WriterStamp } from "../queued-write.ts";

export type PgValue = string | number | null;
export type PgRecord = Record<string, unknown>;

/** One column of a bulk `INSERT ... SELECT * FROM unnest(...)`: name, array cast, value. */
export interface PgColumn<Row> {
  readonly name: string;
  readonly arrayCast: string;
  readonly value: (row: Row) => PgValue;
}

function decimal(value: number | null): string | null {
  return value === null ? null : String(value);
}

function flag(value: boolean): string {
  return value ? "t" : "f";
}

/** Absent (undefined) is NULL too: a spool line written before its field existed lacks it. */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

const TEXT = "text[]";
const BIGINT = "bigint[]";
const INT = "integer[]";
const NUMERIC = "numeric[]";
const DOUBLE = "float8[]";
// Booleans travel as "t"/"f" text: postgres.js binds a JS boolean array as a scalar boolean.
const BOOL = "text[]::boolean[]";
// Sent as text, cast on the server: a JS string bound straight to jsonb would become a JSON string.
const JSONB = "text[]::jsonb[]";

export const STATUS_COLUMNS: readonly PgColumn<StatusRow>[] = [
  { name: "daemon_id", arrayCast: TEXT, value: (row) => row.daemonId },
  { name: "ts_ms", arrayCast: BIGINT, value: (row) => row.tsMs },
  { name: "state", arrayCast: TEXT, value: (row) => row.state },
  { name: "hedge_state", arrayCast: TEXT, value: (row) => row.hedgeState },
  { name: "symbol", arrayCast: TEXT, value: (row) => row.symbol },
  { name: "spot", arrayCast: NUMERIC, value: (row) => decimal(row.spot) },
  { name: "bid", arrayCast: NUMERIC, value: (row) => decimal(row.bid) },
  { name: "ask", arrayCast: NUMERIC, value: (row) => decimal(row.ask) },
  { name: "portfolio_delta_shares", arrayCast: DOUBLE, value: (row) => row.portfolioDeltaShares },
  { name: "option_delta_shares", arrayCast: DOUBLE, value: (row) => row.optionDeltaShares },
  { name: "hedge_shares", arrayCast: BIGINT, value: (row) => row.hedgeShares },
  { name: "pending_shares", arrayCast: BIGINT, value: (row) => row.pendingShares },
  { name: "legs_count", arrayCast: INT, value: (row) => row.legsCount },
  { name: "daily_hedge_count", arrayCast: INT, value: (row) => row.dailyHedgeCount },
  { name: "daily_realized_pnl_usd", arrayCast: NUMERIC, value: (row) => decimal(row.dailyRealizedPnlUsd) },
  { name: "unrealized_pnl_usd", arrayCast: NUMERIC, value: (row) => decimal(row.unrealizedPnlUsd) },
  { name: "data_age_ms", arrayCast: BIGINT, value: (row) => row.dataAgeMs },
  { name: "broker_connected", arrayCast: BOOL, value: (row) => flag(row.brokerConnected) },
  { name: "paused", arrayCast: BOOL, value: (row) => flag(row.paused) },
  { name: "block_reasons", arrayCast: JSONB, value: (row) => json(row.blockReasons) },
  { name: "config_hash", arrayCast: TEXT, value: (row) => row.configHash },
  { name: "heartbeat_interval_s", arrayCast: DOUBLE, value: (row) => row.heartbeatIntervalS },
  { name: "details", arrayCast: JSONB, value: (row) => json(row.details) },
];

/** Appended to status_current and daily_state: the upsert guard orders by these within a run. */
export const WRITER_COLUMNS: readonly PgColumn<WriterStamp>[] = [
  { name: "writer_run_id", arrayCast: TEXT, value: (row) => row.writerRunId },
  { name: "writer_seq", arrayCast: BIGINT, value: (row) => row.writerSeq },
];

export const OPERATION_COLUMNS: readonly PgColumn<OperationRow>[] = [
  { name: "op_id", arrayCast: TEXT, value: (row) => row.opId },
  { name: "exec_id", arrayCast: TEXT, value: (row) => row.execId },
  { name: "ts_ms", arrayCast: BIGINT, value: (row) => row.tsMs },
  { name: "daemon_id", arrayCast: TEXT, value: (row) => row.daemonId },
  { name: "type", arrayCast: TEXT, value: (row) => row.type },
  { name: "order_ref", arrayCast: TEXT, value: (row) => row.orderRef },
  { name: "broker_order_id", arrayCast: BIGINT, value: (row) => row.brokerOrderId },
  { name: "side", arrayCast: TEXT, value: (row) => row.side },
  { name: "quantity_shares", arrayCast: BIGINT, value: (row) => row.quantityShares },
  { name: "price", arrayCast: NUMERIC, value: (row) => decimal(row.price) },
  { name: "commission_usd", arrayCast: NUMERIC, value: (row) => decimal(row.commissionUsd) },
  { name: "reason", arrayCast: TEXT, value: (row) => row.reason },
  { name: "payload", arrayCast: JSONB, value: (row) => json(row.payload) },
];

export const DAILY_STATE_COLUMNS: readonly PgColumn<DailyState>[] = [
  { name: "daemon_id", arrayCast: TEXT, value: (row) => row.daemonId },
  { name: "trading_day", arrayCast: TEXT, value: (row) => row.tradingDay },
  { name: "hedge_count", arrayCast: INT, value: (row) => row.hedgeCount },
  { name: "realized_pnl_usd", arrayCast: NUMERIC, value: (row) => decimal(row.realizedPnlUsd) },
  { name: "commissions_usd", arrayCast: NUMERIC, value: (row) => decimal(row.commissionsUsd) },
  { name: "last_hedge_ts_ms", arrayCast: BIGINT, value: (row) => row.lastHedgeTsMs },
  { name: "last_hedge_price", arrayCast: NUMERIC, value: (row) => decimal(row.lastHedgePrice) },
  { name: "circuit_breaker_tripped", arrayCast: BOOL, value: (row) => flag(row.circuitBreakerTripped) },
  { name: "updated_at_ms", arrayCast: BIGINT, value: (row) => row.updatedAtMs },
  { name: "pnl_marks", arrayCast: JSONB, value: (row) => json(row.pnlMarks) },
];

export const BAR_COLUMNS: readonly PgColumn<Bar>[] = [
  { name: "symbol", arrayCast: TEXT, value: (row) => row.symbol },
  { name: "bar_seconds", arrayCast: INT, value: (row) => row.barSeconds },
  { name: "ts_ms", arrayCast: BIGINT, value: (row) => row.tsMs },
  { name: "open", arrayCast: NUMERIC, value: (row) => decimal(row.open) },
  { name: "high", arrayCast: NUMERIC, value: (row) => decimal(row.high) },
  { name: "low", arrayCast: NUMERIC, value: (row) => decimal(row.low) },
  { name: "close", arrayCast: NUMERIC, value: (row) => decimal(row.close) },
  { name: "volume", arrayCast: BIGINT, value: (row) => row.volume },
];

/** `INSERT INTO table (...) SELECT * FROM unnest($1::type[], ...)`: one statement, one array per column. */
export function unnestInsertSql<Row>(table: string, columns: readonly PgColumn<Row>[]): string {
  const names = columns.map((column) => column.name).join(", ");
  const arrays = columns.map((column, index) => `$${index + 1}::${column.arrayCast}`).join(", ");
  return `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`;
}

export function upsertSet<Row>(columns: readonly PgColumn<Row>[]): string {
  return columns.map((column) => `${column.name} = EXCLUDED.${column.name}`).join(", ");
}

/** Column-major parameters for `unnestInsertSql`. */
export function columnArrays<Row>(rows: readonly Row[], columns: readonly PgColumn<Row>[]): PgValue[][] {
  return columns.map((column) => rows.map(column.value));
}

function num(value: unknown): number {
  return Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function statusFromRecord(record: PgRecord): StatusRow {
  return {
    daemonId: String(record.daemon_id),
    tsMs: num(record.ts_ms),
    state: String(record.state) as DaemonState,
    hedgeState: String(record.hedge_state),
    symbol: String(record.symbol),
    spot: numOrNull(record.spot),
    bid: numOrNull(record.bid),
    ask: numOrNull(record.ask),
    portfolioDeltaShares: numOrNull(record.portfolio_delta_shares),
    optionDeltaShares: numOrNull(record.option_delta_shares),
    hedgeShares: num(record.hedge_shares),
    pendingShares: num(record.pending_shares),
    legsCount: num(record.legs_count),
    dailyHedgeCount: num(record.daily_hedge_count),
    dailyRealizedPnlUsd: num(record.daily_realized_pnl_usd),
    unrealizedPnlUsd: numOrNull(record.unrealized_pnl_usd),
    dataAgeMs: numOrNull(record.data_age_ms),
    brokerConnected: record.broker_connected === true,
    paused: record.paused === true,
    blockReasons: record.block_reasons as BlockReason[],
    configHash: String(record.config_hash),
    heartbeatIntervalS: num(record.heartbeat_interval_s),
    details: record.details as StatusDetails,
  };
}

export function operationFromRecord(record: PgRecord): StoredOperation {
  return {
    id: num(record.id),
    opId: String(record.op_id),
    execId: strOrNull(record.exec_id),
    tsMs: num(record.ts_ms),
    daemonId: String(record.daemon_id),
    type: String(record.type) as OperationType,
    orderRef: strOrNull(record.order_ref),
    brokerOrderId: numOrNull(record.broker_order_id),
    side: (record.side ?? null) as OperationRow["side"],
    quantityShares: numOrNull(record.quantity_shares),
    price: numOrNull(record.price),
    commissionUsd: numOrNull(record.commission_usd),
    reason: strOrNull(record.reason),
    payload: (record.payload ?? null) as OperationRow["payload"],
  };
}

export function dailyStateFromRecord(record: PgRecord): DailyState {
  return {
    daemonId: String(record.daemon_id),
    tradingDay: String(record.trading_day),
    hedgeCount: num(record.hedge_count),
    realizedPnlUsd: num(record.realized_pnl_usd),
    commissionsUsd: num(record.commissions_usd),
    lastHedgeTsMs: numOrNull(record.last_hedge_ts_ms),
    lastHedgePrice: numOrNull(record.last_hedge_price),
    circuitBreakerTripped: record.circuit_breaker_tripped === true,
    updatedAtMs: num(record.updated_at_ms),
    pnlMarks: dayPnlMarksFrom(record.pnl_marks ?? null),
  };
}

export function controlFromRecord(record: PgRecord): ControlRow {
  return {
    id: num(record.id),
    tsMs: num(record.ts_ms),
    daemonId: String(record.daemon_id),
    command: String(record.command) as ControlCommand,
    args: record.args as ControlRow["args"],
    issuedBy: String(record.issued_by),
    consumedAtMs: numOrNull(record.consumed_at_ms),
    result: strOrNull(record.result),
  };
}

export function barFromRecord(record: PgRecord): Bar {
  return {
    symbol: String(record.symbol),
    barSeconds: num(record.bar_seconds),
    tsMs: num(record.ts_ms),
    open: num(record.open),
    high: num(record.high),
    low: num(record.low),
    close: num(record.close),
    volume: num(record.volume),
  };
}

export function backtestRunFromRecord(record: PgRecord): BacktestRunRow {
  return {
    runId: String(record.run_id),
    startedAtMs: num(record.started_at_ms),
    finishedAtMs: num(record.finished_at_ms),
    configHash: String(record.config_hash),
    dataFingerprint: String(record.data_fingerprint),
    fromDay: String(record.from_day),
    toDay: String(record.to_day),
    summary: record.summary as BacktestRunRow["summary"],
  };
}
