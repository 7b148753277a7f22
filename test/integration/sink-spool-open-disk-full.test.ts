// A full disk while the spool is set up (adopting a dead run's spool) is not a configuration
// error: the daemon waits and retries (stage "spool"), and gets the rows once space is back.
// A spool path that cannot be a file still is one (stage "config", exit 2).
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { openSink, SinkOpenError } from "../../src/sink/open-sink.ts";
import { siblingSpoolPath } from "../../src/sink/spool.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { spawnScriptFileSizeLimited } from "../support/file-size-limited-process.ts";
import { finished } from "../support/sink-process.ts";
import { operationRow } from "../support/sink-rows.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-spool-open-full-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

test("a dead run's spool the full disk cannot take is waited for, then adopted and replayed", async () => {
  const databasePath = join(directory, "gs.db");
  const spoolPath = join(directory, "gs-spool.ndjson");
  const prepared = SqliteSink.open({ path: databasePath, spoolPath: join(directory, "prepare.ndjson") });
  await prepared.migrate(); // the schema is created without the limit
  await prepared.close();
  // An earlier daemon run (dead: nobody holds its lock) spooled 800 rows, about 300 KB.
  const orphan = siblingSpoolPath(spoolPath, 2_147_000_000);
  const entry = (seq: number) => ({ seq, write: { type: "operation", row: operationRow(seq, { payload: { pad: "p".repeat(300) } }) } });
  writeFileSync(orphan, Array.from({ length: 800 }, (_, index) => `${JSON.stringify(entry(index + 1))}\n`).join(""));
  // Files may grow to 64 KiB: adopting the orphan into our spool is refused, as by a full disk.
  const child = spawnScriptFileSizeLimited(join(import.meta.dir, "../support/spool-adoption-disk-full-process.ts"), JSON.stringify({ databasePath, spoolPath }), 64);
  const result = JSON.parse(await finished(child));
  expect(result.log).toHaveLength(1);
  expect(result.log[0]).toContain("status spool unusable, retrying in 5 s");
  expect(result.log[0]).toContain(`cannot use the spool file ${spoolPath} (status.spool_path)`);
  expect(result.stored).toBe(800);
  expect(result.health).toMatchObject({ spooledRows: 0, lostRows: 0, lastError: null });
}, 30_000);

test("a spool path under a regular file is a configuration error", async () => {
  const file = join(directory, "not-a-directory");
  writeFileSync(file, "");
  const overrides = [`status.sqlite.path=${join(directory, "config.db")}`, `status.spool_path=${join(file, "gs-spool.ndjson")}`];
  const error = await openSink(loadConfig({ configPath: null, overrides }).config).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SinkOpenError);
  expect((error as SinkOpenError).stage).toBe("config");
  expect((error as SinkOpenError).message).toContain("(status.spool_path)");
});

test("on a full disk the spool's lock is taken all the same (its pid note is for people) and released whole", async () => {
  const spoolPath = join(directory, "lock-only", "gs-spool.ndjson");
  mkdirSync(dirname(spoolPath), { recursive: true });
  const child = spawnScriptFileSizeLimited(join(import.meta.dir, "../support/spool-lock-full-disk-process.ts"), spoolPath, 0);
  expect(JSON.parse(await finished(child))).toEqual(["taken", "taken"]);
});
