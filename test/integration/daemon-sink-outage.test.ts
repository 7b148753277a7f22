// The database goes away while the daemon trades: hedging goes on (the hot path never waits
// for the sink) and every row written meanwhile reaches the database once it is back.
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, quoteAndSettle, runningDaemon, SETTINGS, stopDaemon } from "./daemon-harness.ts";

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
});
