// The remaining routes on both sinks: probes, Prometheus metrics (checked by promtool when
// installed), the OpenAPI document against the registered routes, the dashboard assets,
// and the SSE stream (status changes, new operations, Last-Event-ID replay).
import { expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ROUTE_LIST } from "../../src/server/route-catalog.ts";
import type { StatusView } from "../../src/server/status-view-schema.ts";
import { serverUnderTest, TEST_TOKEN } from "../support/server-app.ts";
import { operationRow, statusRow, T0_MS } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";
import { sseReader } from "../support/sse-reader.ts";

// The first PostgreSQL test starts the throwaway cluster; Chromium and daemons take seconds too.
setDefaultTimeout(60_000);

const PROMTOOL = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((path) => existsSync(path)) ?? null;

describeSinks("server routes", (makeSink) => {
  test("GET /healthz is always ok; GET /readyz follows the database", async () => {
    const sink = await makeSink();
    const server = serverUnderTest(sink);
    expect(await (await server.request("GET", "/healthz")).json()).toEqual({ ok: true });
    const ready = await server.request("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, sink: sink.kind });
    await sink.close();
    const down = await server.request("GET", "/readyz");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, sink: sink.kind });
    expect((await server.request("GET", "/healthz")).status).toBe(200);
    const metrics = await (await server.request("GET", "/metrics")).text();
    expect(metrics).toContain("\ngs_status_database_up 0\n");
    expect(metrics).toContain("\ngs_daemons 0\n");
  });

  test("GET /metrics: gs_ families with the lamp, heartbeat, delta, hedges, PnL, orders by outcome, sink and HTTP latency", async () => {
    const sink = await makeSink();
    sink.writeStatus(statusRow({ blockReasons: [], details: { dailyHedgeLimit: 50, scalpingPnlUsd: 12.5, dailyPnlUsd: -1480.25, dailyLossLimitUsd: 2000, dailyCommissionsUsd: 7.5, externalShares: -300, sinkQueueDepth: 4, sinkSpooledRows: 120, sinkFailedWrites: 2 } }), { history: false });
    const orders = [
      ["order_sent", "gs:a"],
      ["fill", "gs:a"],
      ["fill", "gs:a"],
      ["order_sent", "gs:b"],
      ["reject", "gs:b"],
    ] as const;
    orders.forEach(([type, orderRef], index) => sink.writeOperation(operationRow(index, { type, orderRef, execId: type === "fill" ? `e${index}` : null })));
    await sink.flush();
    const server = serverUnderTest(sink, { nowMs: T0_MS + 2_000 });
    await server.request("GET", "/status");
    await server.request("POST", "/control/stop", { token: "wrong-wrong-wrong-wrong" });
    expect((await server.request("GET", "/no-such-route")).status).toBe(404);
    // Elysia records after the response is sent (afterResponse): wait until the observations land.
    let response = await server.request("GET", "/metrics");
    let text = await response.text();
    for (let attempt = 0; attempt < 500 && !(text.includes('route="/status"') && text.includes('code="401"') && text.includes('route="unmatched"')); attempt += 1) {
      await Bun.sleep(1);
      response = await server.request("GET", "/metrics");
      text = await response.text();
    }
    expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const value = (line: string): number => Number(text.split("\n").find((candidate) => candidate.startsWith(`${line} `))?.split(" ")[1]);
    expect(value("gs_status_database_up")).toBe(1);
    expect(value('gs_status_lamp{daemon_id="gs-test"}')).toBe(0);
    expect(value('gs_heartbeat_age_seconds{daemon_id="gs-test"}')).toBe(2);
    expect(value('gs_portfolio_delta_shares{daemon_id="gs-test"}')).toBe(-12.75);
    expect(value('gs_hedges_today{daemon_id="gs-test"}')).toBe(3);
    expect(value('gs_hedges_limit_today{daemon_id="gs-test"}')).toBe(50);
    expect(value('gs_scalping_pnl_today_usd{daemon_id="gs-test"}')).toBe(12.5);
    expect(value('gs_pnl_today_usd{daemon_id="gs-test"}')).toBe(-1480.25);
    expect(value('gs_daily_loss_limit_usd{daemon_id="gs-test"}')).toBe(2000);
    expect(value('gs_commissions_today_usd{daemon_id="gs-test"}')).toBe(7.5);
    expect(value('gs_external_shares{daemon_id="gs-test"}')).toBe(-300);
    expect(value('gs_orders_today{daemon_id="gs-test",outcome="sent"}')).toBe(2);
    expect(value('gs_orders_today{daemon_id="gs-test",outcome="filled"}')).toBe(1);
    expect(value('gs_orders_today{daemon_id="gs-test",outcome="rejected"}')).toBe(1);
    expect(value(`gs_server_sink_reachable{kind="${sink.kind}"}`)).toBe(1);
    expect(value('gs_daemon_sink_queue_depth{daemon_id="gs-test"}')).toBe(4);
    expect(value('gs_daemon_sink_spooled_rows{daemon_id="gs-test"}')).toBe(120);
    expect(value('gs_daemon_sink_failed_writes{daemon_id="gs-test"}')).toBe(2);
    expect(value('gs_http_request_duration_seconds_count{method="GET",route="/status",code="200"}')).toBe(1);
    expect(text).toContain('gs_http_request_duration_seconds_bucket{method="GET",route="/status",code="200",le="+Inf"} 1');
    expect(value('gs_http_request_duration_seconds_count{method="POST",route="/control/:command",code="401"}')).toBe(1);
    expect(value('gs_http_request_duration_seconds_count{method="GET",route="unmatched",code="404"}')).toBe(1); // was counted as 200
    for (const line of text.split("\n").filter((each) => each !== "" && !each.startsWith("#"))) expect(line).toMatch(/^gs_[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$|^gs_\S+ \+Inf$/);
    if (PROMTOOL === null) {
      console.warn("promtool not installed (apt-get install prometheus): /metrics checked by the line format above only");
      return;
    }
    const check = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe("");
    expect(check.status).toBe(0);
  });

  test("GET /openapi.json documents exactly the registered routes, with their schemas", async () => {
    const server = serverUnderTest(await makeSink());
    const document = (await (await server.request("GET", "/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>> };
    expect(document.openapi).toBe("3.1.0");
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    const registered = server.app.routes.map((route) => `${route.method} ${route.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
    expect(documented.sort()).toEqual(registered.sort());
    expect(registered).toHaveLength(ROUTE_LIST.length);
    expect(document.paths["/operations"]?.get?.parameters?.map((parameter) => parameter.name)).toEqual(["since", "until", "type", "order_ref", "daemon_id", "limit", "cursor"]);
    expect(Object.keys(document.paths["/control/{command}"]?.post?.responses ?? {})).toEqual(["202", "400", "401", "404", "413"]);
    const docs = await server.request("GET", "/docs");
    expect(docs.headers.get("content-type")).toStartWith("text/html");
    expect(await docs.text()).toContain("/control/{command}");
  });

  test("GET / serves the embedded dashboard with a strict CSP; the script is transpiled JavaScript", async () => {
    const server = serverUnderTest(await makeSink());
    const page = await server.request("GET", "/");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard.js">');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const script = await (await server.request("GET", "/dashboard.js")).text();
    expect(script).toContain("function renderStatus(");
    expect(script).not.toContain("import type");
    expect(script).not.toMatch(/:\s*StatusView/);
    expect((await server.request("GET", "/dashboard.css")).headers.get("content-type")).toStartWith("text/css");
  });

  test("GET /events pushes the status, status changes and new operations; Last-Event-ID replays missed operations", async () => {
    const sink = await makeSink();
    sink.writeStatus(statusRow({ blockReasons: [] }), { history: false });
    sink.writeOperation(operationRow(0));
    await sink.flush();
    const server = serverUnderTest(sink, { pollMs: 10 });
    const response = await server.request("GET", "/events");
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const events = sseReader(response);
    const first = JSON.parse((await events.next((event) => event.event === "status")).data) as StatusView;
    expect(first.state).toBe("RUNNING");

    sink.writeOperation(operationRow(1, { type: "reject", reason: "no liquidity" }));
    sink.writeStatus(statusRow({ blockReasons: [], state: "PAUSED", paused: true, tsMs: T0_MS + 500 }), { history: false });
    await sink.flush();
    const operation = await events.next((event) => event.event === "operation");
    expect(JSON.parse(operation.data)).toMatchObject({ type: "reject", reason: "no liquidity" });
    const changed = JSON.parse((await events.next((event) => event.event === "status")).data) as StatusView;
    expect(changed.status_lamp).toBe("yellow");
    await events.cancel();

    const again = sseReader(await server.request("GET", "/events", { headers: { "last-event-id": String(Number(operation.id) - 1) } }));
    const replayed = await again.next((event) => event.event === "operation");
    expect(replayed.id).toBe(operation.id);
    await again.cancel();
    server.events.close();
  });

  test("no response or log line carries the token", async () => {
    const sink = await makeSink();
    const server = serverUnderTest(sink, { readsNeedToken: true });
    const bodies: string[] = [];
    for (const [method, path] of [["GET", "/status"], ["GET", "/metrics"], ["GET", "/openapi.json"], ["POST", "/control/stop"], ["GET", "/control/1"], ["GET", "/nope"]] as const) {
      for (const token of [TEST_TOKEN, "wrong-wrong-wrong-wrong"]) {
        bodies.push(await (await server.request(method, path, { token })).text());
      }
    }
    expect(bodies.join("\n")).not.toContain(TEST_TOKEN);
    expect(server.logLines.join("\n")).not.toContain(TEST_TOKEN);
  });
});
