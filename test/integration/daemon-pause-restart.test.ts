// The operator's pause outlives the process: a daemon restarted (a crash restarted by systemd,
// the watchdog, a deploy) after a pause or a flatten comes up PAUSED and does not hedge, says
// why in its status, and hedges again only after `resume`. A flatten that did not finish is
// still reported after the restart (sim broker, real sink, both sinks).
import { expect, setDefaultTimeout, test } from "bun:test";
import type { ControlCommand } from "../../src/sink/records.ts";
import type { Sink } from "../../src/sink/port.ts";
import { statusRow } from "../../src/daemon/status-row.ts";
import { deriveStatusView } from "../../src/server/status-view.ts";
import { describeSinks } from "../support/sinks.ts";
import type { Market, RunningDaemon } from "./daemon-harness.ts";
import { createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon, SETTINGS, stopDaemon } from "./daemon-harness.ts";

setDefaultTimeout(30_000);

async function command(sink: Sink, running: RunningDaemon, market: Market, name: ControlCommand): Promise<void> {
  await sink.issueControl({ daemonId: DAEMON_ID, command: name, args: {}, issuedBy: "test", tsMs: market.clock.nowMs() });
  await running.daemon.pollControl();
  await market.clock.advance(100);
}

async function hedgeIntents(sink: Sink): Promise<number> {
  return (await operations(sink, ["hedge_intent"])).length;
}

function lampOf(running: RunningDaemon): { lamp: string; codes: string[] } {
  const row = running.daemon.statusNow();
  const view = deriveStatusView({ rows: [row], daemonId: DAEMON_ID, lastOperation: null, nowMs: row.tsMs, rules: { staleDataMs: 5_000 } });
  return { lamp: view.status_lamp, codes: view.block_reasons.map((reason) => reason.code) };
}

describeSinks("daemon pause across a restart", (makeSink) => {
  test("paused, then restarted: the new process starts PAUSED, does not hedge, says since when; resume hedges", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    const pausedAtMs = market.clock.nowMs();
    await command(sink, running, market, "pause");
    expect(await stopDaemon(running, market)).toBe(0);

    const { running: second } = await runningDaemon(sink, { market });
    expect(second.daemon.state).toBe("PAUSED");
    expect(second.log.some((line) => line.includes("starting paused: paused by the operator at") && line.includes("before the restart"))).toBe(true);
    await quoteAndSettle(market); // the straddle's delta is past the threshold: a RUNNING daemon would hedge
    expect(await hedgeIntents(sink)).toBe(0);
    const row = second.daemon.statusNow();
    expect(row.paused).toBe(true);
    expect(row.details.operatorPause).toEqual({ sinceTsMs: pausedAtMs, command: "pause" });
    expect(row.blockReasons.find((reason) => reason.code === "paused")?.message).toBe(
      `paused by the operator at ${new Date(pausedAtMs).toISOString()}, before the restart; resume to hedge`,
    );
    expect(lampOf(second)).toEqual({ lamp: "yellow", codes: ["paused"] });

    await command(sink, second, market, "resume");
    expect(second.daemon.state).toBe("RUNNING");
    await quoteAndSettle(market);
    expect(await hedgeIntents(sink)).toBe(1);
    expect(second.daemon.statusNow().details.operatorPause).toBeNull();
    expect(await stopDaemon(second, market)).toBe(0);
    // Resumed, then stopped: the next start hedges.
    const { running: third } = await runningDaemon(sink, { market });
    expect(third.daemon.state).toBe("RUNNING");
    expect(await stopDaemon(third, market)).toBe(0);
  });

  test("a flatten whose closing order never filled, then a restart: still paused, and the unfinished flatten is still red", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    await quoteAndSettle(market);
    market.broker.scriptNextOrder({ type: "hold" });
    await command(sink, running, market, "flatten");
    expect(await stopDaemon(running, market)).toBe(0);
    const [stopped] = await sink.readStatusCurrent(DAEMON_ID);
    expect(stopped?.state).toBe("STOPPED");
    expect(stopped?.details.operatorPause).toMatchObject({ command: "flatten" });
    const failure = stopped?.blockReasons.find((reason) => reason.code === "flatten_failed")?.message;
    expect(failure).toStartWith("flatten ended before it finished (the daemon stopped)");

    const { running: second } = await runningDaemon(sink, { market });
    expect(second.daemon.state).toBe("PAUSED");
    const intentsBefore = await hedgeIntents(sink);
    await quoteAndSettle(market);
    await market.clock.advance(2 * SETTINGS.heartbeatMs);
    expect(await hedgeIntents(sink)).toBe(intentsBefore); // the options' delta is not hedged back
    const reasons = second.daemon.statusNow().blockReasons;
    expect(reasons.find((reason) => reason.code === "flatten_failed")?.message).toBe(`before the restart: ${failure}`);
    expect(reasons.find((reason) => reason.code === "paused")?.message).toContain("paused by the operator's flatten at");
    expect(lampOf(second).lamp).toBe("red");
    // Stopped again without a resume: the next start still knows.
    expect(await stopDaemon(second, market)).toBe(0);
    const [again] = await sink.readStatusCurrent(DAEMON_ID);
    expect(again?.blockReasons.map((reason) => reason.code)).toContain("flatten_failed");

    const { running: third } = await runningDaemon(sink, { market });
    expect(third.daemon.state).toBe("PAUSED");
    await command(sink, third, market, "resume");
    expect(third.daemon.state).toBe("RUNNING");
    expect(third.daemon.statusNow().blockReasons.map((reason) => reason.code)).not.toContain("flatten_failed");
    expect(await stopDaemon(third, market)).toBe(0);
  });

  test("a STOPPED row of an earlier gs that only says paused (no details) counts as the operator's pause", async () => {
    const sink = await makeSink();
    const market = createMarket();
    const context = {
      daemonId: DAEMON_ID, wallNowMs: market.clock.nowMs() - 60_000, state: "STOPPED" as const, configHash: "old", heartbeatIntervalS: 5,
      pid: 4242, host: "old-host", version: "old", brokerName: "sim" as const, brokerClientId: null, brokerServerVersion: null,
      nextRetryTsMs: null, marketDataKind: null, operatorPause: null, extraBlockReasons: [], marketNowMs: market.clock.nowMs(),
      sinkHealth: { queueDepth: 0, spooledRows: 0, failedWrites: 0, lostRows: 0, lastError: null },
    };
    const { operatorPause: _absent, ...oldDetails } = statusRow(context, null, "SPY").details;
    sink.writeStatus({ ...statusRow(context, null, "SPY"), paused: true, details: oldDetails }, { history: true });
    await sink.flush();

    const { running } = await runningDaemon(sink, { market });
    expect(running.daemon.state).toBe("PAUSED");
    await quoteAndSettle(market);
    expect(await hedgeIntents(sink)).toBe(0);
    expect(running.daemon.statusNow().details.operatorPause).toEqual({ sinceTsMs: context.wallNowMs, command: "pause" });
    expect(await stopDaemon(running, market)).toBe(0);
  });
});
