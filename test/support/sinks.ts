// Run one suite against both sinks: SQLite (a temp file) and PostgreSQL (a fresh database
// on the test server, see postgres.ts). Other suites reuse this for "both sinks" tests:
//
//   describeSinks("daemon status", (makeSink) => {
//     test("writes a heartbeat", async () => {
//       const sink = await makeSink();          // fresh database, migrated, closed after the suite
//       sink.writeStatus(row, { history: true });
//       await sink.flush();
//       expect(await sink.readStatusCurrent("d1")).toHaveLength(1);
//     });
//   });
//
// Where PostgreSQL is unavailable, its half is registered as skipped with the reason in
// its name (and printed), never silently dropped.
import { afterAll, describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sink } from "../../src/sink/port.ts";
import { PostgresSink } from "../../src/sink/postgres/postgres-sink.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { createTestDatabase, postgresAvailability } from "./postgres.ts";
import { TcpProxy } from "./tcp-proxy.ts";

export type SinkKind = "sqlite" | "postgres";

/** Write-path tuning for tests (e.g. short retries, small batches). */
export interface SinkTestOptions {
  readonly spoolPath?: string;
  readonly batchRows?: number;
  readonly capacityRows?: number;
  readonly flushIntervalMs?: number;
  readonly retryIntervalMs?: number;
}

/** Where a test database lives: a file path (sqlite) or a URL (postgres). */
export interface SinkLocation {
  readonly kind: SinkKind;
  readonly location: string;
}

export interface TestDatabaseTarget extends SinkLocation {
  /** Opens another sink on this database (not migrated). Closed after the suite. */
  open(options?: SinkTestOptions): Sink;
  /**
   * Makes the database refuse writes until restore(). SQLite: another connection holds an
   * EXCLUSIVE lock (writers time out with SQLITE_BUSY). PostgreSQL: the TCP path to the
   * server is cut (open connections reset, new ones refused).
   */
  interrupt(): Promise<void>;
  /**
   * PostgreSQL only: the server stops answering while every connection stays open (a stopped
   * backend, a stuck proxy: nothing errors) until restore(), which resets the hung connections.
   * An SQLite file cannot hang that way: it throws.
   */
  hang(): void;
  restore(): Promise<void>;
  /** A spool path in this target's private temp directory. */
  spoolPath(name: string): string;
}

export interface SinkTestContext {
  readonly kind: SinkKind;
  /** A fresh database with its own helpers, for tests that need more than one sink on it. */
  makeDatabase(): Promise<TestDatabaseTarget>;
}

export type MakeSink = (options?: SinkTestOptions) => Promise<Sink>;

/** Short busy timeout in tests: a locked SQLite file spools in 100 ms instead of 2 s. */
const TEST_SQLITE_BUSY_TIMEOUT_MS = 100;

export function describeSinks(name: string, body: (makeSink: MakeSink, context: SinkTestContext) => void): void {
  for (const kind of ["sqlite", "postgres"] as const) {
    if (kind === "postgres") {
      const availability = postgresAvailability();
      if (!availability.available) {
        console.warn(`${name} [postgres]: ${availability.reason}`);
        describe.skip(`${name} [postgres] (${availability.reason})`, () => body(unavailable, { kind, makeDatabase: unavailable }));
        continue;
      }
    }
    describe(`${name} [${kind}]`, () => {
      const cleanups: (() => Promise<void>)[] = [];
      afterAll(async () => {
        for (const cleanup of cleanups.reverse()) await cleanup();
      }, 120_000);
      const makeDatabase = async (): Promise<TestDatabaseTarget> => {
        const target = kind === "sqlite" ? createSqliteTarget() : await createPostgresTarget();
        cleanups.push(target.cleanup);
        return target;
      };
      const makeSink: MakeSink = async (options) => {
        const target = await makeDatabase();
        const sink = target.open(options);
        await sink.migrate();
        return sink;
      };
      body(makeSink, { kind, makeDatabase });
    });
  }
}

function unavailable(): never {
  throw new Error("PostgreSQL is unavailable in this run");
}

interface OwnedTarget extends TestDatabaseTarget {
  cleanup(): Promise<void>;
}

function trackSinks(directory: string, openSink: (options: SinkTestOptions, spoolPath: string) => Sink) {
  const sinks: Sink[] = [];
  let opened = 0;
  return {
    open(options: SinkTestOptions = {}): Sink {
      opened += 1;
      const sink = openSink(options, options.spoolPath ?? join(directory, `spool-${opened}.jsonl`));
      sinks.push(sink);
      return sink;
    },
    async closeAll(): Promise<void> {
      for (const sink of sinks) await sink.close().catch(() => {});
    },
  };
}

function createSqliteTarget(): OwnedTarget {
  const directory = mkdtempSync(join(tmpdir(), "gs-sink-test-"));
  const path = join(directory, "gs.db");
  const tracked = trackSinks(directory, (options, spoolPath) =>
    SqliteSink.open({ ...options, path, spoolPath, busyTimeoutMs: TEST_SQLITE_BUSY_TIMEOUT_MS }),
  );
  let locker: import("bun:sqlite").Database | null = null;
  const release = (): void => {
    locker?.run("COMMIT");
    locker?.close();
    locker = null;
  };
  return {
    kind: "sqlite",
    location: path,
    open: tracked.open,
    spoolPath: (name) => join(directory, name),
    async interrupt() {
      const { Database } = await import("bun:sqlite");
      locker = new Database(path);
      locker.run("BEGIN EXCLUSIVE");
    },
    hang() {
      throw new Error("an SQLite sink cannot hang like a database server: use interrupt(), or run the test on PostgreSQL only");
    },
    async restore() {
      release();
    },
    async cleanup() {
      release();
      await tracked.closeAll();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function createPostgresTarget(): Promise<OwnedTarget> {
  const database = await createTestDatabase();
  const directory = mkdtempSync(join(tmpdir(), "gs-sink-test-"));
  const direct = new URL(database.url);
  const proxy = await TcpProxy.start(Number(direct.port));
  const viaProxy = new URL(database.url);
  viaProxy.port = String(proxy.port);
  const tracked = trackSinks(directory, (options, spoolPath) =>
    PostgresSink.open({ ...options, url: viaProxy.toString(), spoolPath, connectTimeoutS: 2 }),
  );
  return {
    kind: "postgres",
    location: viaProxy.toString(),
    open: tracked.open,
    spoolPath: (name) => join(directory, name),
    interrupt: () => proxy.cut(),
    hang: () => proxy.freeze(),
    restore: () => proxy.restore(),
    async cleanup() {
      await proxy.restore();
      await tracked.closeAll();
      await proxy.close();
      await database.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
