// After a replay the spool drops the rows it replayed, keeping any appended meanwhile (a copy
// of the rest). When the disk refuses that copy the write loop must neither die nor lose
// rows: the failure shows in health, the rows stay spooled and replay again (idempotent).
import { expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { operationRow } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

describeSinks("spool trim failure", (_makeSink, { kind, makeDatabase }) => {
  // SQLite commits synchronously: nothing can be appended while its replay runs, so its trim
  // always empties the file in place and never needs a copy.
  test.skipIf(kind === "sqlite")("a trim the disk refuses is reported and retried; every row lands once, in order", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("trim.jsonl");
    const rows = Array.from({ length: 250 }, (_, index) => operationRow(index));
    // An earlier run left 200 rows.
    writeFileSync(spoolPath, rows.slice(0, 200).map((row, index) => `${JSON.stringify({ seq: index + 1, write: { type: "operation", row } })}\n`).join(""));
    mkdirSync(`${spoolPath}.tmp`); // the trim's copy cannot be written, as on a full disk
    const sink = target.open({ spoolPath, capacityRows: 50, batchRows: 50, retryIntervalMs: 3_600_000 });
    await sink.migrate(); // the replay starts
    // A full queue spills behind the replay while it awaits the database: the trim must keep these.
    for (const row of rows.slice(200)) sink.writeOperation(row);
    await sink.flush();
    expect(sink.health().lastError).toContain("replayed row(s) could not be trimmed, they replay again");
    expect(sink.health().spooledRows).toBeGreaterThan(0);

    rmSync(`${spoolPath}.tmp`, { recursive: true }); // space is back
    await sink.flush();
    const stored = await sink.queryOperations({ limit: 1_000 });
    expect(stored.reverse().map((row) => row.opId)).toEqual(rows.map((row) => row.opId));
    expect(sink.health()).toMatchObject({ spooledRows: 0, queueDepth: 0 });
  }, 30_000);
});
