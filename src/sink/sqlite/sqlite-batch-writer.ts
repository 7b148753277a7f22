// Applies a write batch to SQLite in one IMMEDIATE transaction with prepared statements.
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";
import type { BatchPlan, BatchWriter } from "../queued-write.ts";
import { newerWrite, SQLITE_NOW_MS } from "../writer-order.ts";
import {
  DAILY_STATE_COLUMNS,
  OPERATION_COLUMNS,
  STATUS_COLUMNS,
  dailyStateValues,
  operationValues,
  type SqliteValue,
  statusValues,
} from "./sqlite-rows.ts";

/**
 * SQLite result codes that mean "these rows are wrong". Every other SQLite error (busy,
 * locked, read-only, I/O, full, ...) means "try again later": when in doubt, spool, since
 * a spooled row is kept and a refused row is set aside.
 */
const REFUSAL_CODES = ["SQLITE_CONSTRAINT", "SQLITE_MISMATCH", "SQLITE_TOOBIG", "SQLITE_RANGE"];

interface Statements {
  readonly upsertStatus: Statement;
  readonly insertHistory: Statement;
  readonly insertOperation: Statement;
  readonly upsertDailyState: Statement;
  readonly completeControl: Statement;
}

export class SqliteBatchWriter implements BatchWriter {
  private statements: Statements | null = null;
  private readonly transaction: (plan: BatchPlan) => void;

  constructor(private readonly db: Database) {
    this.transaction = db.transaction((plan: BatchPlan) => this.apply(plan)).immediate;
  }

  async write(plan: BatchPlan): Promise<void> {
    this.transaction(plan);
  }

  isUnavailable(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    // Errors without an SQLite code come from mapping the rows (e.g. unserialisable payload).
    return typeof code === "string" && code.startsWith("SQLITE_") && !REFUSAL_CODES.some((prefix) => code.startsWith(prefix));
  }

  // Values are bound as one array (bun:sqlite accepts it): measured faster than spreading
  // them, and faster than 50-row multi-VALUES statements.
  private apply(plan: BatchPlan): void {
    const statements = this.prepared();
    for (const row of plan.statusCurrent) statements.upsertStatus.run(bindings([...statusValues(row), row.writerRunId, row.writerSeq]));
    for (const row of plan.statusHistory) statements.insertHistory.run(bindings(statusValues(row)));
    for (const row of plan.operations) statements.insertOperation.run(bindings(operationValues(row)));
    for (const state of plan.dailyStates) statements.upsertDailyState.run(bindings([...dailyStateValues(state), state.writerRunId, state.writerSeq]));
    for (const done of plan.controlResults) statements.completeControl.run(done.result, done.consumedAtMs, done.id);
  }

  // Prepared on first use: the tables exist only after migrate().
  private prepared(): Statements {
    this.statements ??= {
      upsertStatus: this.db.prepare(
        `${insertSql("status_current", [...STATUS_COLUMNS, ...WRITER_COLUMNS])} ON CONFLICT (daemon_id) DO UPDATE SET ${updateSet([...STATUS_COLUMNS, ...WRITER_COLUMNS])} WHERE ${newerWrite("status_current", "ts_ms", SQLITE_NOW_MS)}`,
      ),
      insertHistory: this.db.prepare(
        `${insertSql("status_history", STATUS_COLUMNS)} ON CONFLICT (daemon_id, ts_ms) DO UPDATE SET ${updateSet(STATUS_COLUMNS)}`,
      ),
      insertOperation: this.db.prepare(`${insertSql("operations", OPERATION_COLUMNS)} ON CONFLICT DO NOTHING`),
      upsertDailyState: this.db.prepare(
        `${insertSql("daily_state", [...DAILY_STATE_COLUMNS, ...WRITER_COLUMNS])} ON CONFLICT (daemon_id, trading_day) DO UPDATE SET ${updateSet([...DAILY_STATE_COLUMNS, ...WRITER_COLUMNS])} WHERE ${newerWrite("daily_state", "updated_at_ms", SQLITE_NOW_MS)}`,
      ),
      completeControl: this.db.prepare("UPDATE daemon_control SET result = ?, consumed_at_ms = ? WHERE id = ?"),
    };
    return this.statements;
  }
}

export function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
}

/** Positional values as the single array argument bun:sqlite binds by index. */
function bindings(values: SqliteValue[]): SQLQueryBindings {
  return values as unknown as SQLQueryBindings;
}

const WRITER_COLUMNS = ["writer_run_id", "writer_seq"];

function updateSet(columns: readonly string[]): string {
  return columns.map((column) => `${column} = excluded.${column}`).join(", ");
}
