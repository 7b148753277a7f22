// Upgrading a database written by an older gs: a daily_state row from schema 1 survives
// the later migrations and reads back with unknown (null) PnL marks; new rows keep them.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import postgres from "postgres";
import sqliteInit from "../../sql/sqlite/001_init.sql" with { type: "text" };
import postgresInit from "../../sql/postgres/001_init.sql" with { type: "text" };
import { T0_MS, dailyState } from "../support/sink-rows.ts";
import { describeSinks, type TestDatabaseTarget } from "../support/sinks.ts";

/** Brings an empty database to schema 1 with one daily_state row, as gs before 002 left it. */
async function schemaOneWithARow(target: TestDatabaseTarget): Promise<void> {
  const versionTable = "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)";
  if (target.kind === "sqlite") {
    const db = new Database(target.location, { create: true, readwrite: true });
    db.run(sqliteInit);
    db.run(versionTable);
    db.run("INSERT INTO schema_version VALUES (1, '001_init', 0)");
    db.run(
      "INSERT INTO daily_state (daemon_id, trading_day, hedge_count, realized_pnl_micros, commissions_micros, last_hedge_ts_ms, last_hedge_price_micros, circuit_breaker_tripped, updated_at_ms) VALUES ('gs-test', '2025-01-06', 4, 212500000, 4050000, ?, 581370000, 0, ?)",
      [T0_MS, T0_MS],
    );
    db.close();
    return;
  }
  const sql = postgres(target.location, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(postgresInit).simple();
    await sql.unsafe(versionTable);
    await sql`INSERT INTO schema_version VALUES (1, '001_init', 0)`;
    await sql`INSERT INTO daily_state (daemon_id, trading_day, hedge_count, realized_pnl_usd, commissions_usd, last_hedge_ts_ms, last_hedge_price, circuit_breaker_tripped, updated_at_ms)
      VALUES ('gs-test', '2025-01-06', 4, 212.5, 4.05, ${T0_MS}, 581.37, false, ${T0_MS})`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

describeSinks("sink migrations", (_makeSink, { makeDatabase }) => {
  test("a schema-1 daily_state row reads back after the later migrations with null PnL marks", async () => {
    const target = await makeDatabase();
    await schemaOneWithARow(target);
    const sink = target.open();
    expect(await sink.migrate()).toBe(5);
    expect(await sink.loadDailyState("gs-test", "2025-01-06")).toEqual(dailyState({ pnlMarks: null }));
    sink.writeDailyState(dailyState({ updatedAtMs: T0_MS + 1 }));
    await sink.flush();
    expect(await sink.loadDailyState("gs-test", "2025-01-06")).toEqual(dailyState({ updatedAtMs: T0_MS + 1 }));
  });
});
