// openSink from a GsConfig: the configured sink, migrated; failures are one clear message
// naming the key and the target, with the URL password masked.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import postgresClient from "postgres";
import { SinkOpenError, openExistingSink, openSink } from "../../src/sink/open-sink.ts";
import { createTestDatabase, freeLoopbackPort, postgresAvailability } from "../support/postgres.ts";

function configWith(overrides: readonly string[]) {
  return loadConfig({ configPath: null, overrides: [...overrides] }).config;
}

describe("openSink", () => {
  const directory = mkdtempSync(join(tmpdir(), "gs-open-sink-"));
  const spool = `status.spool_path=${join(directory, "spool.ndjson")}`;

  test("sqlite: creates the database and its directories, migrated and writable", async () => {
    const path = join(directory, "nested", "dir", "gs.db");
    const sink = await openSink(configWith([`status.sqlite.path=${path}`, spool]));
    expect(sink.kind).toBe("sqlite");
    expect(await sink.ping()).toBe(true);
    expect(await sink.migrate()).toBe(5);
    await sink.close();
  });

  test("sqlite: a path that is not a database names the key and the file", async () => {
    const path = join(directory, "not-a-db");
    writeFileSync(path, "this is not sqlite ".repeat(100));
    const error = await openSink(configWith([`status.sqlite.path=${path}`, spool])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    expect(String((error as Error).message)).toContain(`SQLite database ${path} (status.sqlite.path)`);
  });

  test.each([
    ["sqlite", ["status.sink=sqlite"]],
    ["postgres", ["status.sink=postgres", "status.postgres.url=postgres://gs:pw@127.0.0.1:1/gs"]],
  ])("%s: an unusable status.spool_path is blamed on status.spool_path, not the database, and never retried", async (_kind, settings) => {
    const notADirectory = join(directory, "a-file");
    writeFileSync(notADirectory, "");
    const spoolPath = join(notADirectory, "spool.ndjson");
    const error = await openSink(configWith([...settings, `status.sqlite.path=${join(directory, "spool-test.db")}`, `status.spool_path=${spoolPath}`])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    expect((error as Error).message).toStartWith(`cannot use the spool file ${spoolPath} (status.spool_path): `);
    expect((error as SinkOpenError).stage).toBe("config");
  });

  test("postgres: an empty or malformed URL is refused before connecting (even if config checks were bypassed)", async () => {
    const base = configWith([spool]);
    const withUrl = (url: string) => ({ ...base, status: { ...base.status, sink: "postgres" as const, postgres: { ...base.status.postgres, url } } });
    const empty = await openSink(withUrl("")).catch((caught: unknown) => caught);
    expect((empty as Error).message).toContain("status.postgres.url was empty");
    expect((empty as SinkOpenError).stage).toBe("config");
    const wrong = await openSink(withUrl("mysql://u:pw@h/db")).catch((caught: unknown) => caught);
    expect((wrong as Error).message).toContain("status.postgres.url had scheme mysql:");
    expect((wrong as Error).message).not.toContain("pw");
  });

  test("postgres: an unreachable server is one message with the password masked", async () => {
    const port = await freeLoopbackPort();
    const url = `postgres://gs:s3cret-pw@127.0.0.1:${port}/gs`;
    const error = await openSink(configWith(["status.sink=postgres", `status.postgres.url=${url}`, spool])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    const message = (error as Error).message;
    expect(message).toContain(`cannot migrate PostgreSQL at postgres://gs:****@127.0.0.1:${port}/gs (status.postgres.url)`);
    expect(message).toContain("ECONNREFUSED");
    expect(message).not.toContain("s3cret-pw");
    expect((error as SinkOpenError).stage).toBe("migrate");
  }, 20_000);

  const postgres = postgresAvailability();
  test.skipIf(!postgres.available)(`postgres: opens and migrates a real database${postgres.available ? "" : ` (${postgres.reason})`}`, async () => {
    const database = await createTestDatabase();
    try {
      const sink = await openSink(configWith(["status.sink=postgres", `status.postgres.url=${database.url}`, spool]));
      expect(sink.kind).toBe("postgres");
      expect(await sink.ping()).toBe(true);
      await sink.close();
    } finally {
      await database.drop();
    }
  }, 30_000);

  test.skipIf(!postgres.available)("postgres: a server that refuses the user or names no such database is a configuration error (stage config), not a wait", async () => {
    const database = await createTestDatabase();
    const server = new URL(database.url);
    const cases = [
      { url: `postgres://no_such_gs_role:pw@${server.host}/${server.pathname.slice(1)}`, expected: "expected a user the server lets in" },
      { url: `postgres://${server.username}@${server.host}/no_such_gs_database`, expected: "expected an existing database" },
    ];
    for (const { url, expected } of cases) {
      const error = await openSink(configWith(["status.sink=postgres", `status.postgres.url=${url}`, spool])).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SinkOpenError);
      expect((error as SinkOpenError).stage).toBe("config");
      expect((error as Error).message).toContain(expected);
      expect((error as Error).message).not.toContain(":pw@");
    }
    await database.drop();
  }, 30_000);

  test.skipIf(!postgres.available)("postgres: a refusal that stays (another application's table of the same name) is a configuration error, not an outage waited out", async () => {
    const database = await createTestDatabase();
    const admin = postgresClient(database.url, { max: 1, onnotice: () => {} });
    await admin`CREATE TABLE operations (id TEXT)`;
    await admin.end();
    const error = await openSink(configWith(["status.sink=postgres", `status.postgres.url=${database.url}`, spool])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    expect((error as SinkOpenError).stage).toBe("config");
    expect((error as Error).message).toContain("42P07");
    expect((error as Error).message).toContain("expected a database of gs's own");
    await database.drop();
  }, 30_000);

  test.skipIf(!postgres.available)("postgres: a server that only reads (a standby mid-failover, 25006) is waited out (stage migrate), not a configuration error", async () => {
    const database = await createTestDatabase();
    const admin = postgresClient(database.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`ALTER DATABASE "${new URL(database.url).pathname.slice(1)}" SET default_transaction_read_only = on`);
    await admin.end();
    const error = await openSink(configWith(["status.sink=postgres", `status.postgres.url=${database.url}`, spool])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    expect((error as SinkOpenError).stage).toBe("migrate");
    expect((error as Error).message).toContain("25006");
    await database.drop();
  }, 30_000);

  test("sqlite: the commands that only read or queue refuse an in-memory database", async () => {
    const error = await openExistingSink(configWith(["status.sqlite.path=:memory:", spool])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    expect((error as Error).message).toContain("an in-memory database, which holds nothing a daemon wrote");
  });

  test.skipIf(!postgres.available)("postgres: the commands that only read or queue refuse a database without gs's tables, and create none there", async () => {
    const database = await createTestDatabase();
    const config = configWith(["status.sink=postgres", `status.postgres.url=${database.url}`, spool]);
    const error = await openExistingSink(config).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkOpenError);
    expect((error as SinkOpenError).stage).toBe("config");
    expect((error as Error).message).toContain("has no gs tables");
    const admin = postgresClient(database.url, { max: 1, onnotice: () => {} });
    const [row] = await admin<{ tables: number }[]>`SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'`;
    expect(row?.tables).toBe(0);
    await admin.end();
    // Once a daemon (or gs migrate) has created them, the same command opens it.
    await (await openSink(config)).close();
    await (await openExistingSink(config)).close();
    await database.drop();
  }, 30_000);

  afterAll(() => rmSync(directory, { recursive: true, force: true }));
});
