// An own order that TWS finished while gs was disconnected: no orderStatus for it ever reaches
// gs, only the executions that the reconnect's reqExecutions returns. The daemon must hand them to
// core like live executions and treat the order as final, or core keeps it in flight and never
// hedges again (real adapter and @stoqey/ib client against the fake TWS, on both sinks).
import { afterEach, expect, test } from "bun:test";
import type { StatusRow } from "../../src/sink/records.ts";
import { describeSinks } from "../support/sinks.ts";
import { operations, SETTINGS, SPOT } from "./daemon-harness.ts";
import type { Scene } from "./ib-daemon-harness.ts";
import { closeScenes, hedgingScene, inState, quote, setStraddleDelta, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

/** Drops the socket with a hedge working, lets TWS act on the order while gs is away, reconnects. */
async function actWhileDisconnected(scene: Scene, act: (orderId: number, shares: number) => void): Promise<{ orderRef: string; shares: number }> {
  const { tws, clock, running } = scene;
  const working = await workingHedge(scene);
  tws.dropConnections();
  await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
  act(working.orderId, working.totalQuantity);
  await clock.advance(SETTINGS.retryIntervalMs);
  await until(clock, inState(running, "RUNNING"), "RUNNING after reconnecting", 200);
  return { orderRef: working.orderRef, shares: working.totalQuantity };
}

/** The market moves well past the hedge band: a working hedger must send a fresh order. */
async function expectFreshHedge(scene: Scene): Promise<void> {
  const { tws, call, put, clock } = scene;
  const before = tws.requestsOf("place_order").length;
  setStraddleDelta(tws, call, put, SPOT + 3, 900);
  quote(tws, SPOT + 3);
  await until(clock, () => tws.requestsOf("place_order").length > before, "a fresh hedge after the reconnect", 100);
}

const hedgingStatus = (row: StatusRow) => ({
  hedgeState: row.hedgeState,
  hedgeShares: row.hedgeShares,
  pendingShares: row.pendingShares,
  positionMismatch: row.blockReasons.some((reason) => reason.code === "position_mismatch"),
});

describeSinks("daemon with broker = ib: an order TWS finished while gs was disconnected", (makeSink) => {
  test("filled while the socket was down: core books the fill at reconnect, nothing stays in flight, hedging goes on", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const { orderRef, shares } = await actWhileDisconnected(scene, (orderId, quantity) => tws.fillOrder(orderId, quantity, SPOT - 0.02, 1.2));
    expect(hedgingStatus(running.daemon.statusNow())).toEqual({ hedgeState: "idle", hedgeShares: -shares, pendingShares: 0, positionMismatch: false });
    // Past the position settle time and the order timeout: no mismatch, no cancel of a filled order.
    await clock.advance(60_000);
    expect(hedgingStatus(running.daemon.statusNow())).toEqual({ hedgeState: "idle", hedgeShares: -shares, pendingShares: 0, positionMismatch: false });
    expect((await operations(sink, ["cancel_request"])).map((o) => o.orderRef)).not.toContain(orderRef);
    const fills = await operations(sink, ["fill", "partial_fill"]);
    expect(fills.map((f) => [f.type, f.orderRef, f.quantityShares, f.price, f.commissionUsd])).toEqual([["fill", orderRef, shares, SPOT - 0.02, 1.2]]);
    await expectFreshHedge(scene);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  // TWS computes a commission a moment after its execution: the reconnect's executions answer may
  // end before it, in the same socket read or well after. Either way it is booked, once.
  test.each(["after_end_same_write", "withheld"] as const)("filled while down, its commission sent after the executions answer (%s): the commission is recorded once and counted in the day", async (placement) => {
    const scene = await hedgingScene(makeSink, { type: "work" }, (tws) => void (tws.commissionsOfExecutionsAnswer = placement));
    const { sink, tws, clock, running } = scene;
    const { orderRef, shares } = await actWhileDisconnected(scene, (orderId, quantity) => tws.fillOrder(orderId, quantity, SPOT - 0.02, 1.2));
    tws.releaseCommissions();
    await until(clock, () => running.daemon.statusNow().details.dailyCommissionsUsd === 1.2, "the commission counted in the day");
    await running.broker.positions(); // round trip: nothing more comes
    await clock.advance(10_000); // past the fill recorder's commission wait
    const rows = await operations(sink, ["fill", "partial_fill", "commission"]);
    expect(rows.filter((row) => row.type !== "commission").map((row) => [row.orderRef, row.quantityShares])).toEqual([[orderRef, shares]]);
    expect(rows.reduce((sum, row) => sum + (row.commissionUsd ?? 0), 0)).toBe(1.2);
    expect(running.daemon.statusNow().details.dailyCommissionsUsd).toBe(1.2);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("part-filled then cancelled at TWS while down: final with the executed shares, the rest no longer pending", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    let partShares = 0;
    const { orderRef } = await actWhileDisconnected(scene, (orderId, quantity) => {
      partShares = Math.floor(quantity / 3);
      tws.fillOrder(orderId, partShares, SPOT - 0.01, 0.7);
      tws.cancelOrderFromTws(orderId);
    });
    expect(hedgingStatus(running.daemon.statusNow())).toEqual({ hedgeState: "idle", hedgeShares: -partShares, pendingShares: 0, positionMismatch: false });
    await clock.advance(60_000);
    expect(hedgingStatus(running.daemon.statusNow())).toEqual({ hedgeState: "idle", hedgeShares: -partShares, pendingShares: 0, positionMismatch: false });
    const cancels = await operations(sink, ["cancel"]);
    expect(cancels.map((o) => [o.orderRef, o.reason])).toEqual([[orderRef, "reconcile: order no longer working at the broker"]]);
    await expectFreshHedge(scene);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("the reconciliation finding the fill is abandoned half-way (socket drops during positions): the retry books the fill once, no mismatch, nothing pending", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, clock, running } = scene;
    const working = await workingHedge(scene);
    tws.dropConnections();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
    tws.fillOrder(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2);
    // A slow position dump, and the socket drops after the executions were answered.
    tws.positionDumpPauseMs = 1_000;
    let dropArmed = true;
    tws.onRequest((entry) => {
      if (!dropArmed || entry.request.type !== "req_executions") return;
      dropArmed = false;
      setTimeout(() => tws.dropConnections(), 300);
    });
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, () => !dropArmed, "the executions asked for");
    await until(clock, () => running.log.some((line) => line.includes("RECONCILING -> WAITING_BROKER")), "the reconciliation abandoned");
    await Bun.sleep(50); // its positions() request fails with the session
    expect(await operations(sink, ["fill", "partial_fill", "reconcile"])).toHaveLength(1); // the first start's reconcile only
    tws.positionDumpPauseMs = 0;
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING after the retry", 200);
    const status = running.daemon.statusNow();
    expect(hedgingStatus(status)).toEqual({ hedgeState: "idle", hedgeShares: -working.totalQuantity, pendingShares: 0, positionMismatch: false });
    expect(status.blockReasons.map((reason) => reason.code)).not.toContain("hard_block");
    const fills = await operations(sink, ["fill", "partial_fill"]);
    expect(fills.map((f) => [f.orderRef, f.quantityShares, f.commissionUsd])).toEqual([[working.orderRef, working.totalQuantity, 1.2]]);
    expect((await operations(sink, ["reconcile"])).map((o) => o.reason)).toEqual(["ok", "ok"]);
    // TWS resending the execution live now changes nothing: the book and the rows count it once.
    tws.resendExecution(tws.account.executions()[0]?.execId ?? "missing");
    await running.broker.positions(); // round trip after the resend
    expect(hedgingStatus(running.daemon.statusNow())).toEqual({ hedgeState: "idle", hedgeShares: -working.totalQuantity, pendingShares: 0, positionMismatch: false });
    expect(await operations(sink, ["fill", "partial_fill", "commission"])).toHaveLength(1);
    // The options still carry +240 delta, which the booked fill hedges: nothing to buy back.
    const before = tws.requestsOf("place_order").length;
    await clock.advance(61_000);
    quote(tws, SPOT + 0.5);
    await Bun.sleep(50);
    await clock.advance(1_000);
    expect(tws.requestsOf("place_order").slice(before).map((r) => r.request.action)).not.toContain("BUY");
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
