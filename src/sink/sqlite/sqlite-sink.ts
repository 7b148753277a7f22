// The SQLite sink: one bun:sqlite connection in WAL mode, created on first use.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { claimHolderSql, claimOutcome, claimReleaseSql, claimUpsertSql, type DaemonIdClaim, type DaemonIdClaimant } from "../daemon-claim.ts";
import { pendingMigrations } from "../migration.ts";
import { SQLITE_NOW_MS } from "../writer-order.ts";
import { QueuedSink, type WritePathOptions } from "../queued-sink.ts";
import type {
  BacktestRunRow,
  Bar,
  ControlRequest,
  ControlRow,
  DailyState,
  HistoryQuery,
  OperationQuery,
  StatusRow,
  StoredOperation,
} from "../records.ts";
import { SqliteBatchWriter, insertSql } from "./sqlite-batch-writer.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.ts";
import {
  type SqliteRecord,
  type SqliteValue,
  backtestRunFromRecord,
  barFromRecord,
  barValues,
  controlFromRecord,
  dailyStateFromRecord,
  operationFromRecord,
  statusFromRecord,
} from "./sqlite-rows.ts";

export interface SqliteSinkOptions extends Partial<WritePathOptions> {
  /** Database file (parent directories are created), or ":memory:". */
  readonly path: string;
  /** How long a write waits for another process's lock before the batch is spooled. */
  readonly busyTimeoutMs?: number;
}

/**
 * Writes run on the caller's thread (bun:sqlite is synchronous), so a lock wait blocks the
 * event loop: keep it short. gs's own transactions hold the lock for milliseconds; a longer
 * holder makes the batch spool and the replay back off.
 */
const DEFAULT_BUSY_TIMEOUT_MS = 250;

const numbered = (index: number): string => `?${index}`;
const CLAIM_UPSERT = claimUpsertSql(SQLITE_NOW_MS, numbered);
const CLAIM_HOLDER = claimHolderSql(SQLITE_NOW_MS, numbered);
const CLAIM_RELEASE = claimReleaseSql(SQLITE_NOW_MS, numbered);

/** Spool next to the database file: `<db>.spool.jsonl`. */
export function defaultSqliteSpoolPath(databasePath: string): string {
  if (databasePath === ":memory:") return join(tmpdir(), `gs-memory-${process.pid}-${Date.now()}.spool.jsonl`);
  return `${databasePath}.spool.jsonl`;
}

export class SqliteSink extends QueuedSink {
  readonly kind = "sqlite";

  private constructor(
    private readonly db: Database,
    options: WritePathOptions,
  ) {
    super(new SqliteBatchWriter(db), options);
  }

  /** Opens (creating file and directories) without migrating; call migrate() before writing. */
  static open(options: SqliteSinkOptions): SqliteSink {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path, { create: true, readwrite: true });
    const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    switchToWal(db, busyTimeoutMs);
    // NORMAL in WAL mode survives process crashes; a power cut can lose the last batches,
    // which the daemon re-derives from the broker on restart (executions are reconciled).
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = ON");
    return new SqliteSink(db, { ...options, spoolPath: options.spoolPath ?? defaultSqliteSpoolPath(options.path) });
  }

  protected async applyMigrations(): Promise<number> {
    // IMMEDIATE takes the write lock first: a second migrator waits (busy_timeout), then sees the versions.
    this.db.run("BEGIN IMMEDIATE");
    try {
      this.db.run(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)",
      );
      const applied = new Set(this.all("SELECT version FROM schema_version").map((row) => Number(row.version)));
      for (const migration of pendingMigrations(SQLITE_MIGRATIONS, applied)) {
        this.db.run(migration.sql);
        this.db.run("INSERT INTO schema_version (version, name, applied_at_ms) VALUES (?, ?, ?)", [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }
      const version = Number(this.all("SELECT COALESCE(MAX(version), 0) AS version FROM schema_version")[0]?.version);
      this.db.run("COMMIT");
      return version;
    } catch (error) {
      this.db.run("ROLLBACK");
      throw error;
    }
  }

  protected async closeConnection(): Promise<void> {
    this.db.close();
  }

  async loadDailyState(daemonId: string, tradingDay: string): Promise<DailyState | null> {
    const rows = this.all("SELECT * FROM daily_state WHERE daemon_id = ? AND trading_day = ?", [daemonId, tradingDay]);
    return rows[0] === undefined ? null : dailyStateFromRecord(rows[0]);
  }

  async readStatusCurrent(daemonId?: string): Promise<StatusRow[]> {
    const rows =
      daemonId === undefined
        ? this.all("SELECT * FROM status_current ORDER BY daemon_id")
        : this.all("SELECT * FROM status_current WHERE daemon_id = ?", [daemonId]);
    return rows.map(statusFromRecord);
  }

  async queryOperations(query: OperationQuery): Promise<StoredOperation[]> {
    const where: string[] = [];
    const params: SqliteValue[] = [];
    if (query.daemonId !== undefined) (where.push("daemon_id = ?"), params.push(query.daemonId));
    if (query.types !== undefined) {
      where.push(`type IN (${query.types.map(() => "?").join(", ") || "NULL"})`);
      params.push(...query.types);
    }
    if (query.orderRef !== undefined) (where.push("order_ref = ?"), params.push(query.orderRef));
    if (query.sinceMs !== undefined) (where.push("ts_ms >= ?"), params.push(query.sinceMs));
    if (query.untilMs !== undefined) (where.push("ts_ms < ?"), params.push(query.untilMs));
    if (query.beforeId !== undefined) (where.push("id < ?"), params.push(query.beforeId));
    if (query.afterId !== undefined) (where.push("id > ?"), params.push(query.afterId));
    const filter = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
    params.push(query.limit);
    const order = query.afterId === undefined ? "DESC" : "ASC";
    return this.all(`SELECT * FROM operations ${filter} ORDER BY id ${order} LIMIT ?`, params).map(operationFromRecord);
  }

  async queryHistory(query: HistoryQuery): Promise<StatusRow[]> {
    const where: string[] = [];
    const params: SqliteValue[] = [];
    if (query.daemonId !== undefined) (where.push("daemon_id = ?"), params.push(query.daemonId));
    if (query.sinceMs !== undefined) (where.push("ts_ms >= ?"), params.push(query.sinceMs));
    if (query.untilMs !== undefined) (where.push("ts_ms < ?"), params.push(query.untilMs));
    const filter = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
    params.push(query.limit);
    return this.all(`SELECT * FROM status_history ${filter} ORDER BY ts_ms DESC, id DESC LIMIT ?`, params).map(
      statusFromRecord,
    );
  }

  async issueControl(request: ControlRequest): Promise<number> {
    const rows = this.all(
      "INSERT INTO daemon_control (ts_ms, daemon_id, command, args, issued_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
      [request.tsMs, request.daemonId, request.command, JSON.stringify(request.args), request.issuedBy],
    );
    return Number(rows[0]?.id);
  }

  async claimControl(daemonId: string, claimedAtMs: number): Promise<ControlRow[]> {
    // One statement is one atomic write under SQLite's database lock: a row is claimed once.
    const rows = this.all(
      "UPDATE daemon_control SET claimed_at_ms = ?, consumed_at_ms = ? WHERE daemon_id = ? AND consumed_at_ms IS NULL RETURNING *",
      [claimedAtMs, claimedAtMs, daemonId],
    );
    return rows.map(controlFromRecord).sort((a, b) => a.id - b.id);
  }

  async getControl(id: number): Promise<ControlRow | null> {
    const rows = this.all("SELECT * FROM daemon_control WHERE id = ?", [id]);
    return rows[0] === undefined ? null : controlFromRecord(rows[0]);
  }

  async saveBacktestRun(run: BacktestRunRow): Promise<void> {
    this.db.run(
      `INSERT OR REPLACE INTO backtest_runs (run_id, started_at_ms, finished_at_ms, config_hash, data_fingerprint, from_day, to_day, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        run.runId,
        run.startedAtMs,
        run.finishedAtMs,
        run.configHash,
        run.dataFingerprint,
        run.fromDay,
        run.toDay,
        JSON.stringify(run.summary),
      ],
    );
  }

  async listBacktestRuns(limit: number): Promise<BacktestRunRow[]> {
    return this.all("SELECT * FROM backtest_runs ORDER BY started_at_ms DESC, run_id LIMIT ?", [limit]).map(
      backtestRunFromRecord,
    );
  }

  async getBacktestRun(runId: string): Promise<BacktestRunRow | null> {
    const rows = this.all("SELECT * FROM backtest_runs WHERE run_id = ?", [runId]);
    return rows[0] === undefined ? null : backtestRunFromRecord(rows[0]);
  }

  async saveBars(bars: readonly Bar[]): Promise<void> {
    const columns = ["symbol", "bar_seconds", "ts_ms", "open_micros", "high_micros", "low_micros", "close_micros", "volume"];
    const statement = this.db.prepare(`${insertSql("bars", columns).replace("INSERT", "INSERT OR REPLACE")}`);
    this.db.transaction(() => {
      for (const bar of bars) statement.run(...barValues(bar));
    }).immediate();
  }

  async loadBars(symbol: string, barSeconds: number, sinceMs: number, untilMs: number): Promise<Bar[]> {
    return this.all(
      "SELECT * FROM bars WHERE symbol = ? AND bar_seconds = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms",
      [symbol, barSeconds, sinceMs, untilMs],
    ).map(barFromRecord);
  }

  async claimDaemonId(claimant: DaemonIdClaimant): Promise<DaemonIdClaim> {
    // One upsert is one atomic write under SQLite's database lock, whichever process or connection.
    const won = this.all(CLAIM_UPSERT, [claimant.daemonId, claimant.token, claimant.host, claimant.pid, claimant.leaseMs]).length > 0;
    return claimOutcome(claimant.daemonId, won, won ? undefined : this.all(CLAIM_HOLDER, [claimant.daemonId])[0]);
  }

  async releaseDaemonId(daemonId: string, token: string): Promise<void> {
    this.db.run(CLAIM_RELEASE, [daemonId, token]);
  }

  async ping(): Promise<boolean> {
    try {
      this.db.query("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  private all(sql: string, params: readonly SqliteValue[] = []): SqliteRecord[] {
    return this.db.query<SqliteRecord, SqliteValue[]>(sql).all(...params);
  }
}

/**
 * Two processes opening a new database at once (daemon and status server) both switch it to
 * WAL; SQLite answers the loser SQLITE_BUSY at once, without its busy handler, so the switch
 * is retried here within the same busy timeout.
 */
function switchToWal(db: Database, busyTimeoutMs: number): void {
  const deadlineMs = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.run("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= deadlineMs) throw error;
      Bun.sleepSync(5);
    }
  }
}
