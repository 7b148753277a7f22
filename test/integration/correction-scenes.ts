// What IB execution corrections look like in the operations trail, and a hedge filled at once:
// shared by the correction scenes (real adapter and @stoqey/ib client against the fake TWS).
import { expect } from "bun:test";
import type { Sink } from "../../src/sink/port.ts";
import { operations, SPOT } from "./daemon-harness.ts";
import type { IbDaemon, Scene } from "./ib-daemon-harness.ts";
import { createIbDaemon, inState, stopAndWait, until, workingHedge } from "./ib-daemon-harness.ts";

/** Fill, correction and commission rows, oldest first, as the trail states them. */
export async function fillRows(sink: Sink) {
  const rows = await operations(sink, ["fill", "partial_fill", "fill_correction", "commission"]);
  return rows.map((row) => ({ type: row.type, execId: row.execId, shares: row.quantityShares, commissionUsd: row.commissionUsd, correctsExecId: row.payload?.correctsExecId ?? null }));
}

export const commissionSumUsd = (rows: readonly { commissionUsd: number | null }[]) => rows.reduce((sum, row) => sum + (row.commissionUsd ?? 0), 0);

/** The scene's hedge filled in one execution at SPOT - 0.02 with a $1.20 commission. */
export async function filledHedge(scene: Scene): Promise<{ shares: number; execId: string }> {
  const working = await workingHedge(scene);
  scene.tws.fillOrder(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2);
  return { shares: working.totalQuantity, execId: scene.tws.account.executions().at(-1)!.execId };
}

/** filledHedge, and the daemon has recorded the fill with its commission. */
export async function recordedFill(scene: Scene): Promise<{ shares: number; execId: string }> {
  const fill = await filledHedge(scene);
  await until(scene.clock, () => scene.running.daemon.statusNow().details.dailyCommissionsUsd === 1.2, "the fill recorded with its commission");
  return fill;
}

/** Outside changes adopted so far: a correction must never be one. */
export async function adoptedCount(sink: Sink): Promise<number> {
  return (await operations(sink, ["reconcile"])).filter((o) => o.reason === "position_adopted").length;
}

/** The hedge filled and recorded, then a restart: the new run's book holds the fill in the broker's position (past the settle time). */
export async function filledThenRestarted(scene: Scene): Promise<{ shares: number; execId: string; restarted: IbDaemon }> {
  const { clock, running } = scene;
  const fill = await recordedFill(scene);
  const restarted = await restart(scene, running);
  await clock.advance(60_000);
  expect(restarted.daemon.statusNow().hedgeShares).toBe(-fill.shares);
  return { ...fill, restarted };
}

/** Stops `running` cleanly and starts a new daemon on the same TWS and sink. */
export async function restart(scene: Scene, running: IbDaemon): Promise<IbDaemon> {
  expect(await stopAndWait(running, scene.clock)).toBe(0);
  return startAgain(scene);
}

/** A new daemon on the scene's TWS and sink (the last one stopped), once RUNNING. */
export async function startAgain(scene: Scene): Promise<IbDaemon> {
  const restarted = createIbDaemon(scene.tws, scene.clock, scene.sink);
  await restarted.daemon.start();
  await until(scene.clock, inState(restarted, "RUNNING"), "RUNNING after the restart", 200);
  return restarted;
}
