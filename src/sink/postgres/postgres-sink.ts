// The PostgreSQL sink: a postgres.js pool, parameterised queries only. Several daemons and
// status servers on different hosts may share one database.
import postgres, { type Sql } from "postgres";
import { claimHolderSql, claimOutcome, claimReleaseSql, claimUpsertSql, type DaemonIdClaim, type DaemonIdClaimant } from "../daemon-claim.ts";
import { pendingMigrations } from "../migration.ts";
import { POSTGRES_NOW_MS } from "../writer-order.ts";
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
import { PostgresBatchWriter } from "./postgres-batch-writer.ts";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.ts";
import {
  BAR_COLUMNS,
  type PgRecord,
  backtestRunFromRecord,
  barFromRecord,
  columnArrays,
  controlFromRecord,
  dailyStateFromRecord,
  operationFromRecord,
  statusFromRecord,
  unnestInsertSql,
  upsertSet,
} from "./postgres-rows.ts";

export interface PostgresSinkOptions extends WritePathOptions {
  readonly url: string;
  readonly poolSize?: number;
  readonly connectTimeoutS?: number;
  /** Longest wait for a row or table lock before the statement fails (and the batch spools). */
  readonly lockTimeoutMs?: number;
}

const STATEMENT_TIMEOUT_MS = 30_000;

/** Serialises concurrent migrators (any host): `pg_advisory_xact_lock` key, "gs schema". */
const MIGRATION_LOCK_KEY = 0x67735f73;

const dollarNumbered = (index: number): string => `$${index}`;
const CLAIM_UPSERT = claimUpsertSql(POSTGRES_NOW_MS, dollarNumbered);
const CLAIM_HOLDER = claimHolderSql(POSTGRES_NOW_MS, dollarNumbered);
const CLAIM_RELEASE = claimReleaseSql(POSTGRES_NOW_MS, dollarNumbered);

const SAVE_BARS = `${unnestInsertSql("bars", BAR_COLUMNS)} ON CONFLICT (symbol, bar_seconds, ts_ms) DO UPDATE SET ${upsertSet(BAR_COLUMNS)}`;

export class PostgresSink extends QueuedSink {
  readonly kind = "postgres";

  private constructor(
    private readonly sql: Sql,
    options: WritePathOptions,
  ) {
    super(new PostgresBatchWriter(sql), options);
  }

  /** Creates the pool (connections open lazily); call migrate() before writing. */
  static open(options: PostgresSinkOptions): PostgresSink {
    const sql = postgres(options.url, {
      max: options.poolSize ?? 4,
      connect_timeout: options.connectTimeoutS ?? 5,
      idle_timeout: 60,
      onnotice: () => {},
      connection: {
        application_name: "gs",
        lock_timeout: options.lockTimeoutMs ?? 5_000,
        // Server-side backstop: a statement the client stopped waiting for (batch deadline,
        // status read deadline) does not hold its locks and connection for long.
        statement_timeout: STATEMENT_TIMEOUT_MS,
      },
    });
    return new PostgresSink(sql, options);
  }

  protected async applyMigrations(): Promise<number> {
    return this.sql.begin(async (tx) => {
      // A migrator may legitimately wait for another one to finish.
      await tx`SET LOCAL lock_timeout = '120s'`;
      await tx`SET LOCAL statement_timeout = '150s'`;
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
      await tx`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)`;
      const applied = new Set((await tx`SELECT version FROM schema_version`).map((row) => Number(row.version)));
      for (const migration of pendingMigrations(POSTGRES_MIGRATIONS, applied)) {
        await tx.unsafe(migration.sql).simple();
        await tx`INSERT INTO schema_version (version, name, applied_at_ms) VALUES (${migration.version}, ${migration.name}, ${Date.now()})`;
      }
      const [row] = await tx`SELECT COALESCE(MAX(version), 0) AS version FROM schema_version`;
      return Number(row?.version);
    });
  }

  protected async closeConnection(): Promise<void> {
    // Bounded: after a network cut postgres.js can wait the whole timeout for a dead socket.
    await this.sql.end({ timeout: 2 });
  }

  async loadDailyState(daemonId: string, tradingDay: string): Promise<DailyState | null> {
    const [row] = await this.sql<PgRecord[]>`SELECT * FROM daily_state WHERE daemon_id = ${daemonId} AND trading_day = ${tradingDay}`;
    return row === undefined ? null : dailyStateFromRecord(row);
  }

  async readStatusCurrent(daemonId?: string): Promise<StatusRow[]> {
    const filter = daemonId === undefined ? this.sql`` : this.sql`WHERE daemon_id = ${daemonId}`;
    const rows = await this.sql<PgRecord[]>`SELECT * FROM status_current ${filter} ORDER BY daemon_id`;
    return rows.map(statusFromRecord);
  }

  async queryOperations(query: OperationQuery): Promise<StoredOperation[]> {
    const { sql } = this;
    const rows = await sql<PgRecord[]>`
      SELECT * FROM operations WHERE TRUE
      ${query.daemonId === undefined ? sql`` : sql`AND daemon_id = ${query.daemonId}`}
      ${query.types === undefined ? sql`` : sql`AND type = ANY(${[...query.types]}::text[])`}
      ${query.orderRef === undefined ? sql`` : sql`AND order_ref = ${query.orderRef}`}
      ${query.sinceMs === undefined ? sql`` : sql`AND ts_ms >= ${query.sinceMs}`}
      ${query.untilMs === undefined ? sql`` : sql`AND ts_ms < ${query.untilMs}`}
      ${query.beforeId === undefined ? sql`` : sql`AND id < ${query.beforeId}`}
      ${query.afterId === undefined ? sql`ORDER BY id DESC` : sql`AND id > ${query.afterId} ORDER BY id ASC`}
      LIMIT ${query.limit}`;
    return rows.map(operationFromRecord);
  }

  async queryHistory(query: HistoryQuery): Promise<StatusRow[]> {
    const { sql } = this;
    const rows = await sql<PgRecord[]>`
      SELECT * FROM status_history WHERE TRUE
      ${query.daemonId === undefined ? sql`` : sql`AND daemon_id = ${query.daemonId}`}
      ${query.sinceMs === undefined ? sql`` : sql`AND ts_ms >= ${query.sinceMs}`}
      ${query.untilMs === undefined ? sql`` : sql`AND ts_ms < ${query.untilMs}`}
      ORDER BY ts_ms DESC, id DESC LIMIT ${query.limit}`;
    return rows.map(statusFromRecord);
  }

  async issueControl(request: ControlRequest): Promise<number> {
    const [row] = await this.sql`
      INSERT INTO daemon_control (ts_ms, daemon_id, command, args, issued_by)
      VALUES (${request.tsMs}, ${request.daemonId}, ${request.command}, ${JSON.stringify(request.args)}::text::jsonb, ${request.issuedBy})
      RETURNING id`;
    return Number(row?.id);
  }

  async claimControl(daemonId: string, claimedAtMs: number): Promise<ControlRow[]> {
    // SKIP LOCKED: a concurrent claimant never waits for nor receives a row another one holds.
    const rows = await this.sql<PgRecord[]>`
      UPDATE daemon_control SET claimed_at_ms = ${claimedAtMs}, consumed_at_ms = ${claimedAtMs}
      WHERE id IN (
        SELECT id FROM daemon_control WHERE daemon_id = ${daemonId} AND consumed_at_ms IS NULL
        ORDER BY id FOR UPDATE SKIP LOCKED)
      AND consumed_at_ms IS NULL
      RETURNING *`;
    return rows.map(controlFromRecord).sort((a, b) => a.id - b.id);
  }

  async getControl(id: number): Promise<ControlRow | null> {
    const [row] = await this.sql<PgRecord[]>`SELECT * FROM daemon_control WHERE id = ${id}`;
    return row === undefined ? null : controlFromRecord(row);
  }

  async saveBacktestRun(run: BacktestRunRow): Promise<void> {
    await this.sql`
      INSERT INTO backtest_runs (run_id, started_at_ms, finished_at_ms, config_hash, data_fingerprint, from_day, to_day, summary)
      VALUES (${run.runId}, ${run.startedAtMs}, ${run.finishedAtMs}, ${run.configHash}, ${run.dataFingerprint},
              ${run.fromDay}, ${run.toDay}, ${JSON.stringify(run.summary)}::text::jsonb)
      ON CONFLICT (run_id) DO UPDATE SET started_at_ms = EXCLUDED.started_at_ms, finished_at_ms = EXCLUDED.finished_at_ms,
        config_hash = EXCLUDED.config_hash, data_fingerprint = EXCLUDED.data_fingerprint,
        from_day = EXCLUDED.from_day, to_day = EXCLUDED.to_day, summary = EXCLUDED.summary`;
  }

  async listBacktestRuns(limit: number): Promise<BacktestRunRow[]> {
    const rows = await this.sql<PgRecord[]>`SELECT * FROM backtest_runs ORDER BY started_at_ms DESC, run_id LIMIT ${limit}`;
    return rows.map(backtestRunFromRecord);
  }

  async getBacktestRun(runId: string): Promise<BacktestRunRow | null> {
    const [row] = await this.sql<PgRecord[]>`SELECT * FROM backtest_runs WHERE run_id = ${runId}`;
    return row === undefined ? null : backtestRunFromRecord(row);
  }

  async saveBars(bars: readonly Bar[]): Promise<void> {
    const chunkRows = 5_000;
    await this.sql.begin(async (tx) => {
      for (let start = 0; start < bars.length; start += chunkRows) {
        await tx.unsafe(SAVE_BARS, columnArrays(bars.slice(start, start + chunkRows), BAR_COLUMNS));
      }
    });
  }

  async loadBars(symbol: string, barSeconds: number, sinceMs: number, untilMs: number): Promise<Bar[]> {
    const rows = await this.sql<PgRecord[]>`
      SELECT * FROM bars WHERE symbol = ${symbol} AND bar_seconds = ${barSeconds}
      AND ts_ms >= ${sinceMs} AND ts_ms < ${untilMs} ORDER BY ts_ms`;
    return rows.map(barFromRecord);
  }

  async claimDaemonId(claimant: DaemonIdClaimant): Promise<DaemonIdClaim> {
    // ON CONFLICT DO UPDATE locks the row and checks the guard on its latest committed version:
    // a concurrent claimant waits for the winner's insert or update, then finds it fresh.
    const won = (await this.sql.unsafe(CLAIM_UPSERT, [claimant.daemonId, claimant.token, claimant.host, claimant.pid, claimant.leaseMs])).length > 0;
    // A statement of its own: its snapshot includes a winner that committed while the upsert waited.
    const holder = won ? undefined : (await this.sql.unsafe<PgRecord[]>(CLAIM_HOLDER, [claimant.daemonId]))[0];
    return claimOutcome(claimant.daemonId, won, holder);
  }

  async releaseDaemonId(daemonId: string, token: string): Promise<void> {
    await this.sql.unsafe(CLAIM_RELEASE, [daemonId, token]);
  }

  /** gs's tables are there (a migration ran here before); asks without creating anything. */
  async hasSchema(): Promise<boolean> {
    const [row] = await this.sql<PgRecord[]>`SELECT to_regclass('schema_version') IS NOT NULL AS present`;
    return row?.present === true;
  }

  async ping(): Promise<boolean> {
    try {
      await this.sql`SELECT 1`;
      return true;
    } catch {
      return false;
    }
  }
}
