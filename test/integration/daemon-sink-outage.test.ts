// The database goes away while the daemon trades: hedging goes on (the hot path never waits
// for the sink) and every row written meanwhile reaches the database once it is back. A
// restart reads its counters only once the spool the earlier run left is in the database.
import { Database } from "bun:sqlite";
import { expect, setDefaultTimeout, test } from "bun:test";
import postgres from "postgres";
import type { GsConfig } from "../../src/config/schema.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { SinkTestOptions, TestDatabaseTarget } from "../support/sinks.ts";
import { describeSinks } from "../support/sinks.ts";
import type { Market } from "./daemon-harness.ts";
import { advanceUntil, createDaemon, createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon, SETTINGS, SPOT, stopDaemon, testConfig } from "./daemon-harness.ts";

/**
 * Opens and migrates a sink whose writes (its spool replay) wait until release(); reads go on.
 * SQLite: another connection holds the write lock (WAL readers are not blocked), taken right
 * after migrate() ran its synchronous body and before the replay task starts. PostgreSQL: a
 * transaction holds the data tables in EXCLUSIVE mode (reads allowed), taken before the open.
 */
async function openWithWritesHeld(database: TestDatabaseTarget, options: SinkTestOptions): Promise<{ sink: Sink; release: () => Promise<void> }> {
  if (database.kind === "sqlite") {
    const sink = database.open(options);
    const migrated = sink.migrate();
    const locker = new Database(database.location);
    locker.run("BEGIN EXCLUSIVE");
    await migrated;
    return { sink, release: async () => (locker.run("COMMIT"), locker.close()) };
  }
  const client = postgres(database.location, { max: 1, onnotice: () => {} });
  const holder = await client.reserve();
  await holder`BEGIN`;
  await holder`LOCK TABLE operations, daily_state, status_current, status_history IN EXCLUSIVE MODE`;
  const sink = database.open(options);
  await sink.migrate();
  return {
    sink,
    release: async () => {
      await holder`COMMIT`;
      holder.release();
      await client.end();
    },
  };
}

/** Opens a sink (migrated earlier) on a database whose path is cut until release(). */
async function openCut(database: TestDatabaseTarget, spoolPath: string): Promise<{ sink: Sink; release: () => Promise<void> }> {
  await database.interrupt();
  return { sink: database.open({ spoolPath, retryIntervalMs: 50 }), release: () => database.restore() };
}

setDefaultTimeout(30_000);

describeSinks("daemon during a sink outage", (_makeSink, context) => {
  test("keeps hedging while the database is unreachable and loses no row", async () => {
    const database = await context.makeDatabase();
    const sink = database.open({ retryIntervalMs: 50, flushIntervalMs: 10 });
    await sink.migrate();
    const { market, running } = await runningDaemon(sink);

    await database.interrupt();
    await quoteAndSettle(market);
    await market.clock.advance(SETTINGS.heartbeatMs);
    const stock = (await market.broker.positions()).find((position) => position.contract.secType === "STK");
    expect(stock?.quantity).toBeLessThan(0); // the hedge was sent and filled during the outage
    await sink.flush();
    expect(sink.health().failedWrites).toBeGreaterThan(0); // the outage was real: batches went to the spool

    await database.restore();
    const reader = database.open();
    let types: string[] = [];
    for (let attempt = 0; attempt < 200 && !types.includes("fill"); attempt++) {
      await Bun.sleep(50);
      types = (await reader.queryOperations({ daemonId: DAEMON_ID, limit: 1_000 })).map((operation) => operation.type);
    }
    expect(types).toEqual(expect.arrayContaining(["hedge_intent", "order_sent", "order_ack", "fill"]));
    expect(await stopDaemon(running, market)).toBe(0);
  });

  /** An earlier run that hedged twice (max_daily_hedges 2) and stopped with the second hedge's rows only in its spool. */
  async function earlierRunLeftSpool(database: TestDatabaseTarget): Promise<{ market: Market; config: GsConfig; spoolPath: string }> {
    const spoolPath = database.spoolPath("daemon-spool.ndjson");
    const base = testConfig();
    const config = { ...base, guards: { ...base.guards, max_daily_hedges: 2 } };
    const first = database.open({ spoolPath, retryIntervalMs: 50 });
    await first.migrate();
    const market = createMarket(config);
    const { running } = await runningDaemon(first, { market, config });
    await quoteAndSettle(market); // hedge 1: in the database
    await first.flush();
    await database.interrupt();
    await market.clock.advance(120_000);
    await quoteAndSettle(market, SPOT * 1.01); // hedge 2: its counters and rows only in the spool
    expect(await stopDaemon(running, market)).toBe(0);
    await first.close();
    expect(first.health().spooledRows).toBeGreaterThan(0);
    await database.restore();
    return { market, config, spoolPath };
  }

  test("a restart after an outage reads its counters only once the earlier run's spool is in the database", async () => {
    const database = await context.makeDatabase();
    const { market, config, spoolPath } = await earlierRunLeftSpool(database);

    // The restart's replay cannot write yet: the daemon must not read (and trade on) the stale counters meanwhile.
    const { sink, release } = await openWithWritesHeld(database, { spoolPath, retryIntervalMs: 50 });
    const second = createDaemon(market, sink, { config });
    const started = second.daemon.start();
    for (let round = 0; round < 20; round++) {
      await Bun.sleep(10);
      await market.clock.advance(1_000);
    }
    expect(second.daemon.state).toBe("IDLE");
    await release();
    await advanceUntil(market, started, 1_000);
    expect(second.daemon.state).toBe("RUNNING");
    expect(second.daemon.statusNow().dailyHedgeCount).toBe(2);
    await market.clock.advance(120_000);
    await quoteAndSettle(market, SPOT * 1.02);
    expect(await operations(sink, ["order_sent"])).toHaveLength(2); // the day's limit was used before the restart
    expect((await sink.loadDailyState(DAEMON_ID, "2024-03-26"))?.hedgeCount).toBe(2);
    expect(await stopDaemon(second, market)).toBe(0);
  });

  test("a spool the database keeps refusing: the wait is logged every minute and shown in STATUS, and a stop ends it at once", async () => {
    const database = await context.makeDatabase();
    const { market, config, spoolPath } = await earlierRunLeftSpool(database);
    // SQLite: each replay attempt times out on the lock. PostgreSQL: the path is cut, so each fails at once.
    const { sink, release } = database.kind === "sqlite" ? await openWithWritesHeld(database, { spoolPath, retryIntervalMs: 50 }) : await openCut(database, spoolPath);
    const second = createDaemon(market, sink, { config });
    try {
      const started = second.daemon.start();
      for (let round = 0; round < 37; round++) { // 185 s of replay attempts, every 5 s
        await Bun.sleep(10);
        await market.clock.advance(5_000);
      }
      expect(second.daemon.state).toBe("IDLE");
      const waiting = second.log.filter((line) => line.includes("wait in the spool"));
      expect(waiting.length).toBeGreaterThanOrEqual(3); // at 0, 60, 120 (and 180) s: not once, not every attempt
      expect(waiting.length).toBeLessThanOrEqual(4);
      expect(waiting.at(-1)).toContain("stopWith=SIGTERM");
      expect(second.announced.at(-1)).toMatch(/^waiting for \d+ spooled row\(s\) of an earlier run to reach the status database \(.*\); only SIGTERM stops it now$/);

      // The stop does not wait for the next replay attempt: the clock stands still.
      second.daemon.requestStop("SIGTERM");
      await started;
      expect(market.clock.armedTimers).toBe(0);
    } finally {
      await release();
    }
    expect(await second.daemon.stopped).toBe(0); // its final flush, once the database takes rows again
  });
});
