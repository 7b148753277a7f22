// The Sink contract: the same assertions on SQLite and on a real PostgreSQL.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import type { Sink } from "../../src/sink/port.ts";
import type { QueuedWrite } from "../../src/sink/queued-write.ts";
import type { OperationRow, StoredOperation } from "../../src/sink/records.ts";
import { finished, spawnSinkProcess } from "../support/sink-process.ts";
import { T0_MS, dailyState, operationRow, statusRow } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

/** Every operation, oldest first, read through the cursor API. */
async function allOperations(sink: Sink): Promise<StoredOperation[]> {
  const rows: StoredOperation[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await sink.queryOperations({ limit: 1_000, ...(beforeId === undefined ? {} : { beforeId }) });
    rows.push(...page);
    if (page.length < 1_000) return rows.reverse();
    beforeId = page[page.length - 1]?.id;
  }
}

function withoutId({ id: _id, ...row }: StoredOperation): OperationRow {
  return row;
}

describeSinks("sink contract", (makeSink, { makeDatabase }) => {
  test("migrate is idempotent and reports the schema version", async () => {
    const target = await makeDatabase();
    const first = target.open();
    expect(await first.migrate()).toBe(5);
    expect(await first.migrate()).toBe(5);
    expect(await target.open().migrate()).toBe(5);
  });

  test("two migrator processes racing on an empty database both succeed", async () => {
    const target = await makeDatabase();
    const jobs = [1, 2].map((n) =>
      spawnSinkProcess({ kind: target.kind, location: target.location, spoolPath: target.spoolPath(`m${n}.jsonl`), mode: "migrate" }),
    );
    const outputs = await Promise.all(jobs.map(finished));
    expect(outputs.map((line) => JSON.parse(line).version)).toEqual([5, 5]);
    expect(await target.open().migrate()).toBe(5);
  }, 60_000);

  test("status_current keeps the newest row per daemon; status_history keeps history rows", async () => {
    const sink = await makeSink();
    sink.writeStatus(statusRow({ tsMs: T0_MS }), { history: true });
    sink.writeStatus(statusRow({ tsMs: T0_MS + 5_000, state: "PAUSED", paused: true }), { history: false });
    sink.writeStatus(statusRow({ daemonId: "gs-other", tsMs: T0_MS + 1_000, spot: null, bid: null, ask: null }), { history: true });
    await sink.flush();
    // A later write of the same run wins even with an earlier wall-clock time: the daemon's
    // clock stepped back (NTP correcting a fast boot clock); ts_ms must not freeze the row.
    sink.writeStatus(statusRow({ tsMs: T0_MS + 1_000, state: "STOPPED" }), { history: true });
    await sink.flush();

    const current = await sink.readStatusCurrent();
    expect(current).toEqual([
      statusRow({ daemonId: "gs-other", tsMs: T0_MS + 1_000, spot: null, bid: null, ask: null }),
      statusRow({ tsMs: T0_MS + 1_000, state: "STOPPED" }),
    ]);
    expect(await sink.readStatusCurrent("gs-other")).toHaveLength(1);
    const history = await sink.queryHistory({ daemonId: "gs-test", limit: 10 });
    expect(history).toEqual([statusRow({ tsMs: T0_MS + 1_000, state: "STOPPED" }), statusRow({ tsMs: T0_MS })]);
    expect(await sink.queryHistory({ limit: 10, sinceMs: T0_MS + 1, untilMs: T0_MS + 1_001 })).toHaveLength(2);
  });

  test("status_history keeps the last snapshot written in a millisecond, within and across batches", async () => {
    const sink = await makeSink();
    const at = T0_MS + 7_000;
    sink.writeStatus(statusRow({ tsMs: at, hedgeState: "sending" }), { history: true });
    sink.writeStatus(statusRow({ tsMs: at, hedgeState: "working" }), { history: true });
    await sink.flush();
    sink.writeStatus(statusRow({ tsMs: at, hedgeState: "filled" }), { history: true });
    await sink.flush();
    const history = await sink.queryHistory({ limit: 10 });
    expect(history.map((row) => row.hedgeState)).toEqual(["filled"]);
    expect(sink.health().failedWrites).toBe(0);
  });

  test("operations round-trip every column, money rounded to 6 decimals like NUMERIC(20,6)", async () => {
    const sink = await makeSink();
    const full = operationRow(0, { commissionUsd: 1.0000345, price: 0.1 + 0.2, reason: "threshold" });
    const sparse = operationRow(1, {
      type: "hedge_intent",
      orderRef: null,
      brokerOrderId: null,
      execId: null,
      side: null,
      quantityShares: null,
      price: null,
      commissionUsd: null,
      payload: null,
    });
    sink.writeOperation(full);
    sink.writeOperation(sparse);
    await sink.flush();
    const rows = (await allOperations(sink)).map(withoutId);
    expect(rows).toEqual([{ ...full, commissionUsd: 1.000035, price: 0.3 }, sparse]);
  });

  test("newest-first cursor pagination visits every row once", async () => {
    const sink = await makeSink();
    for (let index = 0; index < 25; index += 1) sink.writeOperation(operationRow(index));
    await sink.flush();
    const pages: number[][] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await sink.queryOperations({ limit: 10, ...(beforeId === undefined ? {} : { beforeId }) });
      if (page.length === 0) break;
      pages.push(page.map((row) => Number(row.payload?.seq)));
      beforeId = page[page.length - 1]?.id;
    }
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, index) => 24 - index));
  });

  test("forward cursor pagination visits every row once, oldest first, and bounds by both cursors", async () => {
    const sink = await makeSink();
    for (let index = 0; index < 25; index += 1) sink.writeOperation(operationRow(index));
    await sink.flush();
    const pages: number[][] = [];
    let afterId = 0;
    for (;;) {
      const page = await sink.queryOperations({ limit: 10, afterId });
      if (page.length === 0) break;
      pages.push(page.map((row) => Number(row.payload?.seq)));
      afterId = page[page.length - 1]?.id ?? afterId;
    }
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, index) => index));
    const ids = (await allOperations(sink)).map((row) => row.id).sort((a, b) => a - b);
    const between = await sink.queryOperations({ limit: 100, afterId: ids[4], beforeId: ids[8] });
    expect(between.map((row) => Number(row.payload?.seq))).toEqual([5, 6, 7]);
  });

  test("operations filter by half-open time range, types, order_ref and daemon", async () => {
    const sink = await makeSink();
    const types = ["hedge_intent", "order_sent", "fill"] as const;
    for (let index = 0; index < 12; index += 1) {
      sink.writeOperation(operationRow(index, { type: types[index % 3] ?? "fill", daemonId: index < 6 ? "a" : "b" }));
    }
    await sink.flush();
    const seqs = (rows: StoredOperation[]) => rows.map((row) => Number(row.payload?.seq)).sort((x, y) => x - y);
    expect(seqs(await sink.queryOperations({ limit: 100, sinceMs: T0_MS + 2_000, untilMs: T0_MS + 5_000 }))).toEqual([2, 3, 4]);
    expect(seqs(await sink.queryOperations({ limit: 100, types: ["fill"] }))).toEqual([2, 5, 8, 11]);
    expect(seqs(await sink.queryOperations({ limit: 100, types: ["fill", "hedge_intent"], daemonId: "b" }))).toEqual([6, 8, 9, 11]);
    expect(seqs(await sink.queryOperations({ limit: 100, orderRef: "gs:scalp:SPY:1" }))).toEqual([3, 4, 5]);
    expect(await sink.queryOperations({ limit: 100, types: [] })).toEqual([]);
  });

  test("a duplicate op_id or exec_id is ignored, not an error", async () => {
    const sink = await makeSink();
    sink.writeOperation(operationRow(0));
    sink.writeOperation(operationRow(0, { reason: "same op_id again" }));
    sink.writeOperation(operationRow(1, { execId: operationRow(0).execId }));
    sink.writeOperation(operationRow(2, { execId: null }));
    sink.writeOperation(operationRow(3, { execId: null }));
    await sink.flush();
    sink.writeOperation(operationRow(0));
    await sink.flush();
    expect((await allOperations(sink)).map((row) => row.opId)).toEqual([0, 2, 3].map((n) => operationRow(n).opId));
    expect(sink.health()).toMatchObject({ failedWrites: 0, spooledRows: 0, queueDepth: 0 });
  });

  test("daily_state upserts by (daemon, day); the run's last write wins even when the clock stepped back", async () => {
    const sink = await makeSink();
    expect(await sink.loadDailyState("gs-test", "2025-01-06")).toBeNull();
    sink.writeDailyState(dailyState());
    // The day's PnL marks are unknown on rows older than migration 004.
    sink.writeDailyState(dailyState({ tradingDay: "2025-01-07", lastHedgeTsMs: null, lastHedgePrice: null, pnlMarks: null }));
    await sink.flush();
    const newer = dailyState({ hedgeCount: 5, realizedPnlUsd: -10.5, circuitBreakerTripped: true, pnlMarks: { hedgeOpenValueUsd: null, hedgeCashUsd: 0, hedgeShares: 0, optionClosedPnlUsd: 0, legBaselines: [] }, updatedAtMs: T0_MS + 60_000 });
    sink.writeDailyState(newer);
    await sink.flush();
    expect(await sink.loadDailyState("gs-test", "2025-01-06")).toEqual(newer);
    // The clock stepped back an hour; the breaker trips after that: this row must win.
    const afterStep = dailyState({ hedgeCount: 7, circuitBreakerTripped: true, updatedAtMs: T0_MS + 60_000 - 3_600_000 });
    sink.writeDailyState(afterStep);
    await sink.flush();
    expect(await sink.loadDailyState("gs-test", "2025-01-06")).toEqual(afterStep);
    expect(await sink.loadDailyState("gs-test", "2025-01-07")).toEqual(
      dailyState({ tradingDay: "2025-01-07", lastHedgeTsMs: null, lastHedgePrice: null, pnlMarks: null }),
    );
  });

  test("a replayed spool line older than the stored row of its run overwrites neither status nor daily_state", async () => {
    const target = await makeDatabase();
    const line = (writerSeq: number, write: QueuedWrite): string => `${JSON.stringify({ seq: writerSeq, write, origin: { writerRunId: "run-a", writerSeq } })}\n`;
    const older = [line(1, { type: "status", row: statusRow({ tsMs: T0_MS, state: "RUNNING" }), history: false }), line(2, { type: "daily_state", state: dailyState({ hedgeCount: 1 }) })];
    const newer = [line(3, { type: "status", row: statusRow({ tsMs: T0_MS - 60_000, state: "STOPPED" }), history: false }), line(4, { type: "daily_state", state: dailyState({ hedgeCount: 7, updatedAtMs: T0_MS - 60_000 }) })];
    // Run A's rows reached the database; a crash before the trim left them in the spool.
    const replay = async (lines: string[]): Promise<Sink> => {
      const spoolPath = target.spoolPath(`replay-${lines.length}-${Math.random()}.jsonl`);
      writeFileSync(spoolPath, lines.join(""));
      const sink = target.open({ spoolPath });
      await sink.migrate();
      await sink.flush();
      return sink;
    };
    await replay([...older, ...newer]);
    const sink = await replay(older);
    expect((await sink.readStatusCurrent("gs-test"))[0]?.state).toBe("STOPPED");
    expect((await sink.loadDailyState("gs-test", "2025-01-06"))?.hedgeCount).toBe(7);
  });

  test("a dead run's rows replayed after the next run wrote (its spool adopted by another process) overwrite neither status nor daily_state", async () => {
    const target = await makeDatabase();
    const spoolPath = target.spoolPath("runs.jsonl");
    // Run 1 stops during an outage: its last status and counters stay in the spool.
    const run1 = target.open({ spoolPath });
    run1.writeStatus(statusRow({ tsMs: T0_MS, state: "RUNNING" }), { history: false });
    run1.writeDailyState(dailyState({ hedgeCount: 3, circuitBreakerTripped: false, updatedAtMs: T0_MS }));
    await run1.close();
    // gs serve opens first on the same spool path and holds run 1's rows, still waiting for the database.
    const server = target.open({ spoolPath });
    // Run 2 spools to a sibling, empty: nothing holds its start back, and it writes.
    const run2 = target.open({ spoolPath });
    await run2.migrate();
    expect(run2.health().spooledRows).toBe(0);
    run2.writeStatus(statusRow({ tsMs: T0_MS + 60_000, state: "STOPPED" }), { history: false });
    run2.writeDailyState(dailyState({ hedgeCount: 9, circuitBreakerTripped: true, updatedAtMs: T0_MS + 60_000 }));
    await run2.flush();
    // The server gets the database and replays run 1's rows.
    await server.migrate();
    await server.flush();
    expect(server.health().spooledRows).toBe(0);
    expect((await run2.readStatusCurrent("gs-test"))[0]?.state).toBe("STOPPED");
    const saved = await run2.loadDailyState("gs-test", "2025-01-06");
    expect({ hedges: saved?.hedgeCount, tripped: saved?.circuitBreakerTripped }).toEqual({ hedges: 9, tripped: true });
  });

  test("a run whose clock was an hour fast does not hold back the rows of the run after the clock stepped back", async () => {
    const target = await makeDatabase();
    const nowMs = Date.now();
    const fast = target.open();
    await fast.migrate();
    fast.writeStatus(statusRow({ tsMs: nowMs + 3_600_000, state: "RUNNING" }), { history: false });
    fast.writeDailyState(dailyState({ hedgeCount: 3, updatedAtMs: nowMs + 3_600_000 }));
    await fast.close();
    const next = target.open();
    await next.migrate();
    next.writeStatus(statusRow({ tsMs: nowMs, state: "STOPPED" }), { history: false });
    next.writeDailyState(dailyState({ hedgeCount: 5, circuitBreakerTripped: true, updatedAtMs: nowMs }));
    await next.flush();
    expect((await next.readStatusCurrent("gs-test"))[0]?.state).toBe("STOPPED");
    const saved = await next.loadDailyState("gs-test", "2025-01-06");
    expect({ hedges: saved?.hedgeCount, tripped: saved?.circuitBreakerTripped }).toEqual({ hedges: 5, tripped: true });
  });

  test("control commands: issued, claimed exactly once by concurrent claimants, completed", async () => {
    const target = await makeDatabase();
    const [first, second] = [target.open(), target.open()] as const;
    await first.migrate();
    await second.migrate();
    const ids: number[] = [];
    for (const command of ["pause", "resume", "stop"] as const) {
      ids.push(await first.issueControl({ daemonId: "d1", command, args: { reason: command }, issuedBy: "ctl@host", tsMs: T0_MS }));
    }
    await first.issueControl({ daemonId: "d2", command: "flatten", args: {}, issuedBy: "ctl@host", tsMs: T0_MS });
    const claims = await Promise.all([first.claimControl("d1", T0_MS + 10), second.claimControl("d1", T0_MS + 20)]);
    const claimedIds = claims.flat().map((row) => row.id);
    expect(claimedIds.sort((a, b) => a - b)).toEqual(ids);
    for (const claim of claims) expect(claim.map((row) => row.id)).toEqual([...claim.map((row) => row.id)].sort((a, b) => a - b));
    expect(await first.claimControl("d1", T0_MS + 30)).toEqual([]);
    const claimed = claims.flat().find((row) => row.id === ids[0]);
    expect(claimed).toMatchObject({ command: "pause", args: { reason: "pause" }, issuedBy: "ctl@host", result: null });

    first.completeControl(ids[0] ?? 0, "paused", T0_MS + 40);
    await first.flush();
    expect(await second.getControl(ids[0] ?? 0)).toMatchObject({ consumedAtMs: T0_MS + 40, result: "paused" });
    expect(await second.getControl(999_999)).toBeNull();
    expect((await second.claimControl("d2", T0_MS + 50)).map((row) => row.command)).toEqual(["flatten"]);
  });

  test("many claimants racing over many commands: every command claimed exactly once", async () => {
    const target = await makeDatabase();
    const claimants = [target.open(), target.open(), target.open(), target.open()];
    for (const claimant of claimants) await claimant.migrate();
    const issued: number[] = [];
    const claimed: number[] = [];
    const claimLoop = async (sink: Sink, round: number) => {
      for (let pass = 0; pass < 10; pass += 1) {
        for (const row of await sink.claimControl("d1", T0_MS + round * 100 + pass)) claimed.push(row.id);
      }
    };
    const issuing = (async () => {
      for (let index = 0; index < 30; index += 1) {
        issued.push(await claimants[0]!.issueControl({ daemonId: "d1", command: "pause", args: { index }, issuedBy: "race", tsMs: T0_MS }));
      }
    })();
    await Promise.all([issuing, ...claimants.map((sink, round) => claimLoop(sink, round))]);
    await claimLoop(claimants[1]!, 9); // whatever was issued after the racing loops ended
    expect([...claimed].sort((a, b) => a - b)).toEqual(issued);
  }, 30_000);

  test("backtest runs and bars round-trip", async () => {
    const sink = await makeSink();
    const run = { runId: "r1", startedAtMs: T0_MS, finishedAtMs: T0_MS + 9, configHash: "c", dataFingerprint: "f", fromDay: "2024-01-02", toDay: "2024-03-28", summary: { pnlUsd: 12.5, hedges: 40 } };
    await sink.saveBacktestRun(run);
    await sink.saveBacktestRun({ ...run, runId: "r2", startedAtMs: T0_MS + 100 });
    await sink.saveBacktestRun({ ...run, summary: { pnlUsd: 13 } });
    expect((await sink.listBacktestRuns(10)).map((row) => row.runId)).toEqual(["r2", "r1"]);
    expect((await sink.listBacktestRuns(1))[0]?.runId).toBe("r2");
    expect((await sink.listBacktestRuns(10))[1]?.summary).toEqual({ pnlUsd: 13 });
    expect(await sink.getBacktestRun("r1")).toEqual({ ...run, summary: { pnlUsd: 13 } });
    expect((await sink.getBacktestRun("r2"))?.startedAtMs).toBe(T0_MS + 100);
    expect(await sink.getBacktestRun("r3")).toBeNull();

    const bars = Array.from({ length: 5 }, (_, index) => ({
      symbol: "SPY", barSeconds: 300, tsMs: T0_MS + index * 300_000, open: 580.5, high: 581.25, low: 580.01, close: 581 + index / 4, volume: 120_000 + index,
    }));
    await sink.saveBars(bars);
    await sink.saveBars([{ ...bars[0]!, close: 590 }]);
    expect(await sink.loadBars("SPY", 300, T0_MS + 300_000, T0_MS + 4 * 300_000)).toEqual(bars.slice(1, 4));
    expect((await sink.loadBars("SPY", 300, T0_MS, T0_MS + 1))[0]?.close).toBe(590);
    expect(await sink.loadBars("SPY", 60, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  test("a reader in another connection sees whole batches only while a writer process runs", async () => {
    const target = await makeDatabase();
    const reader = target.open();
    await reader.migrate();
    const batchRows = 500;
    const child = spawnSinkProcess({ kind: target.kind, location: target.location, spoolPath: target.spoolPath("writer.jsonl"), mode: "write", count: 20 * batchRows, batchRows, tag: "w" });
    const seen: number[] = [];
    const done = finished(child);
    let running = true;
    void done.finally(() => (running = false));
    while (running) {
      seen.push((await reader.queryOperations({ limit: 100_000 })).length);
      // SQLite reads resolve synchronously: yield so the child's exit can be noticed.
      await Bun.sleep(1);
    }
    await done;
    seen.push((await reader.queryOperations({ limit: 100_000 })).length);
    expect(seen.filter((count) => count % batchRows !== 0)).toEqual([]);
    expect(seen.every((count, index) => index === 0 || count >= (seen[index - 1] ?? 0))).toBe(true);
    expect(seen[seen.length - 1]).toBe(20 * batchRows);
  }, 60_000);
});
