// The claim of the daemon id, in-process on a fake clock: two daemons started at the same
// moment (two processes, even with one host name and pid) never both trade, one that finds the
// claim taken over while it runs writes none of the new holder's rows and stops, and a database
// that cannot take the claim at start keeps it waiting.
import { expect, setDefaultTimeout, test } from "bun:test";
import { hostname } from "node:os";
import { FakeClock } from "../support/fake-clock.ts";
import { describeSinks } from "../support/sinks.ts";
import { advanceUntil, createDaemon, createMarket, DAEMON_ID, operations, quoteAndSettle, SESSION_START_MS, SETTINGS, stopDaemon, testConfig, writeLiveTwinHeartbeat } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

/** Waits (real time, bounded) until `check` holds, moving no clock. */
async function eventually(what: string, check: () => boolean, log: () => string[] = () => []): Promise<void> {
  for (let attempt = 0; attempt < 1_000 && !check(); attempt++) await Bun.sleep(5);
  if (!check()) throw new Error(`${what} did not happen; the log:\n${log().join("\n")}`);
}

describeSinks("daemon id claim", (makeSink, { makeDatabase }) => {
  test("two daemons started at the same moment: one runs, the other waits saying who holds the id, then takes over after a stop", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const first = createDaemon(market, sink, { pid: 4242 });
    const second = createDaemon(market, sink, { pid: 4243 });
    const starts = [first.daemon.start(), second.daemon.start()];
    await eventually("one daemon running", () => [first, second].some((running) => running.daemon.state === "RUNNING"));
    const [winner, loser] = first.daemon.state === "RUNNING" ? [first, second] : [second, first];
    const waiting = `daemon ${DAEMON_ID} is claimed by pid ${winner === first ? 4242 : 4243}`;
    await eventually("the loser reporting the holder", () => loser.log.some((line) => line.includes(waiting)), () => loser.log);
    expect(loser.announced.some((status) => status.includes(waiting))).toBe(true);
    await quoteAndSettle(market);
    await market.clock.advance(SETTINGS.heartbeatMs);
    expect(loser.daemon.state).toBe("IDLE");
    const sent = await operations(sink, ["order_sent"]);
    expect(new Set(sent.map((operation) => operation.orderRef?.split(".")[0]))).toHaveLength(1);

    expect(await stopDaemon(winner, market)).toBe(0);
    await advanceUntil(market, Promise.all(starts), 1_000);
    expect(loser.daemon.state).toBe("RUNNING");
    await sink.flush();
    expect((await sink.readStatusCurrent(DAEMON_ID))[0]?.details.pid).toBe(loser === first ? 4242 : 4243);
    expect(await stopDaemon(loser, market)).toBe(0);
  });

  test("two daemons with one host name and pid (two containers' pid 1) started at the same moment: one runs, the other waits", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const daemons = [createDaemon(market, sink, { pid: 1 }), createDaemon(market, sink, { pid: 1 })];
    for (const running of daemons) void running.daemon.start();
    await eventually("one daemon running", () => daemons.some((running) => running.daemon.state === "RUNNING"));
    const loser = daemons.find((running) => running.daemon.state !== "RUNNING");
    if (loser === undefined) throw new Error("both daemons are RUNNING");
    await eventually("the other reporting the holder", () => loser.log.some((line) => line.includes(`daemon ${DAEMON_ID} is claimed by pid 1 on ${hostname()}`)), () => loser.log);
    await quoteAndSettle(market);
    for (let beat = 0; beat < 4; beat++) await market.clock.advance(SETTINGS.heartbeatMs);
    expect(daemons.map((running) => running.daemon.state).sort()).toEqual(["IDLE", "RUNNING"]);
  });

  test("a live status row naming this host and pid (a gs from before claims in another container) keeps a daemon that won the claim waiting", async () => {
    const sink = await makeSink();
    const market = createMarket();
    await writeLiveTwinHeartbeat(sink, market, { pid: 4242, host: hostname() });
    const running = createDaemon(market, sink, { pid: 4242 });
    void running.daemon.start();
    await eventually("the daemon reporting the live row", () => running.log.some((line) => line.includes(`is RUNNING elsewhere (pid 4242 on ${hostname()}`)), () => running.log);
    expect(running.daemon.state).toBe("IDLE");
  });

  test("status.heartbeat_s = 2.01 (a lease of 6030 ms, not 6029.999999999999): the claim is taken and the daemon runs", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const running = createDaemon(market, sink, { heartbeatMs: 2.01 * 1000 });
    void running.daemon.start();
    // Ten heartbeats: a claim the database refuses keeps it waiting for ever.
    for (let beat = 0; beat < 100 && running.daemon.state !== "RUNNING"; beat++) {
      await Bun.sleep(10);
      await market.clock.advance(201);
    }
    expect(running.daemon.state).toBe("RUNNING");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a claim taken over while running: the daemon stops (exit 1), says why, and does not mark the new holder's status row STOPPED", async () => {
    const sink = await makeSink();
    const market = createMarket();
    // Heartbeats of 100 ms: its claim's lease (three of them, on the database's clock) runs out in real time.
    const running = createDaemon(market, sink, { heartbeatMs: 100 });
    await advanceUntil(market, running.daemon.start(), 0);
    expect(running.daemon.state).toBe("RUNNING");
    // No heartbeat (the fake clock stands still: a process cut off from the database) for longer
    // than the lease, and another process takes the id over.
    await Bun.sleep(500);
    expect(await sink.claimDaemonId({ daemonId: DAEMON_ID, token: "thief", host: "other-host", pid: 1, leaseMs: 60_000 })).toEqual({ type: "won" });

    await market.clock.advance(100);
    // Small steps: a renewal times out on the fake clock, which must not outrun the database's answer.
    expect(await advanceUntil(market, running.daemon.stopped, 10)).toBe(1);
    expect(running.log.some((line) => line.includes("error") && line.includes("took the daemon id over"))).toBe(true);
    await sink.flush();
    // The heartbeat that found the claim lost was written already; the final STOPPED row is not.
    expect((await sink.readStatusCurrent(DAEMON_ID))[0]?.state).toBe("RUNNING");
    // The new holder keeps its claim: the stop released nothing.
    expect((await sink.claimDaemonId({ daemonId: DAEMON_ID, token: "another", host: "another-host", pid: 2, leaseMs: 60_000 })).type).toBe("held");
  });

  test("a database that cannot take the claim at start keeps the daemon waiting, trading nothing, until it can", async () => {
    const database = await makeDatabase();
    const sink = database.open();
    await sink.migrate();
    const market = createMarket();
    await database.interrupt();
    const running = createDaemon(market, sink);
    const started = running.daemon.start();
    await eventually("the daemon reporting the claim failure", () => running.log.some((line) => line.includes(`cannot claim daemon ${DAEMON_ID}`)), () => running.log);
    await quoteAndSettle(market);
    await market.clock.advance(SETTINGS.heartbeatMs);
    expect(running.daemon.state).toBe("IDLE");
    expect(running.announced.some((status) => status.includes("nothing trades until the claim is won"))).toBe(true);

    await database.restore();
    await advanceUntil(market, started, 1_000);
    expect(running.daemon.state).toBe("RUNNING");
    expect(await stopDaemon(running, market)).toBe(0);
  });
  test("a daemon whose claim was taken over writes none of the new holder's rows while it stops: no status row, no daily state, no command taken; its own orders' trail is kept", async () => {
    const database = await makeDatabase();
    const sink = database.open();
    await sink.migrate();
    // Another process's sink: its own writer run (a migrated sink writes at once).
    const newHolder = database.open();
    await newHolder.migrate();
    // Cancels take 2 s at the venue: the stop waits for them through 20 heartbeats.
    const market = createMarket(testConfig(), new FakeClock(SESSION_START_MS), { cancelLatencyMs: 2_000 });
    const running = createDaemon(market, sink, { heartbeatMs: 100 });
    await advanceUntil(market, running.daemon.start(), 0);
    market.broker.scriptNextOrder({ type: "hold" });
    await quoteAndSettle(market);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);
    const tradingDay = new Date(SESSION_START_MS).toISOString().slice(0, 10);
    const persisted = await sink.loadDailyState(DAEMON_ID, tradingDay);
    if (persisted === null) throw new Error(`no daily_state row for ${tradingDay}`);

    // Cut off for longer than its lease (300 ms), it loses the id to another process.
    await Bun.sleep(500);
    expect(await newHolder.claimDaemonId({ daemonId: DAEMON_ID, token: "new-holder", host: "other-host", pid: 999_999, leaseMs: 60_000 })).toEqual({ type: "won" });
    await market.clock.advance(100);
    await eventually("the daemon learning it lost the id", () => running.daemon.state === "STOPPING", () => running.log);
    // The heartbeat that found the claim lost, written before the answer came, lands first.
    await sink.flush();

    // The new holder writes its rows; an operator queues a command for it.
    await writeLiveTwinHeartbeat(newHolder, market);
    newHolder.writeDailyState({ ...persisted, hedgeCount: 99, updatedAtMs: market.clock.nowMs() });
    await newHolder.flush();
    const commandId = await newHolder.issueControl({ daemonId: DAEMON_ID, command: "pause", args: {}, issuedBy: "test", tsMs: market.clock.nowMs() });
    await market.clock.advance(500);
    await running.daemon.pollControl();
    expect(await advanceUntil(market, running.daemon.stopped, 10)).toBe(1);

    await sink.flush();
    const [row] = await newHolder.readStatusCurrent(DAEMON_ID);
    expect({
      statusRow: { state: row?.state, pid: row?.details.pid },
      dailyHedgeCount: (await newHolder.loadDailyState(DAEMON_ID, tradingDay))?.hedgeCount,
      commandConsumedAtMs: (await newHolder.getControl(commandId))?.consumedAtMs,
    }).toEqual({ statusRow: { state: "RUNNING", pid: 999_999 }, dailyHedgeCount: 99, commandConsumedAtMs: null });
    // Said once, not at every heartbeat of the stop.
    expect(running.log.filter((line) => line.includes("took the daemon id over"))).toHaveLength(1);
    // Its own working order's cancel is still recorded: the trail of what it did stays whole.
    expect((await operations(sink, ["cancel_request", "cancel"])).map((operation) => operation.type)).toEqual(["cancel_request", "cancel"]);
  });
});
