// IB corrects a fill of an earlier run of gs ("….01" -> "….02"): live after a restart, or while
// gs was down. This process never saw the original, so it reads it from the operations trail: the
// book moves by the difference once (never taken for an outside change), today's commissions by
// the commission's, and the trail gets a fill_correction row naming both (both sinks).
import { afterEach, expect, test } from "bun:test";
import { historyStats } from "../../src/sink/history-stats.ts";
import { describeSinks } from "../support/sinks.ts";
import { commissionSumUsd, filledHedge, fillRows, restart } from "./correction-scenes.ts";
import { operations, SPOT } from "./daemon-harness.ts";
import { closeScenes, createIbDaemon, hedgingScene, inState, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

describeSinks("execution corrections across runs", (makeSink) => {
  test("a live correction of a fill of the previous run moves the book once and is recorded as a fill_correction", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.2, "the fill recorded with its commission");
    const restarted = await restart(scene, running);
    // Past the position settle time: the restarted book holds the broker's -shares (see R1 for how it gets there).
    await clock.advance(60_000);
    expect(restarted.daemon.statusNow().hedgeShares).toBe(-shares);
    const adoptedBefore = (await operations(sink, ["reconcile"])).filter((o) => o.reason === "position_adopted").length;
    // IB corrects the earlier run's fill now, while the new run is connected: one share less, new commission.
    const corrected = tws.correctExecution(execId, { shares: shares - 1, price: SPOT - 0.03, commission: 1.5 });
    await clock.advance(60_000); // past the commission wait and the position settle time
    const row = restarted.daemon.statusNow();
    const rows = (await fillRows(sink)).filter((r) => r.type !== "commission");
    const adopted = (await operations(sink, ["reconcile"])).filter((o) => o.reason === "position_adopted").length - adoptedBefore;
    expect({
      hedgeShares: row.hedgeShares,
      dailyCommissionsUsd: row.details.dailyCommissionsUsd,
      correctionAdoptedAsOutsideChange: adopted,
      rows,
    }).toEqual({
      hedgeShares: -(shares - 1),
      dailyCommissionsUsd: 1.5,
      correctionAdoptedAsOutsideChange: 0,
      rows: [
        { type: "fill", execId, shares, commissionUsd: 1.2, correctsExecId: null },
        { type: "fill_correction", execId: corrected.execId, shares: shares - 1, commissionUsd: expect.closeTo(0.3, 9), correctsExecId: execId },
      ],
    });
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a second correction found after a restart, the first recorded live: its row carries the commission difference to the first", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.2, "the fill recorded with its commission");
    const second = tws.correctExecution(execId, { commission: 1.5 });
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.5, "the first correction counted");
    await clock.advance(10_000);
    expect(await stopAndWait(running, clock)).toBe(0);
    const third = tws.correctExecution(second.execId, { commission: 1.6 }); // while gs is down
    const restarted = createIbDaemon(tws, clock, sink);
    await restarted.daemon.start();
    await until(clock, inState(restarted, "RUNNING"), "RUNNING after the restart", 200);
    await clock.advance(10_000);
    const rows = (await fillRows(sink)).filter((r) => r.type !== "commission");
    expect(rows).toEqual([
      { type: "fill", execId, shares, commissionUsd: 1.2, correctsExecId: null },
      { type: "fill_correction", execId: second.execId, shares, commissionUsd: expect.closeTo(0.3, 9), correctsExecId: execId },
      { type: "fill_correction", execId: third.execId, shares, commissionUsd: expect.closeTo(0.1, 9), correctsExecId: second.execId },
    ]);
    // The operations trail adds up to the broker's commission for the execution.
    const all = await fillRows(sink);
    expect(all.reduce((sum, r) => sum + (r.commissionUsd ?? 0), 0)).toBeCloseTo(1.6, 9);
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("two corrections found after a restart: the trail adds up, no mismatch", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.2, "fill");
    expect(await stopAndWait(running, clock)).toBe(0);
    const c2 = tws.correctExecution(execId, { shares: shares + 5, commission: 1.3 });
    tws.correctExecution(c2.execId, { shares: shares + 3, commission: 1.25 });
    const restarted = createIbDaemon(tws, clock, sink);
    await restarted.daemon.start();
    await until(clock, inState(restarted, "RUNNING"), "RUNNING", 200);
    await clock.advance(60_000);
    const row = restarted.daemon.statusNow();
    expect({ h: row.hedgeShares, m: row.blockReasons.filter((b) => b.code.endsWith("mismatch")).length }).toEqual({ h: -(shares + 3), m: 0 });
    expect((await operations(sink, ["reconcile"])).filter((o) => o.reason === "mismatch")).toEqual([]);
    const rows = await fillRows(sink);
    expect(commissionSumUsd(rows)).toBeCloseTo(1.25, 9);
    const stats = await historyStats(sink, { days: 0, nowMs: Date.now() }) // rows are written on the fake clock, executions stamped by the fake TWS on the wall clock;
    expect(stats.summary.sharesSold).toBe(shares + 3);
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("the previous run's execution and its correction resent live after a restart: no new rows", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.2, "fill");
    const c2 = tws.correctExecution(execId, { commission: 1.3 });
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.3, "correction");
    await clock.advance(10_000);
    expect(await stopAndWait(running, clock)).toBe(0);
    const before = await fillRows(sink);
    const restarted = createIbDaemon(tws, clock, sink);
    await restarted.daemon.start();
    await until(clock, inState(restarted, "RUNNING"), "RUNNING", 200);
    tws.resendExecution(execId);
    tws.resendExecution(c2.execId);
    await clock.advance(60_000);
    expect(await fillRows(sink)).toEqual(before);
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
