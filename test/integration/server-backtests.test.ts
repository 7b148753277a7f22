// GET /backtests and GET /backtests/{runId} on both sinks: the runs `gs backtest` recorded
// (backtest_runs), newest first with a headline, one run whole, and 400/404/401 answers.
import { expect, setDefaultTimeout, test } from "bun:test";
import type { BacktestRunsPage, BacktestRunView } from "../../src/server/backtest-runs-view.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { BacktestRunRow } from "../../src/sink/records.ts";
import { serverUnderTest, TEST_TOKEN } from "../support/server-app.ts";
import type { ServerUnderTest } from "../support/server-app.ts";
import { T0_MS } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

// The first PostgreSQL test starts the throwaway cluster.
setDefaultTimeout(60_000);

/** A stored run shaped as save-runs.ts writes it (the summary's keys are BacktestSummary's). */
function runRow(index: number, overrides: Partial<BacktestRunRow> = {}): BacktestRunRow {
  return {
    runId: `bt-run${index}-c0ffee-fa11ed`,
    startedAtMs: T0_MS + index * 60_000,
    finishedAtMs: T0_MS + index * 60_000 + 4_321,
    configHash: `config${index}`,
    dataFingerprint: "fa11ed",
    fromDay: "2024-03-01",
    toDay: "2024-06-28",
    summary: {
      runId: `bt-run${index}-c0ffee-fa11ed`,
      pnl: { totalUsd: 100.25 * index, scalpingUsd: 300.5, thetaUsd: -200.25 },
      hedges: 40 + index,
      maxDrawdownUsd: 55.5,
      dailySharpe: index === 2 ? null : 1.25,
      months: [{ month: "2024-03", totalUsd: 10 }],
      guards: { verified: true },
    },
    ...overrides,
  };
}

async function seeded(sink: Sink, count: number): Promise<ServerUnderTest> {
  for (let index = 1; index <= count; index += 1) await sink.saveBacktestRun(runRow(index));
  return serverUnderTest(sink);
}

async function expectBadRequest(server: ServerUnderTest, path: string, field: string, messagePart: string): Promise<void> {
  const response = await server.request("GET", path);
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: string; field: string; message: string };
  expect(body).toEqual({ error: "invalid_request", field, message: expect.stringContaining(messagePart) });
}

describeSinks("server backtests", (makeSink) => {
  test("GET /backtests with nothing recorded is an empty list", async () => {
    const server = serverUnderTest(await makeSink());
    const response = await server.request("GET", "/backtests");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ runs: [] });
  });

  test("GET /backtests lists runs most recently started first, each with its headline", async () => {
    const server = await seeded(await makeSink(), 3);
    const page = (await (await server.request("GET", "/backtests")).json()) as BacktestRunsPage;
    expect(page.runs.map((run) => run.run_id)).toEqual(["bt-run3-c0ffee-fa11ed", "bt-run2-c0ffee-fa11ed", "bt-run1-c0ffee-fa11ed"]);
    expect(page.runs[0]).toEqual({
      run_id: "bt-run3-c0ffee-fa11ed",
      started_at_ms: T0_MS + 180_000,
      finished_at_ms: T0_MS + 184_321,
      started_at: new Date(T0_MS + 180_000).toISOString(),
      config_hash: "config3",
      data_fingerprint: "fa11ed",
      from_day: "2024-03-01",
      to_day: "2024-06-28",
      headline: { total_pnl_usd: 300.75, scalping_pnl_usd: 300.5, hedges: 43, max_drawdown_usd: 55.5, daily_sharpe: 1.25 },
    });
    expect(page.runs[1]?.headline.daily_sharpe).toBeNull();
    expect(page.runs[0]).not.toHaveProperty("summary"); // the list stays small; the run route has it
  });

  test("GET /backtests?limit=N returns the N newest; the default is 50", async () => {
    const server = await seeded(await makeSink(), 55);
    const two = (await (await server.request("GET", "/backtests?limit=2")).json()) as BacktestRunsPage;
    expect(two.runs.map((run) => run.run_id)).toEqual(["bt-run55-c0ffee-fa11ed", "bt-run54-c0ffee-fa11ed"]);
    const byDefault = (await (await server.request("GET", "/backtests")).json()) as BacktestRunsPage;
    expect(byDefault.runs).toHaveLength(50);
    expect(byDefault.runs.at(-1)?.run_id).toBe("bt-run6-c0ffee-fa11ed");
    const all = (await (await server.request("GET", "/backtests?limit=1000")).json()) as BacktestRunsPage;
    expect(all.runs).toHaveLength(55);
  });

  test("a summary without the headline's fields (another gs version) gives nulls, not an error", async () => {
    const sink = await makeSink();
    await sink.saveBacktestRun(runRow(1, { summary: { pnl: "n/a", hedges: "many" } }));
    const page = (await (await serverUnderTest(sink).request("GET", "/backtests")).json()) as BacktestRunsPage;
    expect(page.runs[0]?.headline).toEqual({ total_pnl_usd: null, scalping_pnl_usd: null, hedges: null, max_drawdown_usd: null, daily_sharpe: null });
  });

  test("GET /backtests/{runId} is the run with its whole stored summary", async () => {
    const server = await seeded(await makeSink(), 2);
    const response = await server.request("GET", "/backtests/bt-run1-c0ffee-fa11ed");
    expect(response.status).toBe(200);
    const view = (await response.json()) as BacktestRunView;
    expect(view.run_id).toBe("bt-run1-c0ffee-fa11ed");
    expect(view.config_hash).toBe("config1");
    expect(view.headline.total_pnl_usd).toBe(100.25);
    expect(view.summary).toEqual(runRow(1).summary);
  });

  test("GET /backtests/{runId} of an unknown run is 404 not_found", async () => {
    const server = await seeded(await makeSink(), 1);
    const response = await server.request("GET", "/backtests/bt-nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", message: 'No backtest run with id "bt-nope".' });
  });

  test("bad input is a 400 naming the field and what was expected", async () => {
    const server = await seeded(await makeSink(), 1);
    await expectBadRequest(server, "/backtests?limit=0", "limit", "limit was 0, expected an integer from 1 to 1000");
    await expectBadRequest(server, "/backtests?limit=1001", "limit", "from 1 to 1000");
    await expectBadRequest(server, "/backtests?limit=ten", "limit", 'limit was "ten"');
    await expectBadRequest(server, "/backtests?limt=5", "limt", "limt is not a parameter of this route, expected one of: limit");
    await expectBadRequest(server, "/backtests/bad%20id", "runId", "matching");
  });

  test("read access: open on loopback, the token otherwise; both routes are in /openapi.json", async () => {
    const sink = await makeSink();
    await sink.saveBacktestRun(runRow(1));
    const guarded = serverUnderTest(sink, { readsNeedToken: true });
    expect((await guarded.request("GET", "/backtests")).status).toBe(401);
    expect((await guarded.request("GET", "/backtests/bt-run1-c0ffee-fa11ed")).status).toBe(401);
    expect((await guarded.request("GET", "/backtests", { token: TEST_TOKEN })).status).toBe(200);
    expect((await guarded.request("GET", "/backtests/bt-run1-c0ffee-fa11ed", { token: TEST_TOKEN })).status).toBe(200);
    const openApi = (await (await guarded.request("GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
    expect(openApi.paths["/backtests"]?.get?.parameters?.map((parameter) => parameter.name)).toEqual(["limit"]);
    expect(openApi.paths["/backtests/{runId}"]?.get?.parameters?.map((parameter) => parameter.name)).toEqual(["runId"]);
  });
});
