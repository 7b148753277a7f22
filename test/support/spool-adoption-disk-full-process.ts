// A daemon's boot-time sink open while the disk under the spool is full: the spool left by
// a dead run cannot be adopted. Run under a file-size limit (spawnScriptFileSizeLimited):
// the first open fails, openSinkPatiently waits; space comes back, the next attempt opens and
// replays the adopted rows. Prints one JSON line: the log and what reached the database.
//
//   bun test/support/spool-adoption-disk-full-process.ts '{"databasePath":"...","spoolPath":"..."}'
import { loadConfig } from "../../src/config/load.ts";
import { memoryDaemonLog } from "../../src/daemon/daemon-log.ts";
import { openSinkPatiently } from "../../src/daemon/open-sink-patiently.ts";
import { FakeClock } from "./fake-clock.ts";
import { freeDiskSpace } from "./file-size-limited-process.ts";

const { databasePath, spoolPath } = JSON.parse(process.argv[2] ?? "{}") as { databasePath: string; spoolPath: string };
const config = loadConfig({ configPath: null, overrides: [`status.sqlite.path=${databasePath}`, `status.spool_path=${spoolPath}`] }).config;
const clock = new FakeClock(Date.UTC(2025, 0, 6, 14));
const lines: string[] = [];
const opening = openSinkPatiently(config, clock, memoryDaemonLog(lines), new Promise(() => {}));
const failed = async (): Promise<boolean> => {
  await Bun.sleep(5);
  return lines.length > 0 || Bun.peek.status(opening) !== "pending";
};
while (!(await failed())) {}
freeDiskSpace();
await clock.advance(5_000);
const sink = await opening;
await sink?.flush();
const stored = (await sink?.queryOperations({ limit: 10_000 }))?.length ?? 0;
console.log(JSON.stringify({ log: lines, stored, health: sink?.health() ?? null }));
await sink?.close();
