// IB 404 "order held while securities are located": the order stays working at IB. gs keeps
// tracking it (no second hedge next to it), warns the operator, and its timeout and stop still
// cancel it. The fake TWS holds the order the way TWS does (PreSubmitted, whyHeld "locate", 404).
import { afterEach, expect, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { operations, SPOT } from "./daemon-harness.ts";
import { closeScenes, hedgingScene, quote, setStraddleDelta, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

const ORDER_TIMEOUT_MS = 30_000;

describeSinks("daemon with broker = ib: an order held for locate (404)", (makeSink) => {
  test("the held order stays tracked and warned about; no second hedge is sent next to it; its timeout cancels it", async () => {
    const scene = await hedgingScene(makeSink, { type: "hold_for_locate" });
    const { sink, tws, call, put, clock, running } = scene;
    const held = await workingHedge(scene);
    await until(clock, async () => (await operations(sink, ["order_warning"])).length === 1, "the 404 recorded as an order warning");
    const [warning] = await operations(sink, ["order_warning"]);
    expect(warning).toMatchObject({ orderRef: held.orderRef, brokerOrderId: held.orderId, quantityShares: held.totalQuantity });
    expect(warning?.reason).toContain("404");
    expect(running.log.some((line) => line.includes("warn") && line.includes("404"))).toBe(true);
    expect(await operations(sink, ["reject"])).toEqual([]);
    expect(running.daemon.statusNow().hedgeState).toBe("working");

    // The delta grows while the order is held: gs waits for it instead of selling again.
    await clock.advance(ORDER_TIMEOUT_MS - 1_000);
    setStraddleDelta(tws, call, put, SPOT + 2, 400);
    quote(tws, SPOT + 2);
    await Bun.sleep(50);
    expect(tws.requestsOf("place_order")).toHaveLength(1);
    expect(tws.requestsOf("cancel_order")).toHaveLength(0);

    await clock.advance(2_000);
    quote(tws, SPOT + 2.01);
    await until(clock, () => tws.requestsOf("cancel_order").length === 1, "the held order cancelled at its timeout", 100);
    expect(tws.requestsOf("cancel_order")[0]?.request.orderId).toBe(held.orderId);
    await until(clock, () => tws.workingOrders().every((o) => o.orderId !== held.orderId), "the held order gone at TWS");
    expect(tws.workingOrders().length).toBeLessThanOrEqual(1);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("stop with a held order working: the order is cancelled", async () => {
    const scene = await hedgingScene(makeSink, { type: "hold_for_locate" });
    const held = await workingHedge(scene);
    await until(scene.clock, async () => (await operations(scene.sink, ["order_warning"])).length === 1, "the order warning");
    expect(await stopAndWait(scene.running, scene.clock)).toBe(0);
    expect(scene.tws.requestsOf("cancel_order").map((r) => r.request.orderId)).toEqual([held.orderId]);
    expect(scene.tws.workingOrders()).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
