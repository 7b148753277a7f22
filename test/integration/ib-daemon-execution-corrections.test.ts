// TWS corrects an execution of a gs hedge ("….01" -> "….02", new shares, price, commission). The
// daemon must count the corrected fill instead of the first, once: in the book, the day's
// commissions and the position check, with a fill_correction row naming both exec ids; live, and
// when the correction is only found by the executions request after a restart (real adapter and
// @stoqey/ib client against the fake TWS, on both sinks).
import { afterEach, expect, test } from "bun:test";
import type { Sink } from "../../src/sink/port.ts";
import { describeSinks } from "../support/sinks.ts";
import { filledHedge, recordedFill, startAgain } from "./correction-scenes.ts";
import { operations, SPOT } from "./daemon-harness.ts";
import type { IbDaemon } from "./ib-daemon-harness.ts";
import { closeScenes, hedgingScene, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

const status = (running: IbDaemon) => {
  const row = running.daemon.statusNow();
  return {
    hedgeShares: row.hedgeShares,
    pendingShares: row.pendingShares,
    dailyCommissionsUsd: row.details.dailyCommissionsUsd,
    mismatch: row.blockReasons.map((reason) => reason.code).filter((code) => code.endsWith("mismatch")),
  };
};

async function fillRows(sink: Sink) {
  const rows = await operations(sink, ["fill", "partial_fill", "fill_correction", "commission"]);
  return rows.map((row) => ({ type: row.type, execId: row.execId, shares: row.quantityShares, price: row.price, commissionUsd: row.commissionUsd, correctsExecId: row.payload?.correctsExecId ?? null }));
}

describeSinks("daemon with broker = ib: a corrected execution", (makeSink) => {
  test.each([
    ["after the corrected execution's commission", false],
    ["before the corrected execution's commission", true],
  ] as const)("live, %s: the corrected fill counts once, its commission replaces the first", async (_name, correctionFirst) => {
    const scene = await hedgingScene(makeSink, { type: "work" }, (tws) => void (tws.withholdLiveCommissions = correctionFirst));
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await filledHedge(scene);
    await until(clock, () => running.daemon.statusNow().hedgeShares === -shares, "the fill in the book");
    const corrected = tws.correctExecution(execId, { shares: shares - 10, price: SPOT - 0.05, commission: 1.5 });
    tws.releaseCommissions();
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.5, "the corrected commission counted in the day");
    await clock.advance(60_000); // past the commission wait and the position settle time
    expect(status(running)).toEqual({ hedgeShares: -(shares - 10), pendingShares: 0, dailyCommissionsUsd: 1.5, mismatch: [] });
    const rows = await fillRows(sink);
    expect(rows.filter((row) => row.type !== "commission")).toEqual([
      { type: "fill", execId, shares, price: SPOT - 0.02, commissionUsd: 1.2, correctsExecId: null },
      { type: "fill_correction", execId: corrected.execId, shares: shares - 10, price: SPOT - 0.05, commissionUsd: expect.closeTo(0.3, 9), correctsExecId: execId },
    ]);
    expect(rows.reduce((sum, row) => sum + (row.commissionUsd ?? 0), 0)).toBeCloseTo(1.5, 9);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("found only by the executions request after a restart: one fill, no mismatch, the correction recorded", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { shares, execId } = await recordedFill(scene);
    expect(await stopAndWait(running, clock)).toBe(0);
    const corrected = tws.correctExecution(execId, { shares: shares + 5, price: SPOT - 0.03, commission: 1.25 }); // while gs is down
    const restarted = await startAgain(scene);
    await clock.advance(60_000);
    // The book holds the corrected fill, and the position check agrees (a previous run's order: its commission is only recorded).
    expect(status(restarted)).toMatchObject({ hedgeShares: -(shares + 5), pendingShares: 0, mismatch: [] });
    const rows = await fillRows(sink);
    expect(rows.filter((row) => row.type !== "commission")).toEqual([
      { type: "fill", execId, shares, price: SPOT - 0.02, commissionUsd: 1.2, correctsExecId: null },
      { type: "fill_correction", execId: corrected.execId, shares: shares + 5, price: SPOT - 0.03, commissionUsd: expect.closeTo(0.05, 9), correctsExecId: execId },
    ]);
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
