// GET /status on both sinks: every lamp rule of docs/API.md, one test each, through the real
// app (app.handle) over rows written by the real sink.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { statusRow as daemonStatusRow } from "../../src/daemon/status-row.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { StatusRow } from "../../src/sink/records.ts";
import type { StatusView } from "../../src/server/status-view-schema.ts";
import { serverUnderTest } from "../support/server-app.ts";
import { operationRow, statusRow, T0_MS } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

// The first PostgreSQL test starts the throwaway cluster; Chromium and daemons take seconds too.
setDefaultTimeout(60_000);

/** A healthy daemon: nothing blocks, fresh quote, connected, running. */
function greenRow(overrides: Partial<StatusRow> = {}): StatusRow {
  return statusRow({ blockReasons: [], dataAgeMs: 200, details: { brokerName: "sim", marketDataKind: "live", hardBlock: false, dailyHedgeLimit: 50 }, ...overrides });
}

async function statusOf(sink: Sink, rows: readonly StatusRow[], nowMs = T0_MS + 1_000, query = ""): Promise<StatusView> {
  for (const row of rows) sink.writeStatus(row, { history: false });
  await sink.flush();
  const server = serverUnderTest(sink, { nowMs });
  const response = await server.request("GET", `/status${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as StatusView;
}

function codes(view: StatusView): string[] {
  return view.block_reasons.map((reason) => reason.code);
}

describeSinks("server GET /status lamp", (makeSink) => {
  test("red with no_status when no daemon ever wrote a row", async () => {
    const view = await statusOf(await makeSink(), []);
    expect(view.status_lamp).toBe("red");
    expect(view.self_check).toBe("blocked");
    expect(codes(view)).toEqual(["no_status"]);
    expect(view.daemons).toEqual([]);
  });

  test("red with sink_unreachable (still 200) when the database does not answer", async () => {
    const sink = await makeSink();
    sink.writeStatus(greenRow(), { history: false });
    await sink.flush();
    const server = serverUnderTest(sink);
    expect(((await (await server.request("GET", "/status")).json()) as StatusView).status_lamp).toBe("green");
    await sink.close();
    const response = await server.request("GET", "/status");
    expect(response.status).toBe(200);
    const view = (await response.json()) as StatusView;
    expect([view.status_lamp, view.self_check, codes(view)]).toEqual(["red", "blocked", ["sink_unreachable"]]);
  });

  test("green when running, connected, fresh and unblocked", async () => {
    const view = await statusOf(await makeSink(), [greenRow()]);
    expect(view.status_lamp).toBe("green");
    expect(view.self_check).toBe("ok");
    expect(view.block_reasons).toEqual([]);
    expect(view.heartbeat).toEqual({ last_ts_ms: T0_MS, age_ms: 1_000, interval_s: 5, stale_after_ms: 15_000 });
    expect(view.hedges_today).toEqual({ count: 3, limit: 50 });
  });

  test("red with heartbeat_stale once the row is older than 3 x heartbeat_s, and not before", async () => {
    const sink = await makeSink();
    expect((await statusOf(sink, [greenRow()], T0_MS + 15_000)).status_lamp).toBe("green");
    const view = await statusOf(sink, [], T0_MS + 15_001);
    expect(view.status_lamp).toBe("red");
    expect(codes(view)).toEqual(["heartbeat_stale"]);
  });

  test("red with daemon_stopped the moment the daemon writes STOPPED (no grace window)", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ state: "STOPPED" })]);
    expect(view.status_lamp).toBe("red");
    expect(codes(view)).toEqual(["daemon_stopped"]);
  });

  test("a STOPPED row still shows the flatten its stop left unfinished", async () => {
    const failed = { code: "flatten_failed" as const, message: "flatten ended before it finished (the daemon stopped) with -75 hedge shares left" };
    const view = await statusOf(await makeSink(), [greenRow({ state: "STOPPED", blockReasons: [failed] })]);
    expect(codes(view)).toEqual(["daemon_stopped", "flatten_failed"]);
    expect(view.block_reasons[1]?.message).toBe(failed.message);
  });

  test("red with daemon_stopping while shutting down", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ state: "STOPPING" })]);
    expect(view.status_lamp).toBe("red");
    expect(codes(view)).toContain("daemon_stopping");
  });

  test("red when a hard guard blocks: circuit breaker", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ blockReasons: [{ code: "circuit_breaker", message: "daily loss 5100 USD, limit 5000" }], details: { hardBlock: true } })]);
    expect(view.status_lamp).toBe("red");
    expect(view.block_reasons).toEqual([{ code: "circuit_breaker", message: "daily loss 5100 USD, limit 5000", severity: "red" }]);
  });

  test("red when a hard guard blocks: reconciliation mismatch", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ blockReasons: [{ code: "position_mismatch", message: "broker 100 sh, book 90 sh" }] })]);
    expect(view.status_lamp).toBe("red");
    expect(view.block_reasons[0]?.severity).toBe("red");
  });

  test("red with records_lost once the daemon dropped rows (database and spool both failed), carried into /status and /metrics", async () => {
    // The daemon's own status row builder, from the sink health it reports after such an outage.
    const lostRowsHealth = { queueDepth: 1000, spooledRows: 0, failedWrites: 12, lostRows: 7, lastError: "spool append failed: ENOSPC" };
    const context = {
      daemonId: "gs-test", wallNowMs: T0_MS, state: "RUNNING" as const, configHash: "h", heartbeatIntervalS: 5, pid: 42, host: "h", version: "t", brokerName: "sim" as const,
      brokerClientId: null, brokerServerVersion: null, nextRetryTsMs: null, marketDataKind: "live" as const, operatorPause: null, extraBlockReasons: [], marketNowMs: T0_MS, sinkHealth: lostRowsHealth,
    };
    const sink = await makeSink();
    const view = await statusOf(sink, [{ ...daemonStatusRow(context, null, "SPY"), brokerConnected: true, dataAgeMs: 100 }]);
    expect(view.status_lamp).toBe("red");
    expect(view.block_reasons[0]).toEqual({
      code: "records_lost",
      message: "The daemon dropped 7 record(s): its database and its disk spool both failed (last error: spool append failed: ENOSPC). The audit trail has a gap; check the disk and the database.",
      severity: "red",
    });
    expect(view.sink).toEqual({ queue_depth: 1000, spooled_rows: 0, failed_writes: 12, lost_rows: 7, last_error: "spool append failed: ENOSPC" });
    const metrics = await (await serverUnderTest(sink).request("GET", "/metrics")).text();
    expect(metrics).toContain('gs_daemon_sink_lost_rows{daemon_id="gs-test"} 7');
    expect(metrics).toMatch(/gs_server_sink_lost_rows_total\{[^}]*\} 0/);
  });

  test("red when details.hardBlock is set even if the daemon gave no hard code", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ details: { hardBlock: true } })]);
    expect(view.status_lamp).toBe("red");
    expect(codes(view)).toEqual(["hard_block"]);
  });

  test("yellow with paused when an operator paused hedging", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ state: "PAUSED", paused: true })]);
    expect(view.status_lamp).toBe("yellow");
    expect(view.self_check).toBe("degraded");
    expect(codes(view)).toEqual(["paused"]);
  });

  test("yellow while waiting for the broker", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ state: "WAITING_BROKER", brokerConnected: false, details: { nextRetryTsMs: T0_MS + 16_000 } })]);
    expect(view.status_lamp).toBe("yellow");
    expect(codes(view)).toEqual(["not_trading_yet", "broker_not_connected"]);
    expect(view.block_reasons[1]?.message).toBe("Not connected to the broker; next retry in 15 s.");
    expect(view.broker?.next_retry_ts_ms).toBe(T0_MS + 16_000);
  });

  test("yellow with stale_data when the quote is older than guards.stale_data_ms", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ dataAgeMs: 5_001 })]);
    expect(view.status_lamp).toBe("yellow");
    expect(view.block_reasons).toEqual([{ code: "stale_data", message: "Last quote is 5.0 s old, expected at most 5.0 s.", severity: "yellow" }]);
  });

  test("yellow with market_data_delayed on delayed or frozen data", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ details: { marketDataKind: "delayed" } })]);
    expect(view.status_lamp).toBe("yellow");
    expect(codes(view)).toEqual(["market_data_delayed"]);
  });

  test("yellow when a soft guard blocks (cooldown), reason passed through", async () => {
    const view = await statusOf(await makeSink(), [greenRow({ blockReasons: [{ code: "cooldown", message: "last hedge 12 s ago, cooldown 60 s" }] })]);
    expect(view.status_lamp).toBe("yellow");
    expect(view.block_reasons).toEqual([{ code: "cooldown", message: "last hedge 12 s ago, cooldown 60 s", severity: "yellow" }]);
  });

  test("yellow with clock_skew when the daemon's row is from the future", async () => {
    const view = await statusOf(await makeSink(), [greenRow()], T0_MS - 6_000);
    expect(view.status_lamp).toBe("yellow");
    expect(codes(view)).toEqual(["clock_skew"]);
  });

  test("reasons are listed worst first and the daemon's duplicates of derived codes are dropped", async () => {
    const row = greenRow({
      paused: true,
      dataAgeMs: 9_000,
      blockReasons: [
        { code: "paused", message: "paused by operator" },
        { code: "stale_data", message: "quote 9 s old" },
        { code: "circuit_breaker", message: "daily loss over limit" },
      ],
    });
    const view = await statusOf(await makeSink(), [row]);
    expect(codes(view)).toEqual(["circuit_breaker", "paused", "stale_data"]);
    expect(view.status_lamp).toBe("red");
  });

  test("by default shows the worst daemon (a crashed one, whose row is never the newest), a named one with daemon_id, and lists all", async () => {
    const sink = await makeSink();
    const rows = [greenRow({ daemonId: "alpha", tsMs: T0_MS - 20_000 }), greenRow({ daemonId: "beta" }), greenRow({ daemonId: "gamma", tsMs: T0_MS - 500, paused: true })];
    const worst = await statusOf(sink, rows);
    expect(worst.daemon_id).toBe("alpha");
    expect(worst.status_lamp).toBe("red");
    expect(worst.daemons.map((daemon) => [daemon.daemon_id, daemon.status_lamp])).toEqual([
      ["alpha", "red"],
      ["beta", "green"],
      ["gamma", "yellow"],
    ]);
    // The server's own status.daemon_id comes first once it has a row.
    const configured = await statusOf(sink, [greenRow({ daemonId: "gs-test" })]);
    expect(configured.daemon_id).toBe("gs-test");
    const alpha = await statusOf(sink, [], T0_MS + 1_000, "?daemon_id=alpha");
    expect(alpha.daemon_id).toBe("alpha");
    expect(codes(alpha)).toEqual(["heartbeat_stale"]);
    const missing = await statusOf(sink, [], T0_MS + 1_000, "?daemon_id=delta");
    expect(codes(missing)).toEqual(["no_status"]);
  });

  test("carries legs, volatility, PnL split and the last operation", async () => {
    const sink = await makeSink();
    sink.writeOperation(operationRow(1, { daemonId: "gs-test", type: "fill", reason: "hedge" }));
    const row = greenRow({
      details: {
        legs: [{ contractKey: "SPY|OPT|20250131|580|C", right: "C", strike: 580, expiryYmd: "20250131", quantity: 10, multiplier: 100, impliedVol: 0.14, delta: 0.52, gamma: 0.02, theta: -0.15, vega: 0.6, price: 9.1, greeksSource: "model" }],
        realizedVolToday: 0.11,
        impliedVol: 0.14,
        breakevenMoveUsd: 3.6,
        breakevenMovePct: 0.62,
        scalpingPnlUsd: 40,
        optionMtmPnlUsd: -25,
        dailyCommissionsUsd: 3.5,
        dailyPnlUsd: 11.5,
        dailyLossLimitUsd: 5000,
        externalShares: 400,
      },
    });
    const view = await statusOf(sink, [row]);
    expect(view.position?.external_shares).toBe(400);
    expect(view.legs).toEqual([
      { contract_key: "SPY|OPT|20250131|580|C", right: "C", strike: 580, expiry: "20250131", quantity: 10, multiplier: 100, implied_vol: 0.14, delta: 0.52, gamma: 0.02, theta: -0.15, vega: 0.6, price: 9.1, greeks_source: "model" },
    ]);
    expect(view.volatility).toEqual({ realized_today: 0.11, implied: 0.14, breakeven_move_usd: 3.6, breakeven_move_pct: 0.62 });
    expect(view.pnl).toEqual({ today_usd: 11.5, scalping_usd: 40, option_mtm_usd: -25, commissions_usd: 3.5, loss_limit_usd: 5000, realized_usd: 125.4, unrealized_usd: -40.125 });
    expect(view.last_operation).toMatchObject({ type: "fill", reason: "hedge", order_ref: "gs:scalp:SPY:0" });
  });

  test("a row from before external shares were recorded shows none", async () => {
    const view = await statusOf(await makeSink(), [greenRow()]);
    expect(view.position?.external_shares).toBe(0);
    // Nor today's PnL nor the loss limit: unknown, not zero.
    expect(view.pnl).toMatchObject({ today_usd: null, commissions_usd: null, loss_limit_usd: null });
  });
});

describeSinks("server status cache", (makeSink) => {
  test("rows are re-read once statusCacheMs has passed on the injected clock, not before", async () => {
    const { StatusService } = await import("../../src/server/status-service.ts");
    const sink = await makeSink();
    let nowMs = T0_MS + 1_000;
    const service = new StatusService({ sink, clock: { nowMs: () => nowMs }, rules: { staleDataMs: 5_000 }, defaultDaemonId: "gs-test", statusCacheMs: 250 });
    sink.writeStatus(greenRow(), { history: false });
    await sink.flush();
    expect((await service.status()).state).toBe("RUNNING");
    sink.writeStatus(greenRow({ state: "PAUSED", paused: true, tsMs: T0_MS + 1_000 }), { history: false });
    await sink.flush();
    nowMs += 249;
    const cached = await service.status();
    expect([cached.state, cached.heartbeat?.age_ms]).toEqual(["RUNNING", 1_249]);
    const json = await service.statusJson();
    expect(json).toBe(JSON.stringify(cached));
    expect(service.memoisedStatusJson()).toBe(json);
    expect(service.memoisedStatusJson("other-daemon")).toBeNull();
    nowMs += 1;
    expect(service.memoisedStatusJson()).toBeNull();
    expect((await service.status()).state).toBe("PAUSED");
  });
});

describe("server GET /status input", () => {
  test("daemon_id must look like a daemon id", async () => {
    const { SqliteSink } = await import("../../src/sink/sqlite/sqlite-sink.ts");
    const sink = SqliteSink.open({ path: ":memory:" });
    await sink.migrate();
    const response = await serverUnderTest(sink).request("GET", "/status?daemon_id=a%20b");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request", field: "daemon_id" });
    await sink.close();
  });
});
