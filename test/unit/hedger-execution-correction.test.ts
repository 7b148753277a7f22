// A broker may correct an execution after reporting it (IB: same exec id up to its last period,
// ".01" -> ".02"). The correction replaces the execution: the book moves by the difference in
// shares and cash once, and the commission counted is the corrected execution's.
import { describe, expect, test } from "bun:test";
import type { ExecutionReport, HedgeOrder } from "../../src/core/order.ts";
import { HedgerHarness } from "./hedger-harness.ts";

function execution(order: HedgeOrder, execId: string, shares: number, price: number, correctsExecId?: string, cumulativeShares = shares): ExecutionReport {
  return { execId, orderRef: order.orderRef, brokerOrderId: 1, symbol: order.symbol, side: order.side, shares, price, cumulativeShares, tsEventMs: 0, ...(correctsExecId === undefined ? {} : { correctsExecId }) };
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

  test("that arrives before the execution it corrects stands for it: the original, late, adds nothing", () => {
    const { t, order, sign } = hedged();
    const n = order.quantityShares;
    t.hedger.onExecution(execution(order, "e.02", n - 1, 594.5, "e.01"));
    t.hedger.onExecution(execution(order, "e.01", n, 594));
    t.hedger.onCommission({ execId: "e.02", commissionUsd: 1.25, tsEventMs: 0 });
    t.hedger.onCommission({ execId: "e.01", commissionUsd: 1, tsEventMs: 0 }); // superseded
    expect([t.hedger.book.shares, t.hedger.book.commissionsTodayUsd]).toEqual([sign * (n - 1), 1.25]);
  });

  test("that arrives before the execution it corrects: a final status counting the original's shares owes nothing", () => {
    const { t, order, sign } = hedged();
    const n = order.quantityShares;
    t.hedger.onExecution(execution(order, "e.02", n - 1, 594.5, "e.01"));
    t.hedger.onExecution(execution(order, "e.01", n, 594));
    t.hedger.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: n, tsEventMs: 0 });
    expect({ shares: t.hedger.book.shares, pending: t.hedger.orders.pendingShares }).toEqual({ shares: sign * (n - 1), pending: 0 });
  });

  test("of a part fill, down, then the rest cancelled: nothing stays pending", () => {
    const { t, order, sign } = hedged();
    t.hedger.onExecution(execution(order, "e.01", 10, 594));
    t.hedger.onExecution(execution(order, "e.02", 9, 594, "e.01"));
    t.hedger.onOrderStatus({ orderRef: order.orderRef, status: "cancelled", filledShares: 9, tsEventMs: 0 });
    expect({ shares: t.hedger.book.shares, pending: t.hedger.orders.pendingShares, state: t.hedger.orders.hedgeState() }).toEqual({ shares: sign * 9, pending: 0, state: "idle" });
  });

  test("of a part fill, down, then the rest cancelled by a status still counting the corrected shares: nothing stays pending", () => {
    const { t, order, sign } = hedged();
    t.hedger.onExecution(execution(order, "e.01", 10, 594));
    t.hedger.onExecution(execution(order, "e.02", 9, 594, "e.01", 10));
    t.hedger.onOrderStatus({ orderRef: order.orderRef, status: "cancelled", filledShares: 10, tsEventMs: 0 });
    expect({ shares: t.hedger.book.shares, pending: t.hedger.orders.pendingShares }).toEqual({ shares: sign * 9, pending: 0 });
  });

  test("of the price of a fill that added to the position realises nothing: the average cost is the corrected one", () => {
    const { t, order, sign } = hedged();
    t.hedger.book.setPosition(sign * 100, 590); // 100 shares on the order's side: its fill adds to them
    t.hedger.onExecution(execution(order, "e.01", 10, 594));
    t.hedger.onExecution(execution(order, "e.02", 10, 594.5, "e.01"));
    expect(t.hedger.book.shares).toBe(sign * 110);
    expect(t.hedger.book.realizedPnlTodayUsd).toBeCloseTo(0, 9);
    expect(t.hedger.book.avgCostUsd).toBeCloseTo((100 * 590 + 10 * 594.5) / 110, 9);
  });
});

describe("a correction of an execution the book does not hold (an earlier run's, or before the day rolled)", () => {
  // An order of an earlier run: its fill is in the broker position the book started from.
  const earlier = { orderRef: "gs:earlier-run:SPY:7", symbol: "SPY", side: "SELL", quantityShares: 100 } as HedgeOrder;
  const recorded = { execId: "e.01", shares: 100, price: 594, commissionUsd: 1.2 };

  function started(): HedgerHarness {
    const t = new HedgerHarness();
    t.hedger.book.setPosition(-100, 594);
    return t;
  }

  // Which of the book's shares it made is unknown: the price difference on the shares kept is
  // realised now (99 sold 10 cents lower), the share dropped is bought back at the corrected price.
  test("moves the book by the difference once, with the commission's difference", () => {
    const t = started();
    const corrected = execution(earlier, "e.02", 99, 593.9, "e.01");
    t.hedger.onCorrection(corrected, recorded);
    t.hedger.onCorrection(corrected, recorded); // resent
    t.hedger.onCommission({ execId: "e.02", commissionUsd: 1.5, tsEventMs: 0 });
    t.hedger.onCommission({ execId: "e.01", commissionUsd: 1.2, tsEventMs: 0 }); // resent, superseded
    expect([t.hedger.book.shares, t.hedger.book.avgCostUsd]).toEqual([-99, 594]);
    expect(t.hedger.book.realizedPnlTodayUsd).toBeCloseTo(-99 * 0.1 + 0.1, 9);
    expect(t.hedger.book.commissionsTodayUsd).toBeCloseTo(0.3, 9);
  });

  // Review 2, U2: the earlier run's last fill, a buy, closed the short to flat (a flatten before a stop).
  test("of a fill that closed the position to flat reopens the shares it no longer closed at the corrected price, realising nothing", () => {
    const t = new HedgerHarness();
    t.hedger.book.setPosition(0, 0);
    const buy = { ...earlier, side: "BUY" } as HedgeOrder;
    t.hedger.onCorrection(execution(buy, "e.02", 90, 594, "e.01"), { execId: "e.01", shares: 100, price: 594, commissionUsd: 1 });
    expect([t.hedger.book.shares, t.hedger.book.avgCostUsd, t.hedger.book.realizedPnlTodayUsd]).toEqual([-10, 594, 0]);
  });

  test("a further correction replaces the first", () => {
    const t = started();
    t.hedger.onCorrection(execution(earlier, "e.02", 99, 594, "e.01"), recorded);
    t.hedger.onCorrection(execution(earlier, "e.03", 98, 594, "e.02"), null);
    expect(t.hedger.book.shares).toBe(-98);
  });

  test("without a record of it, changes nothing: the position check settles the difference", () => {
    const t = started();
    t.hedger.onCorrection(execution(earlier, "e.02", 99, 594, "e.01"), null);
    expect(t.hedger.book.shares).toBe(-100);
  });
});
