// A final status can under-report what was filled (IB's "Cancelled, filled 40" while a last
// execution of 20 is still on its way). Once the executions the status claimed are in, the
// order owes nothing by that status; an execution arriving after it is still the broker's real
// trade and must reach the book, or the book is short by its shares until a position adoption.
import { describe, expect, test } from "bun:test";
import type { ExecutionReport, HedgeOrder } from "../../src/core/order.ts";
import { HedgerHarness } from "./hedger-harness.ts";

function execution(order: HedgeOrder, execId: string, shares: number, cumulativeShares: number, tsEventMs: number): ExecutionReport {
  return { execId, orderRef: order.orderRef, brokerOrderId: 1, symbol: order.symbol, side: order.side, shares, price: 594, cumulativeShares, tsEventMs };
}

describe("an execution after a final status that under-reported the filled shares", () => {
  test("reaches the book once; nothing stays pending", () => {
    const t = new HedgerHarness();
    const order = t.quote(594).hedgeIfWanted()!;
    const sign = order.side === "BUY" ? 1 : -1;
    const reported = Math.floor(order.quantityShares / 3);
    const late = Math.floor(order.quantityShares / 4);
    expect(reported).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(0);
    t.hedger.onOrderStatus({ orderRef: order.orderRef, status: "cancelled", filledShares: reported, tsEventMs: t.nowMs });
    t.hedger.onExecution(execution(order, "e1", reported, reported, t.nowMs));
    expect(t.hedger.snapshot(t.nowMs)).toMatchObject({ hedgeShares: sign * reported, pendingShares: 0 });

    const lateExecution = execution(order, "e2", late, reported + late, t.nowMs + 500);
    t.hedger.onExecution(lateExecution);
    expect(t.hedger.snapshot(t.nowMs + 500)).toMatchObject({ hedgeShares: sign * (reported + late), pendingShares: 0 });
    // Its commission is the order's, and a resend of the execution changes nothing.
    t.hedger.onCommission({ execId: "e2", commissionUsd: 0.5, tsEventMs: t.nowMs + 500 });
    t.hedger.onExecution(lateExecution);
    expect(t.hedger.snapshot(t.nowMs + 600)).toMatchObject({ hedgeShares: sign * (reported + late), pendingShares: 0 });
    expect(t.hedger.book.commissionsTodayUsd).toBeCloseTo(0.5, 9);
    // A resent commission report (TWS resends them with executions after a reconnect) counts once.
    t.hedger.onCommission({ execId: "e2", commissionUsd: 0.5, tsEventMs: t.nowMs + 700 });
    expect(t.hedger.book.commissionsTodayUsd).toBeCloseTo(0.5, 9);
  });
});
