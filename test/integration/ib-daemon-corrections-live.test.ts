// IB corrects a fill of the running daemon's hedge: in either order with its original, around a
// reconnect, with commissions held back, of a part fill, of the price of a fill that added to the
// position. The book, pending shares, day's commissions and trail agree with the broker (real
// adapter and @stoqey/ib client against the fake TWS, both sinks).
import { afterEach, expect, test } from "bun:test";
import { historyStats } from "../../src/sink/history-stats.ts";
import { describeSinks } from "../support/sinks.ts";
import { commissionSumUsd, filledHedge, fillRows } from "./correction-scenes.ts";
import { operations, SETTINGS, SPOT } from "./daemon-harness.ts";
import type { Scene } from "./ib-daemon-harness.ts";
import { closeScenes, hedgingScene, inState, quote, setStraddleDelta, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

/** The hedge fills 100 shares, IB corrects them to 90, and the rest is cancelled (its status still counting 100 filled). */
async function partFillCorrectedDownThenCancelled(scene: Scene): Promise<void> {
  const { tws, clock, running } = scene;
  const working = await workingHedge(scene);
  tws.fillOrder(working.orderId, 100, SPOT - 0.02, 0.5);
  const part = tws.account.executions().at(-1)!;
  await until(clock, () => running.daemon.statusNow().hedgeShares === -100, "the partial fill in the book");
  tws.correctExecution(part.execId, { shares: 90, commission: 0.45 });
  await until(clock, () => running.daemon.statusNow().hedgeShares === -90, "the correction in the book");
  tws.cancelOrderFromTws(working.orderId);
}

/** The hedge fills at TWS, but only the fill's correction (a cent lower, $1.30) is reported; the original's report, $1.20, is held back. */
async function correctedBeforeReported(scene: Scene) {
  const { tws } = scene;
  const working = await workingHedge(scene);
  tws.account.fill(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2);
  const original = tws.account.executions().at(-1)!;
  const c2 = tws.correctExecution(original.execId, { price: SPOT - 0.03, commission: 1.3 });
  return { working, original, c2 };
}

describeSinks("execution corrections while running", (makeSink) => {
  test("filled while disconnected, corrected live while the reconnect reconciles: the book holds the corrected fill once", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { tws, clock, running } = scene;
    const working = await workingHedge(scene);
    tws.dropConnections();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
    tws.fillOrder(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2);
    const original = tws.account.executions().at(-1)!;
    let correctedId = "";
    // TWS publishes the correction after it answered the reconnect's executions request, while gs waits for positions.
    const stop = tws.onRequest((entry) => {
      if (entry.request.type !== "req_positions" || tws.requestsOf("req_executions").length < 2 || correctedId !== "") return;
      correctedId = tws.correctExecution(original.execId, { shares: working.totalQuantity - 1, commission: 1.3 }).execId;
    });
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING after reconnecting", 200);
    stop();
    expect(correctedId).not.toBe("");
    // The correction may wait for a trail lookup (a real database) before the book takes it.
    await until(clock, () => running.daemon.statusNow().hedgeShares === -(working.totalQuantity - 1), "the correction in the book", 100);
    await clock.advance(60_000);
    const row = running.daemon.statusNow();
    expect({ hedgeShares: row.hedgeShares, pendingShares: row.pendingShares, commissions: row.details.dailyCommissionsUsd }).toEqual({
      hedgeShares: -(working.totalQuantity - 1),
      pendingShares: 0,
      commissions: 1.3,
    });
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a price correction of a hedge that added to the position realises no PnL and keeps the average cost", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { tws, call, put, clock, running } = scene;
    const { shares } = await filledHedge(scene); // SELL at SPOT - 0.02
    await until(clock, () => running.daemon.statusNow().hedgeShares === -shares, "the first fill in the book");
    // The straddle grows longer: a second SELL adds to the short hedge.
    await clock.advance(120_000);
    setStraddleDelta(tws, call, put, SPOT + 2, 600);
    quote(tws, SPOT + 2);
    await until(clock, () => tws.workingOrders().length === 1, "a second hedge", 100);
    const [second] = tws.workingOrders();
    tws.fillOrder(second!.orderId, second!.totalQuantity, SPOT + 2, 1);
    const secondExec = tws.account.executions().at(-1)!;
    const total = shares + second!.totalQuantity;
    await until(clock, () => running.daemon.statusNow().hedgeShares === -total, "the second fill in the book");
    const before = running.daemon.statusNow();
    expect(before.dailyRealizedPnlUsd).toBe(0); // only sells so far: nothing realised
    tws.correctExecution(secondExec.execId, { price: SPOT + 2.5 });
    await clock.advance(10_000);
    const after = running.daemon.statusNow();
    expect(after.hedgeShares).toBe(-total);
    // Still only sells: no PnL realised, and the unrealised PnL is that of the corrected average cost.
    const avgCost = (shares * (SPOT - 0.02) + second!.totalQuantity * (SPOT + 2.5)) / total;
    expect(after.dailyRealizedPnlUsd).toBeCloseTo(0, 6);
    expect(after.unrealizedPnlUsd as number).toBeCloseTo(-total * ((after.spot as number) - avgCost), 6);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a part fill corrected down, the rest cancelled: nothing stays pending", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { clock, running } = scene;
    await partFillCorrectedDownThenCancelled(scene);
    await clock.advance(60_000);
    const row = running.daemon.statusNow();
    expect({ hedgeShares: row.hedgeShares, pendingShares: row.pendingShares, hedgeState: row.hedgeState }).toEqual({ hedgeShares: -90, pendingShares: 0, hedgeState: "idle" });
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a part fill corrected down, the rest cancelled: a flatten closes the rest (not abandoned for missing executions)", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    await partFillCorrectedDownThenCancelled(scene);
    await clock.advance(10_000);
    tws.orderPolicy = { type: "fill", commissionPerShare: 0.005 };
    await sink.issueControl({ daemonId: "test-daemon", command: "flatten", args: {}, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await clock.advance(200_000);
    const abandoned = (await operations(sink, ["reconcile"])).filter((row) => row.reason === "flatten_abandoned").map((row) => (row.payload as { message?: string } | null)?.message);
    const flattenIntents = (await operations(sink, ["hedge_intent"])).filter((row) => row.reason === "flatten").map((row) => row.quantityShares);
    expect({ abandoned, flattenIntents, hedgeShares: running.daemon.statusNow().hedgeShares }).toEqual({ abandoned: [], flattenIntents: [90], hedgeShares: 0 });
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("two live corrections, commissions held back and released: book, day and trail agree", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" }, (tws) => void (tws.withholdLiveCommissions = true));
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().hedgeShares === -shares, "fill");
    const c2 = tws.correctExecution(execId, { shares: shares - 10, commission: 1.5 });
    const c3 = tws.correctExecution(c2.execId, { shares: shares - 5, price: SPOT - 0.04, commission: 1.4 });
    await until(clock, () => running.daemon.statusNow().hedgeShares === -(shares - 5), "both corrections");
    tws.releaseCommissions();
    await clock.advance(60_000);
    const row = running.daemon.statusNow();
    expect({ h: row.hedgeShares, p: row.pendingShares, c: row.details.dailyCommissionsUsd, m: row.blockReasons.filter((b) => b.code.endsWith("mismatch")).length }).toEqual({ h: -(shares - 5), p: 0, c: 1.4, m: 0 });
    const rows = await fillRows(sink);
    expect(commissionSumUsd(rows)).toBeCloseTo(1.4, 9);
    const stats = await historyStats(sink, { days: 0, nowMs: Date.now() }) // rows are written on the fake clock, executions stamped by the fake TWS on the wall clock;
    expect({ sold: stats.summary.sharesSold, c: stats.summary.commissionsUsd }).toEqual({ sold: shares - 5, c: 1.4 });
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("corrected while disconnected, found at the reconnect, then resent live: counted once", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const working = await workingHedge(scene);
    tws.dropConnections();
    await until(clock, inState(running, "WAITING_BROKER"), "down");
    tws.fillOrder(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2);
    const original = tws.account.executions().at(-1)!;
    const c2 = tws.correctExecution(original.execId, { shares: working.totalQuantity - 2, commission: 1.1 });
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING", 200);
    tws.resendExecution(original.execId);
    tws.resendExecution(c2.execId);
    await clock.advance(60_000);
    const row = running.daemon.statusNow();
    expect({ h: row.hedgeShares, p: row.pendingShares, c: row.details.dailyCommissionsUsd }).toEqual({ h: -(working.totalQuantity - 2), p: 0, c: 1.1 });
    expect((await operations(sink, ["reconcile"])).filter((o) => o.reason !== "ok").map((o) => o.reason)).toEqual([]);
    expect(commissionSumUsd(await fillRows(sink))).toBeCloseTo(1.1, 9);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("the correction's commission first, the original's late: counted once", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" }, (tws) => void (tws.withholdLiveCommissions = true));
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().hedgeShares === -shares, "fill");
    const c2 = tws.correctExecution(execId, { price: SPOT - 0.05, commission: 1.4 });
    await until(clock, () => running.daemon.statusNow().hedgeShares === -shares && running.log.some((l) => l.includes(c2.execId)), "corr");
    // Release in reverse order: the correction's commission, then the original's.
    const withheld = (tws as unknown as { withheldCommissions: unknown[] }).withheldCommissions;
    withheld.reverse();
    tws.releaseCommissions();
    await clock.advance(60_000);
    expect(running.daemon.statusNow().details.dailyCommissionsUsd).toBe(1.4);
    expect(commissionSumUsd(await fillRows(sink))).toBeCloseTo(1.4, 9);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
  // Review 2, R2: the correction, first, was recorded as a plain fill and the original, late, as
  // a second one: gs stats counted the shares and the commissions twice.
  test("a correction that comes before its original: the trail records the original as the fill and the correction as its correction", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { working, original, c2 } = await correctedBeforeReported(scene);
    await until(clock, () => running.daemon.statusNow().hedgeShares === -working.totalQuantity, "the correction in the book", 100);
    tws.resendExecution(original.execId); // the original's report and commission, late
    await clock.advance(60_000);
    const row = running.daemon.statusNow();
    const rows = (await fillRows(sink)).filter((r) => r.type !== "commission");
    const stats = await historyStats(sink, { days: 0, nowMs: Date.now() });
    expect({ hedgeShares: row.hedgeShares, commissions: row.details.dailyCommissionsUsd, rows, commissionSum: commissionSumUsd(await fillRows(sink)), sold: stats.summary.sharesSold }).toEqual({
      hedgeShares: -working.totalQuantity,
      commissions: 1.3,
      rows: [
        { type: "fill", execId: original.execId, shares: working.totalQuantity, commissionUsd: null, correctsExecId: null },
        { type: "fill_correction", execId: c2.execId, shares: working.totalQuantity, commissionUsd: 1.3, correctsExecId: original.execId },
      ],
      commissionSum: expect.closeTo(1.3, 9),
      sold: working.totalQuantity,
    });
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a correction whose original comes only after the correction's row could wait no longer: the correction is the fill, the original adds nothing", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { working, original, c2 } = await correctedBeforeReported(scene);
    // Its row's wait for the original starts once the trail lookup (a real database) answered and the book holds it.
    await until(clock, () => running.daemon.statusNow().hedgeShares === -working.totalQuantity, "the correction in the book", 100);
    await clock.advance(60_000); // past the wait for the original
    tws.resendExecution(original.execId);
    await clock.advance(60_000);
    const rows = await fillRows(sink);
    const stats = await historyStats(sink, { days: 0, nowMs: Date.now() });
    expect({ hedgeShares: running.daemon.statusNow().hedgeShares, rows, sold: stats.summary.sharesSold }).toEqual({
      hedgeShares: -working.totalQuantity,
      rows: [{ type: "fill", execId: c2.execId, shares: working.totalQuantity, commissionUsd: 1.3, correctsExecId: null }],
      sold: working.totalQuantity,
    });
    expect((await operations(sink, ["fill"])).map((o) => o.reason)).toEqual([`stands for ${original.execId}, which was not reported`]);
    expect(running.log.some((line) => line.includes(`execution ${original.execId} came after`))).toBe(true);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
