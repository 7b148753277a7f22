// Spool-and-replay contract, on both sinks: while the database refuses writes, batches go
// to the local spool; when it is back they are replayed in order, exactly once — also
// after a restart, and also when some of them had already landed before a crash.
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Sink } from "../../src/sink/port.ts";
import type { OperationRow, StoredOperation } from "../../src/sink/records.ts";
import { Spool, siblingSpoolPath } from "../../src/sink/spool.ts";
import { T0_MS, dailyState, operationRow, statusRow } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

async function storedOpIds(sink: Sink): Promise<string[]> {
  const rows: StoredOperation[] = await sink.queryOperations({ limit: 100_000 });
  return rows.reverse().map((row) => row.opId);
}

function writeOperations(sink: Sink, from: number, count: number): string[] {
  const ids: string[] = [];
  for (let index = from; index < from + count; index += 1) {
    const row = operationRow(index);
    sink.writeOperation(row);
    ids.push(row.opId);
  }
  return ids;
}

function spoolLines(path: string): number {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "").length : 0;
}

// Replays only when a test calls flush(): no timer races in assertions.
const MANUAL_RETRY = { retryIntervalMs: 3_600_000 } as const;

describeSinks("sink spool", (_makeSink, { makeDatabase }) => {
  test("an outage spools every write; the replay lands them in order, exactly once", async () => {
    const target = await makeDatabase();
    const sink = target.open({ ...MANUAL_RETRY, batchRows: 50 });
    await sink.migrate();
    const before = writeOperations(sink, 0, 20);
    await sink.flush();

    await target.interrupt();
    const during = writeOperations(sink, 20, 120);
    sink.writeStatus(statusRow({ tsMs: T0_MS + 9_000, state: "WAITING_BROKER" }), { history: true });
    sink.writeDailyState(dailyState({ hedgeCount: 9, updatedAtMs: T0_MS + 9_000 }));
    await sink.flush();
    expect(sink.health()).toMatchObject({ spooledRows: 122, queueDepth: 0, reachable: false });
    expect(sink.health().failedWrites).toBeGreaterThan(0);
    await sink.flush(); // a second attempt while still down changes nothing
    expect(sink.health().spooledRows).toBe(122);

    await target.restore();
    await sink.flush();
    expect(sink.health()).toMatchObject({ spooledRows: 0, reachable: true });
    expect(await storedOpIds(sink)).toEqual([...before, ...during]);
    expect((await sink.readStatusCurrent("gs-test"))[0]?.state).toBe("WAITING_BROKER");
    expect((await sink.loadDailyState("gs-test", "2025-01-06"))?.hedgeCount).toBe(9);
    expect(await sink.queryHistory({ limit: 10 })).toHaveLength(1);
  }, 30_000);

  test("the spool replays by itself (retry timer, no flush) once the database is back", async () => {
    const target = await makeDatabase();
    const sink = target.open({ retryIntervalMs: 20 });
    await sink.migrate();
    await target.interrupt();
    const ids = writeOperations(sink, 0, 15);
    await sink.flush();
    expect(sink.health().spooledRows).toBe(15);
    await target.restore();
    // Poll (bounded by the test timeout): the replay is driven by the queue's own timer.
    while (sink.health().spooledRows > 0) await Bun.sleep(10);
    expect(await storedOpIds(sink)).toEqual(ids);
  }, 30_000);

  test("writes made after the database is back wait behind the spool", async () => {
    const target = await makeDatabase();
    const sink = target.open({ ...MANUAL_RETRY, batchRows: 10 });
    await sink.migrate();
    await target.interrupt();
    const spooled = writeOperations(sink, 0, 25);
    await sink.flush();
    await target.restore();
    const later = writeOperations(sink, 25, 5);
    await sink.flush();
    expect(await storedOpIds(sink)).toEqual([...spooled, ...later]);
  }, 30_000);

  test("a restart replays the spool the previous process left behind", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("restart.jsonl");
    const first = target.open({ ...MANUAL_RETRY, spoolPath });
    await first.migrate();
    await target.interrupt();
    const ids = writeOperations(first, 0, 30);
    await first.close();
    expect(spoolLines(spoolPath)).toBe(30);
    await target.restore();

    const second = target.open({ ...MANUAL_RETRY, spoolPath });
    expect(second.health().spooledRows).toBe(30);
    await second.migrate(); // starting the queue replays the spool
    await second.flush();
    expect(await storedOpIds(second)).toEqual(ids);
    expect(second.health().spooledRows).toBe(0);
    await second.close();
    expect(existsSync(spoolPath)).toBe(false);
  }, 30_000);

  test("replaying rows that had already landed (crash before the spool was trimmed) writes nothing twice", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("crash.jsonl");
    const writer = target.open({ ...MANUAL_RETRY });
    await writer.migrate();
    const ids = writeOperations(writer, 0, 10);
    writer.writeStatus(statusRow({ tsMs: T0_MS + 5_000 }), { history: true });
    await writer.flush();

    const leftover = new Spool(spoolPath);
    const operations: OperationRow[] = ids.map((_, index) => operationRow(index));
    leftover.append([
      ...operations.map((row, index) => ({ seq: index + 1, write: { type: "operation" as const, row } })),
      { seq: 11, write: { type: "status", row: statusRow({ tsMs: T0_MS + 5_000 }), history: true } },
    ]);
    // (An older status replayed over a newer one of its run: "a replayed spool line older than
    // the stored row of its run" in sink.test.ts.)
    leftover.close();

    const restarted = target.open({ ...MANUAL_RETRY, spoolPath });
    await restarted.migrate();
    await restarted.flush();
    expect(await storedOpIds(restarted)).toEqual(ids);
    expect(await restarted.queryHistory({ limit: 10 })).toHaveLength(1);
    expect((await restarted.readStatusCurrent("gs-test"))[0]?.state).toBe("RUNNING");
  }, 30_000);

  test("a full queue spills to the spool instead of dropping rows", async () => {
    const target = await makeDatabase();
    const sink = target.open({ ...MANUAL_RETRY, capacityRows: 10, batchRows: 5 });
    // Not migrated yet: nothing can be written, so the queue fills and spills.
    const ids = writeOperations(sink, 0, 35);
    await new Promise((resolve) => setImmediate(resolve)); // the spill runs after the caller's task, by itself
    expect(sink.health().spooledRows).toBe(30);
    expect(sink.health().queueDepth).toBe(5);
    await sink.migrate();
    await sink.flush();
    expect(await storedOpIds(sink)).toEqual(ids);
  }, 30_000);

  test("a write to a full queue does no file I/O; the rows are in the spool after flush()", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("full.jsonl");
    const sink = target.open({ ...MANUAL_RETRY, spoolPath, capacityRows: 10, batchRows: 5 });
    const ids = writeOperations(sink, 0, 35); // capacity reached three times, no migrate(): nowhere to write
    expect(existsSync(spoolPath) ? readFileSync(spoolPath, "utf8") : "").toBe("");
    expect(sink.health()).toMatchObject({ spooledRows: 0, queueDepth: 35 });
    await sink.flush();
    expect(spoolLines(spoolPath)).toBe(35);
    expect(sink.health()).toMatchObject({ spooledRows: 35, queueDepth: 0 });
    await sink.migrate();
    await sink.flush();
    expect(await storedOpIds(sink)).toEqual(ids);
    expect(sink.health().spooledRows).toBe(0);
  }, 30_000);

  test("flush() puts a full queue's overflow in the spool before it awaits the database", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("overflow.jsonl");
    const sink = target.open({ ...MANUAL_RETRY, spoolPath, capacityRows: 10, batchRows: 5 });
    await sink.migrate();
    await target.interrupt();
    const ids = writeOperations(sink, 0, 35);
    expect(spoolLines(spoolPath)).toBe(0);
    // A second SIGTERM exits after a short wait for flush(): the overflow must be on disk by
    // the time flush() first yields, whatever the database does next.
    const flushing = sink.flush();
    expect(spoolLines(spoolPath)).toBe(30);
    await flushing;
    expect(sink.health()).toMatchObject({ spooledRows: 35, queueDepth: 0, reachable: false });
    await target.restore();
    await sink.flush();
    expect(await storedOpIds(sink)).toEqual(ids);
  }, 30_000);

  // An upgrade replays what the previous version spooled: its lines lack the fields added since.
  test("spool lines written by older versions replay after the upgrade (daily_state before 004 and 002, status before 003)", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("old-versions.jsonl");
    const { pnlMarks: _marks, ...withoutMarks } = dailyState({ hedgeCount: 7, circuitBreakerTripped: true });
    const before004 = { ...withoutMarks, optionOpenValueUsd: 23_450.125, hedgeOpenUnrealizedUsd: -37.5 };
    const before002 = { ...withoutMarks, tradingDay: "2025-01-03", hedgeCount: 2 };
    const lines = [
      { seq: 1, write: { type: "daily_state", state: before004 } },
      { seq: 2, write: { type: "daily_state", state: before002 } },
      { seq: 3, write: { type: "status", row: statusRow({ tsMs: T0_MS + 1_000 }), history: true } },
    ];
    writeFileSync(spoolPath, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const sink = target.open({ ...MANUAL_RETRY, spoolPath });
    await sink.migrate();
    await sink.flush();
    expect(sink.health()).toMatchObject({ spooledRows: 0, lastError: null });
    expect(existsSync(siblingSpoolPath(spoolPath, "rejected"))).toBe(false);
    expect(await sink.loadDailyState("gs-test", "2025-01-06")).toEqual({ ...withoutMarks, pnlMarks: null });
    expect((await sink.loadDailyState("gs-test", "2025-01-03"))?.hedgeCount).toBe(2);
    expect((await sink.readStatusCurrent("gs-test"))[0]?.tsMs).toBe(T0_MS + 1_000);
  }, 30_000);

  test("a row the database refuses is set aside with its error and does not block the others", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("refuse.jsonl");
    const sink = target.open({ ...MANUAL_RETRY, spoolPath });
    await sink.migrate();
    const bad = operationRow(1, { side: "HOLD" as unknown as "BUY" });
    sink.writeOperation(operationRow(0));
    sink.writeOperation(bad);
    sink.writeOperation(operationRow(2));
    await sink.flush();
    expect(await storedOpIds(sink)).toEqual([operationRow(0).opId, operationRow(2).opId]);
    expect(sink.health()).toMatchObject({ spooledRows: 0, reachable: true });
    expect(sink.health().failedWrites).toBeGreaterThan(0);
    const rejected = readFileSync(siblingSpoolPath(spoolPath, "rejected"), "utf8").trim().split("\n");
    expect(rejected).toHaveLength(1);
    expect(JSON.parse(rejected[0] ?? "{}")).toMatchObject({ write: { type: "operation", row: { opId: bad.opId } } });
  }, 30_000);
});
