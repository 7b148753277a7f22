// IB 404 "order held while securities are located": the order stays working at IB. gs keeps
// tracking it (no second hedge next to it), warns the operator, and its timeout and stop still
// cancel it. The fake TWS holds the order the way TWS does (whyHeld "locate", 404), shown as
// PreSubmitted or as Inactive: an Inactive order held for locate is live, not rejected.
import { afterEach, expect, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { operations, SPOT } from "./daemon-harness.ts";
import { closeScenes, hedgingScene, quote, setStraddleDelta, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

const ORDER_TIMEOUT_MS = 30_000;
const HELD_404 = "404 Order held while securities are located.";
const INACTIVE_HELD = "- TWS reports the order Inactive, held (whyHeld locate) while shares to short are located; it stays working and may fill";

const SHOWN_AS = [
  { shownAs: "PreSubmitted", warnings: [HELD_404] },
  { shownAs: "Inactive", warnings: [INACTIVE_HELD, HELD_404] },
] as const;

for (const { shownAs, warnings } of SHOWN_AS) describeSinks(`daemon with broker = ib: an order held for locate (404), shown as ${shownAs}`, (makeSink) => {
  test("the held order stays tracked and warned about; no second hedge is sent next to it; its timeout cancels it", async () => {
    const scene = await hedgingScene(makeSink, { type: "hold_for_locate", shownAs });
    const { sink, tws, call, put, clock, running } = scene;
    const held = await workingHedge(scene);
    await until(clock, async () => (await operations(sink, ["order_warning"])).length === warnings.length, "the hold recorded as order warnings");
    const recorded = await operations(sink, ["order_warning"]);
    expect(recorded.map((warning) => warning.reason)).toEqual([...warnings]);
    for (const warning of recorded) expect(warning).toMatchObject({ orderRef: held.orderRef, brokerOrderId: held.orderId, quantityShares: held.totalQuantity });
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
    const scene = await hedgingScene(makeSink, { type: "hold_for_locate", shownAs });
    const held = await workingHedge(scene);
    await until(scene.clock, async () => (await operations(scene.sink, ["order_warning"])).length === warnings.length, "the order warnings");
    expect(await stopAndWait(scene.running, scene.clock)).toBe(0);
    expect(scene.tws.requestsOf("cancel_order").map((r) => r.request.orderId)).toEqual([held.orderId]);
    expect(scene.tws.workingOrders()).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
