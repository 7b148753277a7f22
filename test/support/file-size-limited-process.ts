// Runs a sink scenario in a child process whose files may not grow past a size limit
// (soft RLIMIT_FSIZE, `ulimit -S -f`): the kernel then answers a write crossing the limit
// with a short count and the next one with EFBIG, as a full disk answers with a short count
// and ENOSPC, without needing a root-mounted small filesystem. Raising the soft limit to the
// hard one (setrlimit through bun:ffi) is "space came back".
//
//   bun test/support/file-size-limited-process.ts '{"databasePath":"...","spoolPath":"...","statusRows":3000}'
// prints one JSON line per phase: "outage" (database locked, spool full) and "recovered"
// (space back, database unlocked, flushed).
import { dlopen, ptr } from "bun:ffi";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { operationRow, statusRow, T0_MS } from "./sink-rows.ts";

export interface FileSizeLimitedJob {
  readonly databasePath: string;
  readonly spoolPath: string;
  readonly statusRows: number;
  /** Every this many status rows, one operation row. */
  readonly operationEvery: number;
  readonly capacityRows: number;
}

/** Spawns the scenario with files limited to `limitKb` KiB. */
export function spawnFileSizeLimited(job: FileSizeLimitedJob, limitKb: number): Bun.Subprocess<"ignore", "pipe", "pipe"> {
  return spawnScriptFileSizeLimited(import.meta.path, JSON.stringify(job), limitKb);
}

/** Runs `bun <script> <argument>` with files limited to `limitKb` KiB; SIGXFSZ ignored so the write fails instead of killing it. */
export function spawnScriptFileSizeLimited(script: string, argument: string, limitKb: number): Bun.Subprocess<"ignore", "pipe", "pipe"> {
  const command = `trap '' XFSZ; ulimit -S -f ${limitKb}; exec "$0" "$1" "$2"`;
  return Bun.spawn(["bash", "-c", command, process.execPath, script, argument], { stdout: "pipe", stderr: "pipe" });
}

const RLIMIT_FSIZE = 1;

/** Lifts the soft file-size limit to the hard one (Linux x86-64/arm64 `struct rlimit`: two u64). */
export function freeDiskSpace(): void {
  const libc = dlopen("libc.so.6", {
    getrlimit: { args: ["i32", "ptr"], returns: "i32" },
    setrlimit: { args: ["i32", "ptr"], returns: "i32" },
  });
  const limits = new BigUint64Array(2);
  if (libc.symbols.getrlimit(RLIMIT_FSIZE, ptr(limits)) !== 0) throw new Error("getrlimit(RLIMIT_FSIZE) failed");
  limits[0] = limits[1] ?? 0n;
  if (libc.symbols.setrlimit(RLIMIT_FSIZE, ptr(limits)) !== 0) throw new Error("setrlimit(RLIMIT_FSIZE) failed");
  libc.close();
}

function spoolFileState(path: string): { lines: number; parsed: number; endsWithNewline: boolean } {
  if (!existsSync(path)) return { lines: 0, parsed: 0, endsWithNewline: true };
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n").filter((line) => line !== "");
  let parsed = 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
      parsed += 1;
    } catch {
      // counted as not parsed
    }
  }
  return { lines: lines.length, parsed, endsWithNewline: text.length === 0 || text.endsWith("\n") };
}

async function run(job: FileSizeLimitedJob): Promise<void> {
  const sink = SqliteSink.open({ path: job.databasePath, spoolPath: job.spoolPath, busyTimeoutMs: 20, retryIntervalMs: 3_600_000, capacityRows: job.capacityRows, batchRows: 100 });
  await sink.migrate();
  const locker = new Database(job.databasePath);
  locker.run("BEGIN EXCLUSIVE"); // the database is unavailable: every batch goes to the spool
  let operations = 0;
  for (let index = 0; index < job.statusRows; index += 1) {
    // status_current only (no history): thousands of spool lines, one database row.
    sink.writeStatus(statusRow({ tsMs: T0_MS + index, dailyHedgeCount: index }), { history: false });
    if (index % job.operationEvery === 0) sink.writeOperation(operationRow(operations++));
    if (index % 500 === 499) await sink.flush(); // a daemon's writes are spread over time too
  }
  await sink.flush();
  console.log(JSON.stringify({ phase: "outage", written: job.statusRows + operations, health: sink.health(), spool: spoolFileState(job.spoolPath) }));
  freeDiskSpace();
  locker.run("COMMIT");
  locker.close();
  await sink.flush();
  await sink.flush();
  const stored = await sink.queryOperations({ limit: 100_000 });
  const [current] = await sink.readStatusCurrent("gs-test");
  console.log(JSON.stringify({ phase: "recovered", operations, storedOperations: stored.length, lastHedgeCount: current?.dailyHedgeCount ?? null, health: sink.health(), spool: spoolFileState(job.spoolPath) }));
  await sink.close();
}

if (import.meta.main) await run(JSON.parse(process.argv[2] ?? "{}") as FileSizeLimitedJob);
