// Two real `gs daemon` processes started at the same moment on one daemon id and one database
// (sim market, each its own working directory): exactly one trades, the other waits and says
// so, and it takes over once the first one stops. Also as two containers would run them: each
// pid 1 of its own pid namespace, under one host name (`--network host`).
import { expect, test } from "bun:test";
import { hostname } from "node:os";
import type { Sink } from "../../src/sink/port.ts";
import { type DaemonChild, daemonProcesses, pid1Unavailable, sinkSettings } from "../support/daemon-processes.ts";
import { describeSinks } from "../support/sinks.ts";

const DAEMON_ID = "twin-test";
const processes = daemonProcesses("gs-daemon-twin");
const SPAWN_TEST_TIMEOUT_MS = 90_000;

interface DaemonProcess {
  readonly child: DaemonChild;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

function spawnDaemon(name: string, databaseSettings: readonly string[], options: { readonly asPid1?: boolean } = {}): DaemonProcess {
  const child = processes.spawn(name, [...databaseSettings, `status.daemon_id=${DAEMON_ID}`, "status.heartbeat_s=0.5"], options);
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  return { child, stderr: () => text };
}

/** The run part of each order ref `gs:<daemon id>:<symbol>:<run>.<seq>` that sent an order. */
async function runsThatSentOrders(sink: Sink): Promise<Set<string>> {
  const sent = await sink.queryOperations({ daemonId: DAEMON_ID, types: ["order_sent"], limit: 1_000 });
  return new Set(sent.map((operation) => (operation.orderRef ?? "").split(":")[3]?.split(".")[0] ?? ""));
}

/** Polls `check` (bounded, real time) until it returns a value; throws with both daemons' logs otherwise. */
async function until<T>(what: string, check: () => Promise<T | null>, daemons: readonly DaemonProcess[]): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await check();
    if (value !== null) return value;
    await Bun.sleep(100);
  }
  throw new Error(`${what} did not happen within 30 s; the daemons' logs:\n${daemons.map((daemon) => daemon.stderr()).join("\n----\n")}`);
}

describeSinks("two gs daemon processes on one daemon id", (_makeSink, context) => {
  test("started at the same moment: exactly one hedges, the other waits and says so, then takes over after the first stops", async () => {
    const database = await context.makeDatabase();
    const reader = database.open();
    await reader.migrate();
    const settings = sinkSettings(database.kind, database.location);
    const daemons = [spawnDaemon("a", settings), spawnDaemon("b", settings)];

    await until("a hedge order", async () => ((await runsThatSentOrders(reader)).size > 0 ? true : null), daemons);
    // Long enough for a second daemon that got past the start-up check to hedge as well.
    await Bun.sleep(3_000);
    expect((await runsThatSentOrders(reader)).size).toBe(1);

    const [status] = await reader.readStatusCurrent(DAEMON_ID);
    const winner = daemons.find((daemon) => daemon.child.pid === status?.details.pid);
    const loser = daemons.find((daemon) => daemon !== winner);
    if (winner === undefined || loser === undefined) throw new Error(`the status row names pid ${String(status?.details.pid)}, neither daemon's`);
    expect(loser.stderr()).toContain(`daemon ${DAEMON_ID} is claimed by pid ${winner.child.pid}`);
    expect(loser.stderr()).not.toContain("state=RUNNING");

    winner.child.kill("SIGTERM");
    expect(await winner.child.exited).toBe(0);
    const takenOver = await until("the take-over", async () => {
      const [row] = await reader.readStatusCurrent(DAEMON_ID);
      return row?.details.pid === loser.child.pid && row.state !== "STOPPED" ? row : null;
    }, daemons);
    expect(["CONNECTING", "RECONCILING", "RUNNING", "PAUSED"]).toContain(takenOver.state);
    await until("the second daemon running", async () => (loser.stderr().includes("state=RUNNING") ? true : null), daemons);

    loser.child.kill("SIGTERM");
    expect(await loser.child.exited).toBe(0);
  }, SPAWN_TEST_TIMEOUT_MS);

  const noPid1 = pid1Unavailable();
  if (noPid1 !== null) console.warn(`two daemons as pid 1 [${context.kind}]: ${noPid1}`);
  test.skipIf(noPid1 !== null)(`each pid 1 of its own pid namespace, one host name (two containers): exactly one hedges, the other waits${noPid1 === null ? "" : ` (skipped: ${noPid1})`}`, async () => {
    const database = await context.makeDatabase();
    const reader = database.open();
    await reader.migrate();
    const settings = sinkSettings(database.kind, database.location);
    const daemons = [spawnDaemon("a", settings, { asPid1: true }), spawnDaemon("b", settings, { asPid1: true })];

    await until("a hedge order", async () => ((await runsThatSentOrders(reader)).size > 0 ? true : null), daemons);
    // Long enough for a second daemon that got past the start-up check to hedge as well.
    await Bun.sleep(3_000);
    expect((await runsThatSentOrders(reader)).size).toBe(1);
    const running = daemons.filter((daemon) => daemon.stderr().includes("state=RUNNING"));
    expect(running).toHaveLength(1);
    const waiting = daemons.find((daemon) => !running.includes(daemon));
    expect(waiting?.stderr()).toContain(`daemon ${DAEMON_ID} is claimed by pid 1 on ${hostname()}`);
    for (const daemon of daemons) daemon.child.kill("SIGKILL");
  }, SPAWN_TEST_TIMEOUT_MS);
});
