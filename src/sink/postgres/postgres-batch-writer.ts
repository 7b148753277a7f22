// Applies a write batch to PostgreSQL in one transaction: one unnest() statement per table.
import type { Sql } from "postgres";
import type { BatchPlan, BatchWriter, Stamped } from "../queued-write.ts";
import type { DailyState, StatusRow } from "../records.ts";
import { newerWrite, POSTGRES_NOW_MS } from "../writer-order.ts";
import {
  DAILY_STATE_COLUMNS,
  OPERATION_COLUMNS,
  type PgColumn,
  type PgValue,
  STATUS_COLUMNS,
  columnArrays,
  unnestInsertSql,
  upsertSet,
  WRITER_COLUMNS,
} from "./postgres-rows.ts";

const STAMPED_STATUS_COLUMNS: readonly PgColumn<Stamped<StatusRow>>[] = [...STATUS_COLUMNS, ...WRITER_COLUMNS];
const STAMPED_DAILY_STATE_COLUMNS: readonly PgColumn<Stamped<DailyState>>[] = [...DAILY_STATE_COLUMNS, ...WRITER_COLUMNS];
const UPSERT_STATUS = `${unnestInsertSql("status_current", STAMPED_STATUS_COLUMNS)} ON CONFLICT (daemon_id) DO UPDATE SET ${upsertSet(STAMPED_STATUS_COLUMNS)} WHERE ${newerWrite("status_current", "ts_ms", POSTGRES_NOW_MS)}`;
const INSERT_HISTORY = `${unnestInsertSql("status_history", STATUS_COLUMNS)} ON CONFLICT (daemon_id, ts_ms) DO UPDATE SET ${upsertSet(STATUS_COLUMNS)}`;
const INSERT_OPERATIONS = `${unnestInsertSql("operations", OPERATION_COLUMNS)} ON CONFLICT DO NOTHING`;
const UPSERT_DAILY_STATE = `${unnestInsertSql("daily_state", STAMPED_DAILY_STATE_COLUMNS)} ON CONFLICT (daemon_id, trading_day) DO UPDATE SET ${upsertSet(STAMPED_DAILY_STATE_COLUMNS)} WHERE ${newerWrite("daily_state", "updated_at_ms", POSTGRES_NOW_MS)}`;
const COMPLETE_CONTROL = `UPDATE daemon_control AS c SET result = d.result, consumed_at_ms = d.consumed_at_ms
  FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS d (id, result, consumed_at_ms) WHERE c.id = d.id`;

/** Network-level failures from postgres.js and Node sockets. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

export class PostgresBatchWriter implements BatchWriter {
  constructor(private readonly sql: Sql) {}

  async write(plan: BatchPlan): Promise<void> {
    const statements = this.statements(plan);
    const [only] = statements;
    // One statement is its own transaction: skip BEGIN/COMMIT (two round trips per batch).
    if (statements.length === 1 && only !== undefined) {
      await this.sql.unsafe(only.text, only.params);
      return;
    }
    // Several: one transaction, statements pipelined on its connection.
    await this.sql.begin((tx) => statements.map((statement) => tx.unsafe(statement.text, statement.params)));
  }

  private statements(plan: BatchPlan): { readonly text: string; readonly params: PgValue[][] }[] {
    const statements: { readonly text: string; readonly params: PgValue[][] }[] = [];
    if (plan.statusCurrent.length > 0) {
      statements.push({ text: UPSERT_STATUS, params: columnArrays(plan.statusCurrent, STAMPED_STATUS_COLUMNS) });
    }
    if (plan.statusHistory.length > 0) {
      statements.push({ text: INSERT_HISTORY, params: columnArrays(plan.statusHistory, STATUS_COLUMNS) });
    }
    if (plan.operations.length > 0) {
      statements.push({ text: INSERT_OPERATIONS, params: columnArrays(plan.operations, OPERATION_COLUMNS) });
    }
    if (plan.dailyStates.length > 0) {
      statements.push({ text: UPSERT_DAILY_STATE, params: columnArrays(plan.dailyStates, STAMPED_DAILY_STATE_COLUMNS) });
    }
    if (plan.controlResults.length > 0) {
      const done = plan.controlResults;
      statements.push({
        text: COMPLETE_CONTROL,
        params: [done.map((row) => row.id), done.map((row) => row.result), done.map((row) => row.consumedAtMs)],
      });
    }
    return statements;
  }

  /**
   * Only SQLSTATE classes 22 (data exception) and 23 (integrity violation) mean "these rows
   * are wrong"; any other database or network error means "try again later" (spool).
   */
  isUnavailable(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== "string") return false;
    if (CONNECTION_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return !code.startsWith("22") && !code.startsWith("23");
    return false;
  }
}
