// The real `gs daemon` process on the sim market: SIGTERM while a hedge order is working
// cancels it, writes a final STOPPED row and exits 0; a second signal exits at once without
// losing queued rows.
import { expect, test } from "bun:test";
import type { Sink } from "../../src/sink/port.ts";
import type { OperationType, StoredOperation } from "../../src/sink/records.ts";
import { daemonProcesses, sinkSettings } from "../support/daemon-processes.ts";
import { describeSinks } from "../support/sinks.ts";

const processes = daemonProcesses("gs-daemon-signal");
let runs = 0;
const SPAWN_TEST_TIMEOUT_MS = 60_000;

function spawnDaemon(databaseSettings: readonly string[]) {
  return processes.spawn(`run-${++runs}`, [
    ...databaseSettings,
    "status.daemon_id=signal-test",
    "status.heartbeat_s=0.2",
    // Fills take a market minute, a wall second at speed 60: the first hedge order is still
    // working when the signal comes (at the default speed 600 it could fill first).
    "sim.latency_ms=60000",
    "sim.speed=60",
  ]);
}

/** Waits (bounded) until the daemon has recorded an operation of this type. */
async function waitForOperation(sink: Sink, type: OperationType, child: ReturnType<typeof spawnDaemon>): Promise<StoredOperation> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const [found] = await sink.queryOperations({ daemonId: "signal-test", types: [type], limit: 1 });
    if (found) return found;
    await Bun.sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`the daemon recorded no ${type} within 30 s; its stderr:\n${await new Response(child.stderr).text()}`);
}

describeSinks("gs daemon process and signals", (_makeSink, context) => {
  test("SIGTERM with a working order: cancel, final STOPPED row, exit 0", async () => {
    const database = await context.makeDatabase();
    const reader = database.open();
    await reader.migrate();
    const child = spawnDaemon(sinkSettings(database.kind, database.location));
    const sent = await waitForOperation(reader, "order_sent", child);
    child.kill("SIGTERM");
    const exitCode = await child.exited;
    const stderr = await new Response(child.stderr).text();
    expect(exitCode).toBe(0);
    expect(stderr).toContain("[Daemon] state=STOPPED");

    const operations = await reader.queryOperations({ daemonId: "signal-test", orderRef: sent.orderRef ?? "", limit: 100 });
    const types = operations.map((operation) => operation.type);
    expect(types).toContain("cancel_request");
    expect(types).toContain("cancel");
    expect(types).not.toContain("fill");
    const [status] = await reader.readStatusCurrent("signal-test");
    expect(status?.state).toBe("STOPPED");
    expect(status?.pendingShares).toBe(0);
  }, SPAWN_TEST_TIMEOUT_MS);

  test("a second signal exits at once and keeps the rows queued so far", async () => {
    const database = await context.makeDatabase();
    const reader = database.open();
    await reader.migrate();
    const child = spawnDaemon(sinkSettings(database.kind, database.location));
    await waitForOperation(reader, "order_sent", child);
    // Two different signals: the kernel merges a second SIGTERM into a still-pending first one.
    child.kill("SIGINT");
    child.kill("SIGTERM");
    expect([128 + 2, 128 + 15]).toContain(await child.exited);
    const stops = await reader.queryOperations({ daemonId: "signal-test", types: ["state_change"], limit: 100 });
    expect(stops.some((operation) => operation.payload?.to === "STOPPING")).toBe(true);
  }, SPAWN_TEST_TIMEOUT_MS);
});

test("an unreachable status database is waited for, and SIGTERM still stops the daemon with exit 0", async () => {
  const child = spawnDaemon(["status.sink=postgres", "status.postgres.url=postgres://gs:secret@127.0.0.1:1/gs"]);
  const reader = child.stderr.getReader();
  let stderr = "";
  while (!stderr.includes("status database unreachable, retrying")) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += new TextDecoder().decode(value);
  }
  expect(stderr).toContain("127.0.0.1:1");
  expect(stderr).not.toContain("secret");
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);
}, SPAWN_TEST_TIMEOUT_MS);
