// TWS corrections of executions (same exec id, last number bumped) with the real @stoqey/ib client
// against the fake TWS: the adapter reports a correction as an execution naming the one it
// replaces, live and in an executions answer, with its commission, whichever comes first.
import { describe, expect, test } from "bun:test";
import type { HedgeOrder } from "../../src/core/order.ts";
import { harnessPerTest } from "../fake-tws/ib-harness.ts";

const { connected } = harnessPerTest();

function hedge(seq: number, quantityShares = 5): HedgeOrder {
  return { orderRef: `gs:test:SPY:${seq}`, symbol: "SPY", side: "BUY", quantityShares, orderType: "market" };
}

describe("execution corrections", () => {
  test("live, after the corrected execution's commission: an execution naming the one it corrects, then its own commission", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(1));
    await h.tws.waitForRequest("place_order");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2);
    const first = await h.waitFor("commission");
    const corrected = h.tws.correctExecution(first.commission.execId, { shares: 4, price: 600.31, commission: 0.25 });
    await h.waitFor("commission", (e) => e.commission.execId === corrected.execId);
    h.tws.resendExecution(corrected.execId);
    await h.broker.positions(); // round trip: the resend adds nothing
    expect(h.eventsOf("execution").map((e) => e.execution)).toMatchObject([
      { execId: first.commission.execId, shares: 5, price: 600.3 },
      { execId: corrected.execId, correctsExecId: first.commission.execId, shares: 4, price: 600.31, cumulativeShares: 4 },
    ]);
    expect(h.eventsOf("execution")[0]?.execution.correctsExecId).toBeUndefined();
    expect(h.eventsOf("commission").map((e) => [e.commission.execId, e.commission.commissionUsd])).toEqual([[first.commission.execId, 0.2], [corrected.execId, 0.25]]);
    expect(h.logs.filter((l) => l.message.includes("505"))).toEqual([]);
  });

  test("live, before the corrected execution's commission: both commissions still come, each once", async () => {
    const h = await connected();
    h.tws.withholdLiveCommissions = true;
    const orderId = h.broker.placeOrder(hedge(2));
    await h.tws.waitForRequest("place_order");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2);
    const original = await h.waitFor("execution");
    const corrected = h.tws.correctExecution(original.execution.execId, { price: 600.35, commission: 0.3 });
    await h.waitFor("execution", (e) => e.execution.execId === corrected.execId);
    h.tws.releaseCommissions();
    await h.waitFor("commission", (e) => e.commission.execId === corrected.execId);
    await h.broker.positions();
    expect(h.eventsOf("execution").map((e) => [e.execution.execId, e.execution.correctsExecId ?? null])).toEqual([[original.execution.execId, null], [corrected.execId, original.execution.execId]]);
    expect(h.eventsOf("commission").map((e) => [e.commission.execId, e.commission.commissionUsd])).toEqual([[original.execution.execId, 0.2], [corrected.execId, 0.3]]);
  });

  test("in an executions answer (filled and corrected while gs was away): the correction names the execution it replaces", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(3));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.tws.dropConnections();
    await h.waitFor("connection", (e) => e.state === "disconnected");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2);
    const original = h.tws.account.executions().at(-1)!;
    const corrected = h.tws.correctExecution(original.execId, { shares: 6, commission: 0.24 });
    await h.broker.connect();
    const found = await h.broker.executionsSince(Date.now() - 60_000);
    expect(found.map((f) => [f.execution.execId, f.execution.correctsExecId ?? null, f.execution.shares, f.commission?.commissionUsd ?? null])).toEqual([
      [original.execId, null, 5, 0.2],
      [corrected.execId, original.execId, 6, 0.24],
    ]);
    expect(h.eventsOf("execution")).toEqual([]);
  });
});
