// A broker may correct an execution after reporting it (IB: same exec id up to its last period,
// ".01" -> ".02"). The correction replaces the execution: the book moves by the difference in
// shares and cash once, and the commission counted is the corrected execution's.
import { describe, expect, test } from "bun:test";
import type { ExecutionReport, HedgeOrder } from "../../src/core/order.ts";
import { HedgerHarness } from "./hedger-harness.ts";

function execution(order: HedgeOrder, execId: string, shares: number, price: number, correctsExecId?: string): ExecutionReport {
  return { execId, orderRef: order.orderRef, brokerOrderId: 1, symbol: order.symbol, side: order.side, shares, price, cumulativeShares: shares, tsEventMs: 0, ...(correctsExecId === undefined ? {} : { correctsExecId }) };
}

function hedged(): { t: HedgerHarness; order: HedgeOrder; sign: number } {
  const t = new HedgerHarness();
  const order = t.quote(594).hedgeIfWanted()!;
  return { t, order, sign: order.side === "BUY" ? 1 : -1 };
}

describe("an execution correction", () => {
  test("replaces the shares and price of the execution it corrects, once", () => {
    const { t, order, sign } = hedged();
    const n = order.quantityShares;
    const cashBeforeUsd = t.hedger.pnl.hedgeCashUsd;
    t.hedger.onExecution(execution(order, "e.01", n, 594));
    const corrected = execution(order, "e.02", n - 1, 594.5, "e.01");
    t.hedger.onExecution(corrected);
    t.hedger.onExecution(corrected); // resent
    expect(t.hedger.book.shares).toBe(sign * (n - 1));
    expect(t.hedger.book.avgCostUsd).toBeCloseTo(594.5, 9);
    expect(t.hedger.pnl.hedgeShares).toBe(sign * (n - 1));
    expect(t.hedger.pnl.hedgeCashUsd - cashBeforeUsd).toBeCloseTo(-sign * (n - 1) * 594.5, 6);
  });

  test.each([
    ["commission of the original first", ["e.01", "e.02"], 1.25],
    ["commission of the correction first (the original's, late, is superseded)", ["e.02", "e.01"], 1.25],
  ])("counts the corrected execution's commission only: %s", (_name, order_, expected) => {
    const { t, order } = hedged();
    t.hedger.onExecution(execution(order, "e.01", order.quantityShares, 594));
    t.hedger.onExecution(execution(order, "e.02", order.quantityShares, 594.01, "e.01"));
    const usd: Record<string, number> = { "e.01": 1, "e.02": 1.25 };
    for (const execId of order_) t.hedger.onCommission({ execId, commissionUsd: usd[execId]!, tsEventMs: 0 });
    t.hedger.onCommission({ execId: "e.02", commissionUsd: 1.25, tsEventMs: 0 }); // resent
    expect(t.hedger.book.commissionsTodayUsd).toBeCloseTo(expected, 9);
  });

  test("of an execution never seen counts as a plain execution", () => {
    const { t, order, sign } = hedged();
    t.hedger.onExecution(execution(order, "e.02", order.quantityShares, 594, "e.01"));
    t.hedger.onCommission({ execId: "e.02", commissionUsd: 1, tsEventMs: 0 });
    expect(t.hedger.book.shares).toBe(sign * order.quantityShares);
    expect(t.hedger.book.commissionsTodayUsd).toBeCloseTo(1, 9);
    expect(t.hedger.snapshot(t.nowMs).pendingShares).toBe(0);
  });
});
