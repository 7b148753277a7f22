// A database that hangs (its backend stopped: the socket stays open, nothing answers, nothing
// errors) must not hang gs: a batch past its deadline goes to the spool and health says
// unreachable, flush() (the daemon's stop path) ends, and the status server answers red
// with the reason instead of never answering. When the backend runs again the spool drains.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresSink } from "../../src/sink/postgres/postgres-sink.ts";
import { createTestDatabase, freezeBackends, postgresAvailability } from "../support/postgres.ts";
import { serverUnderTest } from "../support/server-app.ts";
import { operationRow } from "../support/sink-rows.ts";

const availability = postgresAvailability();
if (!availability.available) console.warn(`hung database: ${availability.reason}`);

const directory = mkdtempSync(join(tmpdir(), "gs-hung-db-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const DEADLINE_MS = 500;

async function openSink(name: string): Promise<{ sink: PostgresSink; url: string }> {
  const database = await createTestDatabase();
  const sink = PostgresSink.open({ url: database.url, spoolPath: join(directory, `${name}.jsonl`), poolSize: 1, batchTimeoutMs: DEADLINE_MS, retryIntervalMs: 3_600_000 });
  await sink.migrate();
  return { sink, url: database.url };
}

/** Resolves with the outcome, or "no answer" after waitMs. */
function within<T>(work: Promise<T>, waitMs: number): Promise<T | "no answer"> {
  return Promise.race([work, Bun.sleep(waitMs).then(() => "no answer" as const)]);
}

describe.if(availability.available)("hung PostgreSQL", () => {
  test("flush() ends within the batch deadline, the rows are spooled, and replayed once it answers again", async () => {
    const { sink, url } = await openSink("daemon");
    sink.writeOperation(operationRow(0));
    await sink.flush(); // the pool's one connection is open
    const frozen = await freezeBackends(url, "gs");
    if (frozen === null) return console.warn("hung database: cannot signal the PostgreSQL backends from here; skipped");
    try {
      for (let index = 1; index <= 50; index += 1) sink.writeOperation(operationRow(index));
      expect(await within(sink.flush().then(() => "flushed"), 5 * DEADLINE_MS)).toBe("flushed");
      const health = sink.health();
      expect(health).toMatchObject({ queueDepth: 0, spooledRows: 50, reachable: false });
      expect(health.lastError).toContain("did not finish within 500 ms");
    } finally {
      frozen.thaw();
    }
    await sink.flush();
    expect(sink.health()).toMatchObject({ queueDepth: 0, spooledRows: 0, reachable: true });
    expect((await sink.queryOperations({ limit: 100 })).length).toBe(51);
    await sink.close();
  }, 30_000);

  test("the status server answers red sink_unreachable with the reason, and /readyz 503", async () => {
    const { sink, url } = await openSink("server");
    const server = serverUnderTest(sink, { readTimeoutMs: DEADLINE_MS });
    await server.request("GET", "/status"); // the pool's one connection is open
    const frozen = await freezeBackends(url, "gs");
    if (frozen === null) return console.warn("hung database: cannot signal the PostgreSQL backends from here; skipped");
    try {
      server.nowMs += 10_000; // past the status cache
      const status = await within(server.request("GET", "/status"), 5 * DEADLINE_MS);
      const ready = await within(server.request("GET", "/readyz"), 5 * DEADLINE_MS);
      const operations = await within(server.request("GET", "/operations"), 5 * DEADLINE_MS);
      expect(status).not.toBe("no answer");
      expect(ready).not.toBe("no answer");
      expect(operations).not.toBe("no answer");
      const view = await (status as Response).json();
      expect(view.status_lamp).toBe("red");
      expect(view.block_reasons[0]).toMatchObject({ code: "sink_unreachable" });
      expect(view.block_reasons[0].message).toContain("did not finish within 500 ms");
      expect((ready as Response).status).toBe(503);
      expect((operations as Response).status).toBe(503);
    } finally {
      frozen.thaw();
    }
    server.events.close();
    await sink.close();
  }, 30_000);
});
