// GET /operations and GET /history on both sinks: filters, cursor pagination, CSV,
// downsampling, and a 400 naming the field for every kind of bad input.
import { expect, setDefaultTimeout, test } from "bun:test";
import type { Sink } from "../../src/sink/port.ts";
import type { HistoryPage } from "../../src/server/history-view.ts";
import type { OperationsPage } from "../../src/server/operations-view.ts";
import { serverUnderTest } from "../support/server-app.ts";
import type { ServerUnderTest } from "../support/server-app.ts";
import { operationRow, statusRow, T0_MS } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

// The first PostgreSQL test starts the throwaway cluster; Chromium and daemons take seconds too.
setDefaultTimeout(60_000);

const TYPES = ["hedge_intent", "order_sent", "fill", "reject"] as const;

/** 250 operations one second apart, types cycling; ids 1..250 in time order. */
async function seededServer(sink: Sink): Promise<ServerUnderTest> {
  for (let index = 0; index < 250; index += 1) {
    sink.writeOperation(operationRow(index, { type: TYPES[index % TYPES.length] ?? "fill", execId: index % 4 === 2 ? `exec-${index}` : null }));
  }
  await sink.flush();
  return serverUnderTest(sink);
}

async function page(server: ServerUnderTest, query: string): Promise<OperationsPage> {
  const response = await server.request("GET", `/operations${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as OperationsPage;
}

async function expectBadRequest(server: ServerUnderTest, path: string, field: string, messagePart: string): Promise<void> {
  const response = await server.request("GET", path);
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: string; field: string; message: string };
  expect(body.error).toBe("invalid_request");
  expect(body.field).toBe(field);
  expect(body.message).toContain(messagePart);
}

describeSinks("server GET /operations", (makeSink) => {
  test("newest first, default page of 100, cursor walks every row exactly once", async () => {
    const server = await seededServer(await makeSink());
    const first = await page(server, "");
    expect(first.operations).toHaveLength(100);
    expect(first.operations[0]?.ts_ms).toBe(T0_MS + 249_000);
    const seen = first.operations.map((operation) => operation.id);
    let cursor = first.next_cursor;
    while (cursor !== null) {
      const next = await page(server, `?cursor=${cursor}`);
      seen.push(...next.operations.map((operation) => operation.id));
      cursor = next.next_cursor;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  test("a page exactly at the end has no next cursor", async () => {
    const server = await seededServer(await makeSink());
    const all = await page(server, "?limit=250");
    expect(all.operations).toHaveLength(250);
    expect(all.next_cursor).toBeNull();
    expect((await page(server, "?limit=1000")).operations).toHaveLength(250);
  });

  test("type filter: repeatable and comma-separated", async () => {
    const server = await seededServer(await makeSink());
    const repeated = await page(server, "?type=fill&type=reject&limit=1000");
    const comma = await page(server, "?type=fill,reject&limit=1000");
    expect(repeated.operations).toHaveLength(124);
    expect(new Set(repeated.operations.map((operation) => operation.type))).toEqual(new Set(["fill", "reject"]));
    expect(comma.operations.map((operation) => operation.id)).toEqual(repeated.operations.map((operation) => operation.id));
  });

  test("order_ref filter", async () => {
    const server = await seededServer(await makeSink());
    const result = await page(server, "?order_ref=gs:scalp:SPY:10");
    expect(result.operations.map((operation) => operation.order_ref)).toEqual(["gs:scalp:SPY:10", "gs:scalp:SPY:10", "gs:scalp:SPY:10"]);
  });

  test("since/until accept ISO-8601 and epoch ms and select the same rows (since inclusive, until exclusive)", async () => {
    const server = await seededServer(await makeSink());
    const sinceMs = T0_MS + 10_000;
    const untilMs = T0_MS + 20_000;
    const epoch = await page(server, `?since=${sinceMs}&until=${untilMs}`);
    const iso = await page(server, `?since=${new Date(sinceMs).toISOString()}&until=${encodeURIComponent(new Date(untilMs).toISOString().replace("Z", "+00:00"))}`);
    expect(epoch.operations.map((operation) => operation.ts_ms)).toEqual(Array.from({ length: 10 }, (_, index) => untilMs - 1_000 - index * 1_000));
    expect(iso.operations.map((operation) => operation.id)).toEqual(epoch.operations.map((operation) => operation.id));
  });

  test("CSV with Accept: text/csv: header, one line per row, quoting, next cursor header", async () => {
    const sink = await makeSink();
    sink.writeOperation(operationRow(1, { type: "reject", reason: 'broker said "no", twice', payload: { note: "a,b" } }));
    sink.writeOperation(operationRow(2, { type: "fill", reason: "=cmd()" }));
    await sink.flush();
    const server = serverUnderTest(sink);
    const response = await server.request("GET", "/operations?limit=1", { headers: { accept: "text/csv" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/csv");
    expect(response.headers.get("x-next-cursor")).not.toBeNull();
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,ts,ts_ms,daemon_id,type,order_ref,broker_order_id,exec_id,side,quantity_shares,price,commission_usd,reason,payload");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",fill,");
    expect(lines[1]).toContain(",'=cmd(),");
    const both = await (await server.request("GET", "/operations", { headers: { accept: "text/csv" } })).text();
    expect(both).toContain('"broker said ""no"", twice","{""note"":""a,b""}"');
  });

  test("400 naming the field for every malformed parameter", async () => {
    const server = serverUnderTest(await makeSink());
    await expectBadRequest(server, "/operations?limit=0", "limit", "limit was 0, expected an integer from 1 to 1000");
    await expectBadRequest(server, "/operations?limit=1001", "limit", "from 1 to 1000");
    await expectBadRequest(server, "/operations?limit=ten", "limit", 'limit was "ten"');
    await expectBadRequest(server, "/operations?limit=1&limit=2", "limit", "given 2 times");
    await expectBadRequest(server, "/operations?type=fil", "type", "expected one of: hedge_intent");
    await expectBadRequest(server, "/operations?since=yesterday", "since", "expected ISO-8601");
    await expectBadRequest(server, "/operations?since=2025-01-06T10:00:00", "since", "with a zone");
    await expectBadRequest(server, `/operations?since=${T0_MS}&until=${T0_MS - 1}`, "until", "at or after since");
    await expectBadRequest(server, "/operations?cursor=abc", "cursor", 'cursor was "abc"');
    await expectBadRequest(server, "/operations?limt=5", "limt", "not a parameter of this route");
    // Control characters: PostgreSQL text cannot hold U+0000 (was a 500 there, 200 on SQLite).
    await expectBadRequest(server, "/operations?order_ref=a%00b", "order_ref", "without control characters");
    await expectBadRequest(server, "/operations?daemon_id=%00", "daemon_id", "matching ^[A-Za-z0-9_.-]{1,64}$");
    await expectBadRequest(server, "/history?daemon_id=%00", "daemon_id", "matching ^[A-Za-z0-9_.-]{1,64}$");
  });

  test("input that looks like SQL is only ever a parameter value", async () => {
    const sink = await makeSink();
    sink.writeOperation(operationRow(1));
    await sink.flush();
    const server = serverUnderTest(sink);
    const result = await page(server, `?order_ref=${encodeURIComponent("x' OR '1'='1")}`);
    expect(result.operations).toEqual([]);
    expect((await page(server, "")).operations).toHaveLength(1);
  });
});

describeSinks("server GET /history", (makeSink) => {
  async function historyServer(sink: Sink): Promise<ServerUnderTest> {
    // 10 minutes of rows every 15 s: 40 rows, 4 per minute.
    for (let index = 0; index < 40; index += 1) sink.writeStatus(statusRow({ tsMs: T0_MS + index * 15_000, hedgeShares: -index, details: { dailyPnlUsd: index * 2.5 - 40 } }), { history: true });
    await sink.flush();
    return serverUnderTest(sink);
  }

  test("all rows oldest first without every", async () => {
    const server = await historyServer(await makeSink());
    const body = (await (await server.request("GET", "/history")).json()) as HistoryPage;
    expect(body.points).toHaveLength(40);
    expect(body.points[0]?.ts_ms).toBe(T0_MS);
    expect(body.points.map((point) => point.today_pnl_usd).slice(0, 3)).toEqual([-40, -37.5, -35]);
    expect(body.every_ms).toBeNull();
    expect(body.truncated).toBe(false);
  });

  test("every=1m keeps the last row of each minute", async () => {
    const server = await historyServer(await makeSink());
    const body = (await (await server.request("GET", "/history?every=1m")).json()) as HistoryPage;
    expect(body.every_ms).toBe(60_000);
    expect(body.points.map((point) => point.hedge_shares)).toEqual([-3, -7, -11, -15, -19, -23, -27, -31, -35, -39]);
  });

  test("since/until and limit (the newest points)", async () => {
    const server = await historyServer(await makeSink());
    const windowed = (await (await server.request("GET", `/history?since=${T0_MS + 60_000}&until=${T0_MS + 120_000}`)).json()) as HistoryPage;
    expect(windowed.points.map((point) => point.hedge_shares)).toEqual([-4, -5, -6, -7]);
    const limited = (await (await server.request("GET", "/history?limit=2")).json()) as HistoryPage;
    expect(limited.points.map((point) => point.hedge_shares)).toEqual([-38, -39]);
    expect(limited.truncated).toBe(true);
    const exact = (await (await server.request("GET", "/history?limit=40")).json()) as HistoryPage;
    expect([exact.points.length, exact.truncated]).toEqual([40, false]);
  });

  test("400 on a malformed every or time", async () => {
    const server = serverUnderTest(await makeSink());
    await expectBadRequest(server, "/history?every=0m", "every", "positive duration");
    await expectBadRequest(server, "/history?every=fast", "every", 'every was "fast"');
    await expectBadRequest(server, "/history?until=tomorrow", "until", "expected ISO-8601");
  });
});
