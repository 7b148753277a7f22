// The spool on a full disk: a short write must neither count rows it did not write nor
// leave a half line, and the rows it could not take stay in memory (in order, up to the
// queue's capacity) and reach the database when it is back. Beyond that capacity rows are
// lost, counted in health().lostRows and named in lastError.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { type FileSizeLimitedJob, spawnFileSizeLimited } from "../support/file-size-limited-process.ts";
import { finished } from "../support/sink-process.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-spool-full-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Files may grow to 512 KiB: the spool (about 1 KB a status row) fills, the database (one status row) does not. */
const LIMIT_KB = 512;

async function runLimited(name: string, job: Omit<FileSizeLimitedJob, "databasePath" | "spoolPath">): Promise<Record<string, any>[]> {
  const databasePath = join(directory, `${name}.db`);
  const prepared = SqliteSink.open({ path: databasePath, spoolPath: join(directory, `${name}-prepare.ndjson`) });
  await prepared.migrate(); // schema created without the limit; the child only adds rows
  await prepared.close();
  const child = spawnFileSizeLimited({ ...job, databasePath, spoolPath: join(directory, `${name}.ndjson`) }, LIMIT_KB);
  return (await finished(child)).split("\n").map((line) => JSON.parse(line));
}

describe("spool on a full disk", () => {
  test("rows the spool could not take stay in memory, the file stays line-clean, nothing is lost", async () => {
    const [outage, recovered] = await runLimited("fits-in-memory", { statusRows: 3_000, operationEvery: 100, capacityRows: 100_000 });
    expect(outage?.spool.endsWithNewline).toBe(true);
    expect(outage?.spool.parsed).toBe(outage?.spool.lines);
    expect(outage?.health.spooledRows).toBe(outage?.spool.lines);
    expect(outage?.health.spooledRows).toBeGreaterThan(0);
    expect(outage?.health.queueDepth).toBe(outage!.written - outage!.health.spooledRows);
    expect(outage?.health.lastError).toContain("could not take");
    expect(outage?.health.lostRows).toBe(0);
    expect(recovered?.storedOperations).toBe(recovered?.operations);
    expect(recovered?.lastHedgeCount).toBe(2_999);
    expect(recovered?.health).toMatchObject({ queueDepth: 0, spooledRows: 0, lostRows: 0, reachable: true });
  }, 60_000);

  test("past the queue's capacity rows are counted as lost and named, not silently dropped", async () => {
    const [outage] = await runLimited("over-capacity", { statusRows: 3_000, operationEvery: 100, capacityRows: 1_000 });
    expect(outage?.spool.endsWithNewline).toBe(true);
    expect(outage?.health.lostRows).toBeGreaterThan(0);
    expect(outage!.health.spooledRows + outage!.health.queueDepth + outage!.health.lostRows).toBe(outage?.written);
    expect(outage?.health.lastError).toMatch(/\d+ row\(s\) lost/);
  }, 60_000);
});
