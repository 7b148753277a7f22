// IB corrects a fill of an earlier run of gs ("….01" -> "….02"): live after a restart, or while
// gs was down. This process never saw the original, so it reads it from the operations trail: the
// book moves by the difference once (never taken for an outside change), today's commissions by
// the commission's, and the trail gets a fill_correction row naming both (both sinks).
import { afterEach, expect, test } from "bun:test";
import { historyStats } from "../../src/sink/history-stats.ts";
import { describeSinks } from "../support/sinks.ts";
import { adoptedCount, commissionSumUsd, filledThenRestarted, fillRows, recordedFill, startAgain } from "./correction-scenes.ts";
import { operations, SETTINGS, SPOT } from "./daemon-harness.ts";
import { closeScenes, hedgingScene, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

describeSinks("execution corrections across runs", (makeSink, context) => {
  test("a live correction of a fill of the previous run moves the book once and is recorded as a fill_correction", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock } = scene;
    const { shares, execId, restarted } = await filledThenRestarted(scene);
    const adoptedBefore = await adoptedCount(sink);
    // IB corrects the earlier run's fill now, while the new run is connected: one share less, new commission.
    const corrected = tws.correctExecution(execId, { shares: shares - 1, price: SPOT - 0.03, commission: 1.5 });
    // The trail's answer takes real time: the fake clock must not run past the settle time before it.
    await until(clock, () => restarted.daemon.statusNow().details.dailyCommissionsUsd === 1.5, "the correction applied with the trail's record");
    await clock.advance(60_000); // past the commission wait and the position settle time
    const row = restarted.daemon.statusNow();
    const rows = (await fillRows(sink)).filter((r) => r.type !== "commission");
    const adopted = (await adoptedCount(sink)) - adoptedBefore;
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
    const { shares, execId } = await recordedFill(scene);
    const second = tws.correctExecution(execId, { commission: 1.5 });
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.5, "the first correction counted");
    await clock.advance(10_000);
    expect(await stopAndWait(running, clock)).toBe(0);
    const third = tws.correctExecution(second.execId, { commission: 1.6 }); // while gs is down
    const restarted = await startAgain(scene);
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
    const { shares, execId } = await recordedFill(scene);
    expect(await stopAndWait(running, clock)).toBe(0);
    const c2 = tws.correctExecution(execId, { shares: shares + 5, commission: 1.3 });
    tws.correctExecution(c2.execId, { shares: shares + 3, commission: 1.25 });
    const restarted = await startAgain(scene);
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
    const { execId } = await recordedFill(scene);
    const c2 = tws.correctExecution(execId, { commission: 1.3 });
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.3, "correction");
    await clock.advance(10_000);
    expect(await stopAndWait(running, clock)).toBe(0);
    const before = await fillRows(sink);
    const restarted = await startAgain(scene);
    tws.resendExecution(execId);
    tws.resendExecution(c2.execId);
    await clock.advance(60_000);
    expect(await fillRows(sink)).toEqual(before);
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
  // Review 2, R1: .03 came while .02 still waited for the trail's record of .01, found .02 among
  // the executions seen and was applied at once; .02's answer then found its place taken and
  // the .01 -> .02 difference never reached the book (taken for an outside change instead).
  test("two corrections of the previous run's fill in quick succession: the second waits for the first's lookup, the book moves by the whole difference once", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock } = scene;
    const { shares, execId, restarted } = await filledThenRestarted(scene);
    const adoptedBefore = await adoptedCount(sink);
    const c2 = tws.correctExecution(execId, { shares: shares - 10, commission: 1.5 });
    const c3 = tws.correctExecution(c2.execId, { shares: shares - 5, commission: 1.4 });
    await until(clock, () => restarted.daemon.statusNow().details.dailyCommissionsUsd === 1.4, "both corrections applied");
    await clock.advance(60_000);
    const row = restarted.daemon.statusNow();
    const adopted = (await adoptedCount(sink)) - adoptedBefore;
    const rows = (await fillRows(sink)).filter((r) => r.type !== "commission");
    expect({ hedgeShares: row.hedgeShares, commissions: row.details.dailyCommissionsUsd, adopted, rows }).toEqual({
      hedgeShares: -(shares - 5),
      commissions: 1.4,
      adopted: 0,
      rows: [
        { type: "fill", execId, shares, commissionUsd: 1.2, correctsExecId: null },
        { type: "fill_correction", execId: c2.execId, shares: shares - 10, commissionUsd: expect.closeTo(0.3, 9), correctsExecId: execId },
        { type: "fill_correction", execId: c3.execId, shares: shares - 5, commissionUsd: expect.closeTo(-0.1, 9), correctsExecId: c2.execId },
      ],
    });
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  // Review 2, R3: the restart's reconciliation applies the correction before the broker's
  // position is the book's baseline: the flat book "reopened" the dropped shares at its average
  // cost of 0, taking their whole value (about 1,000 USD) off today's realised PnL.
  test("a size-down correction made while gs was down, found at the restart: the shares only ever sold realise nothing", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { tws, clock, running, sink } = scene;
    const { shares, execId } = await recordedFill(scene);
    expect(running.daemon.statusNow().dailyRealizedPnlUsd).toBe(0);
    expect(await stopAndWait(running, clock)).toBe(0);
    tws.correctExecution(execId, { shares: shares - 2, commission: 1.1 });
    const restarted = await startAgain(scene);
    await clock.advance(60_000);
    const row = restarted.daemon.statusNow();
    expect({ hedgeShares: row.hedgeShares, realized: row.dailyRealizedPnlUsd }).toEqual({ hedgeShares: -(shares - 2), realized: 0 });
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  // Review 2, R4: the lookup had no deadline. With the database hung (connections open, nothing
  // answered) correctionsAwaited stayed 1 and the position check never settled again: a manual
  // trade made afterwards was never adopted (nor blocked) for the life of the process.
  test.skipIf(context.kind !== "postgres")("a trail lookup the hung database never answers gives up at its deadline: the position check goes on", async () => {
    const target = await context.makeDatabase();
    const scene = await hedgingScene(async () => {
      const sink = target.open();
      await sink.migrate();
      return sink;
    }, { type: "work" });
    const { tws, clock } = scene;
    const { shares, execId, restarted } = await filledThenRestarted(scene);
    target.hang();
    tws.correctExecution(execId, { shares: shares - 1, commission: 1.5 });
    await until(clock, () => restarted.daemon.statusNow().details.brokerHedgeShares === -(shares - 1), "the correction reported");
    const givenUp = () => restarted.log.some((line) => line.includes(`could not be read from the records (the operations trail's record of execution ${execId} did not finish within`));
    await until(clock, givenUp, "the lookup given up at its deadline (real time)");
    tws.setPosition(tws.stockContract("SPY"), -(shares - 1) + 100, 521); // a manual trade: 100 shares bought in TWS
    await until(clock, () => restarted.daemon.statusNow().details.brokerHedgeShares === -(shares - 1) + 100, "the manual trade reported");
    for (let i = 0; i < 60; i++) await clock.advance(SETTINGS.heartbeatMs); // far past the settle time
    const row = restarted.daemon.statusNow();
    await target.restore();
    expect({ hedgeShares: row.hedgeShares, mismatch: row.details.positionMismatchShares }).toEqual({ hedgeShares: -(shares - 1) + 100, mismatch: 0 });
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
