// /events streams every operation exactly once even when rows do not appear in id order
// (two writers on one PostgreSQL: the id is taken at INSERT, the row shows at COMMIT) and
// when a burst is larger than one poll reads.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { OPERATION_WINDOW_IDS } from "../../src/server/operation-cursor.ts";
import { PostgresSink } from "../../src/sink/postgres/postgres-sink.ts";
import { createTestDatabase, postgresAvailability } from "../support/postgres.ts";
import { serverUnderTest } from "../support/server-app.ts";
import { operationRow } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";
import { sseReader } from "../support/sse-reader.ts";

setDefaultTimeout(60_000);

const availability = postgresAvailability();
const directory = mkdtempSync(join(tmpdir(), "gs-events-order-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Operation ids streamed until `count` have arrived. */
async function streamedIds(events: ReturnType<typeof sseReader>, count: number): Promise<number[]> {
  const ids: number[] = [];
  while (ids.length < count) ids.push(Number((await events.next((event) => event.event === "operation")).id));
  return ids;
}

describeSinks("/events paging", (makeSink) => {
  test("a burst larger than one poll's read is streamed whole, in id order, each row once", async () => {
    const sink = await makeSink();
    const server = serverUnderTest(sink, { pollMs: 10, maxReplayRows: 100 });
    const events = sseReader(await server.request("GET", "/events"));
    await events.next((event) => event.event === "status");
    const burst = OPERATION_WINDOW_IDS + 700; // more than window + maxReplayRows: three polls at least
    for (let index = 0; index < burst; index += 1) sink.writeOperation(operationRow(index));
    await sink.flush();
    const ids = await streamedIds(events, burst);
    expect(new Set(ids).size).toBe(burst);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Nothing more arrives: a later row is the next event.
    sink.writeOperation(operationRow(burst));
    await sink.flush();
    const [next] = await streamedIds(events, 1);
    expect(next).toBe(Math.max(...ids) + 1);
    await events.cancel();
    server.events.close();
  });
});

describe.if(availability.available)("/events on a shared PostgreSQL", () => {
  test("a row committed after a higher id was streamed is streamed too, and no row twice", async () => {
    const database = await createTestDatabase();
    const sink = PostgresSink.open({ url: database.url, spoolPath: join(directory, "spool.jsonl") });
    await sink.migrate();
    const server = serverUnderTest(sink, { pollMs: 20 });
    const events = sseReader(await server.request("GET", "/events"));
    await events.next((event) => event.event === "status");

    // Another daemon's batch: its INSERT has taken an id, its COMMIT has not happened yet.
    const other = postgres(database.url, { max: 1, onnotice: () => {} });
    let commit = (): void => {};
    const inserted = Promise.withResolvers<void>();
    const committed = other.begin(async (tx) => {
      await tx`INSERT INTO operations (op_id, ts_ms, daemon_id, type) VALUES ('gs-b:1', 1, 'gs-b', 'fill')`;
      inserted.resolve();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await inserted.promise;
    sink.writeOperation(operationRow(1, { daemonId: "gs-a", opId: "gs-a:1" })); // a higher id, committed first
    await sink.flush();
    const [first] = await streamedIds(events, 1);
    commit();
    await committed;
    const [second] = await streamedIds(events, 1);
    expect([first, second]).toEqual([2, 1]);
    // Both stay streamed once: the next event is the next new row.
    sink.writeOperation(operationRow(2, { daemonId: "gs-a", opId: "gs-a:2" }));
    await sink.flush();
    expect(await streamedIds(events, 1)).toEqual([3]);
    await events.cancel();
    server.events.close();
    await other.end();
    await sink.close();
  });
});
