// Shares held outside the strategy (params.externalShares) never reach the hedge book: not in
// delta, not adopted as a manual trade, not in an order's size. The operator's
// adoptReportedPosition takes the broker's last report (less them) as the hedge at once.
import { describe, expect, test } from "bun:test";
import { Hedger } from "../../src/core/hedger.ts";
import { hedgerParams, MONDAY_10AM, stockPosition, straddle } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

const EXTERNAL = 1_000;

describe("external shares", () => {
  test("are left out of the book and of delta: the same decisions as an account without them", () => {
    const plain = new HedgerHarness();
    const held = new HedgerHarness(hedgerParams({ externalShares: EXTERNAL }), [...straddle(), stockPosition(EXTERNAL)]);
    expect(held.hedger.book.shares).toBe(0);
    for (const spot of [590, 594, 588, 597]) {
      const a = plain.quote(spot).evaluate();
      const b = held.quote(spot).evaluate();
      expect(b).toEqual(a);
    }
    expect(held.deltaShares()).toBe(plain.deltaShares());
  });

  test("a hedge's fill is reported with them and is not mistaken for a manual trade", () => {
    const t = new HedgerHarness(hedgerParams({ externalShares: EXTERNAL, positionSettleMs: 10_000 }), [...straddle(), stockPosition(EXTERNAL)]);
    const order = t.quote(594).hedgeIfWanted()!;
    expect(order.side).toBe("SELL");
    t.fill(order); // the harness reports the account's stock: EXTERNAL - shares sold
    t.hedger.evaluate(t.nowMs + 60_000);
    expect(t.hedger.book.shares).toBe(-order.quantityShares);
    expect(t.hedger.positions.adoptedCount).toBe(0);
    expect(t.hedger.snapshot(t.nowMs + 60_000).blockReasons.map((r) => r.code)).not.toContain("position_mismatch");
  });

  test("a negative amount is a short held outside the strategy", () => {
    const t = new HedgerHarness(hedgerParams({ externalShares: -300 }), [...straddle(), stockPosition(-300)]);
    expect(t.hedger.book.shares).toBe(0);
  });
});

describe("adoptReportedPosition", () => {
  test("takes the last report, less external shares, as the hedge at once (no settle time)", () => {
    const t = new HedgerHarness(hedgerParams({ externalShares: EXTERNAL, positionSettleMs: 10_000 }), [...straddle(), stockPosition(EXTERNAL)]);
    t.quote(590);
    t.hedger.setPositions([...straddle(), stockPosition(EXTERNAL + 300)], t.nowMs);
    expect(t.hedger.book.shares).toBe(0);
    expect(t.hedger.adoptReportedPosition()).toBe(300);
    expect(t.hedger.book.shares).toBe(300);
    expect(t.hedger.snapshot(t.nowMs + 20_000).blockReasons.map((r) => r.code)).not.toContain("position_mismatch");
  });

  test("is null before the broker reported any position", () => {
    const hedger = new Hedger(hedgerParams());
    hedger.setBrokerConnected(true, MONDAY_10AM);
    expect(hedger.adoptReportedPosition()).toBeNull();
    expect(hedger.book.shares).toBe(0);
  });
});
