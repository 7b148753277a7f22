// The daemon's boot-time sink open: an unreachable PostgreSQL is waited for (retrying until a
// stop), a configuration mistake fails at once. Decided by SinkOpenError.stage, not by text.
// A stop signal while the sink opens is honoured before anything connects or trades.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { memoryDaemonLog } from "../../src/daemon/daemon-log.ts";
import { openSinkPatiently } from "../../src/daemon/open-sink-patiently.ts";
import { runDaemon } from "../../src/daemon/run-daemon.ts";
import { SinkOpenError } from "../../src/sink/open-sink.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { freeLoopbackPort } from "../support/postgres.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-open-patiently-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function postgresConfig(url: string) {
  const overrides = ["status.sink=postgres", `status.postgres.url=${url}`, `status.spool_path=${join(directory, "spool.ndjson")}`];
  return loadConfig({ configPath: null, overrides }).config;
}

test("an unreachable PostgreSQL is retried until the daemon is told to stop", async () => {
  const port = await freeLoopbackPort();
  const clock = new FakeClock(Date.UTC(2024, 2, 26, 14));
  const lines: string[] = [];
  let stop = () => {};
  const stopRequested = new Promise<void>((resolve) => (stop = resolve));
  const opening = openSinkPatiently(postgresConfig(`postgres://gs@127.0.0.1:${port}/gs`), clock, memoryDaemonLog(lines), stopRequested);
  const retries = () => lines.filter((line) => line.includes("status database unreachable")).length;
  for (let round = 0; round < 2_000 && retries() < 2; round++) {
    await Bun.sleep(5);
    await clock.advance(1_000);
  }
  expect(retries()).toBeGreaterThanOrEqual(2);
  stop();
  // Answered at once, with no retry timer left armed to hold the process up to 5 s.
  expect(await opening).toBeNull();
  expect(clock.armedTimers).toBe(0);
}, 30_000);

test("a malformed PostgreSQL URL (stage config) fails at once, without retrying", async () => {
  const base = postgresConfig("postgres://gs@127.0.0.1:5432/gs");
  const config = { ...base, status: { ...base.status, postgres: { ...base.status.postgres, url: "mysql://gs@127.0.0.1/gs" } } };
  const lines: string[] = [];
  const error = await openSinkPatiently(config, new FakeClock(0), memoryDaemonLog(lines), new Promise(() => {})).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SinkOpenError);
  expect((error as SinkOpenError).stage).toBe("config");
  expect(lines.filter((line) => line.includes("unreachable"))).toEqual([]);
});

test("a SIGTERM while the status database opens stops the daemon before it connects to the broker", async () => {
  const overrides = ["status.daemon_id=sigterm-opening", `status.sqlite.path=${join(directory, "opening.db")}`, `status.spool_path=${join(directory, "opening.ndjson")}`, "control.file="];
  const lines: string[] = [];
  // --duration bounds the run should the signal be lost.
  const exit = runDaemon({ loaded: loadConfig({ configPath: null, overrides }), durationS: 4, log: memoryDaemonLog(lines) });
  process.emit("SIGTERM"); // systemctl stop while runDaemon awaits the sink
  expect(await exit).toBe(0);
  expect(lines.filter((line) => line.includes("-> CONNECTING") || line.includes("-> RUNNING"))).toEqual([]);
  expect(lines.some((line) => line.includes("stopped while starting"))).toBe(true);
}, 30_000);
