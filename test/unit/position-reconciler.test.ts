import { describe, expect, test } from "bun:test";
import { HedgeBook } from "../../src/core/hedge-book.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { OrderTracker } from "../../src/core/order-tracker.ts";
import { PositionReconciler } from "../../src/core/position-reconciler.ts";

function setup(settleMs = 10_000, outsideChange: "adopt" | "block" = "adopt") {
  const book = new HedgeBook();
  const orders = new OrderTracker();
  return { book, orders, reconciler: new PositionReconciler(settleMs, book, orders, outsideChange) };
}

describe("position reconciler", () => {
  test("the first report is the baseline, with its average cost", () => {
    const { book, reconciler } = setup();
    reconciler.onReport(-150, 590.5, 0);
    expect([book.shares, book.avgCostUsd, reconciler.mismatchSinceMs]).toEqual([-150, 590.5, null]);
  });

  test.each([
    // [report delay after the disagreement began, adopted?]
    [9_999, false],
    [10_000, true],
  ])("a disagreement reported again after %p ms: adopted=%p", (laterMs, adopted) => {
    const { book, reconciler } = setup();
    reconciler.onReport(0, 0, 0);
    reconciler.onReport(100, 500, 1_000);
    reconciler.onReport(100, 500, 1_000 + laterMs);
    expect(book.shares).toBe(adopted ? 100 : 0);
    expect(reconciler.adoptedCount).toBe(adopted ? 1 : 0);
  });

  test("a report ahead of its execution is explained by the execution, never adopted", () => {
    const { book, reconciler } = setup();
    reconciler.onReport(0, 0, 0);
    reconciler.onReport(-50, 600, 1_000);
    book.applyFill(-50, 600);
    reconciler.onExecutionApplied(1_001);
    expect(reconciler.mismatchSinceMs).toBeNull();
    reconciler.settle(100_000);
    expect([book.shares, reconciler.adoptedCount]).toEqual([-50, 0]);
  });

  test("no adoption while an order is in flight or within the settle time of an own fill", () => {
    const { book, orders, reconciler } = setup();
    reconciler.onReport(0, 0, 0);
    const refs = new OrderRefSequence("o");
    const ref = refs.next();
    orders.add({ orderRef: ref, symbol: "SPY", side: "BUY", quantityShares: 10, orderType: "market" }, 0, refs);
    reconciler.onReport(70, 500, 1_000);
    reconciler.settle(50_000);
    expect(book.shares).toBe(0);
    orders.sendFailed(ref);
    reconciler.onExecutionApplied(45_000); // an own fill (of some other order) 5 s ago
    reconciler.settle(50_000);
    expect(book.shares).toBe(0);
    reconciler.settle(55_000);
    expect([book.shares, reconciler.adoptedCount]).toEqual([70, 1]);
  });

  test("an own fill stamped by a broker clock far ahead of ours holds adoption off only within the settle time", () => {
    const { book, reconciler } = setup();
    reconciler.onReport(0, 0, 0);
    reconciler.onExecutionApplied(15_000); // broker clock 5 s ahead of ours
    reconciler.onReport(70, 500, 1_000);
    reconciler.settle(11_000);
    expect(book.shares).toBe(0);
    reconciler.settle(25_000);
    expect(book.shares).toBe(70);
    reconciler.onExecutionApplied(86_400_000 * 365); // a year ahead: skew, not a recent fill
    reconciler.onReport(90, 500, 30_000);
    reconciler.settle(40_000);
    expect([book.shares, reconciler.adoptedCount]).toEqual([90, 2]);
  });

  describe('outside_stock_change = "block"', () => {
    test("a settled outside change is held back as a hard block, the book unchanged; a new change renews it", () => {
      const { book, reconciler } = setup(10_000, "block");
      reconciler.onReport(0, 0, 0);
      reconciler.onReport(100, 500, 1_000);
      reconciler.settle(10_999);
      expect(reconciler.heldBack).toBeNull(); // still possible report lag
      reconciler.settle(11_000);
      expect([book.shares, reconciler.adoptedCount]).toEqual([0, 0]);
      expect(reconciler.heldBack?.code).toBe("reconcile_mismatch");
      expect(reconciler.heldBack?.message).toStartWith("broker reports 100 hedge shares, the book 0: a change made outside gs, held back");
      const first = reconciler.heldBack;
      reconciler.settle(20_000);
      expect(reconciler.heldBack).toBe(first); // the same block while nothing changed
      reconciler.onReport(250, 500, 21_000);
      reconciler.settle(21_000);
      expect(reconciler.heldBack?.message).toStartWith("broker reports 250 hedge shares, the book 0");
    });

    test("goes when the account is put back, or when the operator adopts the report", () => {
      const back = setup(10_000, "block");
      back.reconciler.onReport(0, 0, 0);
      back.reconciler.onReport(100, 500, 1_000);
      back.reconciler.settle(11_000);
      back.reconciler.onReport(0, 0, 12_000);
      expect([back.reconciler.heldBack, back.reconciler.mismatchSinceMs, back.book.shares]).toEqual([null, null, 0]);

      const accepted = setup(10_000, "block");
      accepted.reconciler.onReport(0, 0, 0);
      accepted.reconciler.onReport(100, 500, 1_000);
      accepted.reconciler.settle(11_000);
      expect(accepted.reconciler.adoptReport()).toBe(true);
      expect([accepted.reconciler.heldBack, accepted.book.shares, accepted.reconciler.adoptedCount]).toEqual([null, 100, 0]);
    });
  });
});
