import { describe, expect, test } from "bun:test";
import type { ExecutionReport, HedgeOrder } from "../../src/core/order.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { OrderTracker } from "../../src/core/order-tracker.ts";

const order = (ref: string, side: "BUY" | "SELL", quantityShares: number): HedgeOrder => ({
  orderRef: ref,
  symbol: "SPY",
  side,
  quantityShares,
  orderType: "market",
});

const exec = (ref: string, execId: string, shares: number, cumulativeShares: number, side: "BUY" | "SELL" = "SELL"): ExecutionReport => ({
  execId,
  orderRef: ref,
  brokerOrderId: 1,
  symbol: "SPY",
  side,
  shares,
  price: 590,
  cumulativeShares,
  tsEventMs: 0,
});

/** A tracker, and `place`: adds an order with the next ref of the tracker's sequence and returns the ref. */
function trackerWithRefs() {
  const t = new OrderTracker();
  const refs = new OrderRefSequence("o");
  const place = (side: "BUY" | "SELL", quantityShares: number, nowMs: number): string => {
    const ref = refs.next();
    t.add(order(ref, side, quantityShares), nowMs, refs);
    return ref;
  };
  return { t, refs, place };
}

describe("order tracker: pending shares count each fill exactly once", () => {
  test("live order: pending is its size; executions move shares from pending to the book", () => {
    const { t, place } = trackerWithRefs();
    const a = place("SELL", 100, 0);
    expect([t.pendingShares, t.liveCount, t.hedgeState()]).toEqual([-100, 1, "sending"]);
    t.accepted(a, 7);
    expect(t.hedgeState()).toBe("working");
    expect(t.execution(exec(a, "x1", 40, 40))).toBe(-40);
    expect([t.pendingShares, t.hedgeState()]).toEqual([-60, "partial"]);
    expect(t.execution(exec(a, "x1", 40, 40))).toBe(0); // duplicate execId
    expect(t.execution(exec(a, "x2", 60, 100))).toBe(-60);
    expect([t.pendingShares, t.liveCount, t.hedgeState()]).toEqual([0, 0, "idle"]);
  });

  test("filled status before the execution report keeps the shares pending until it arrives", () => {
    const { t, place } = trackerWithRefs();
    const a = place("BUY", 50, 0);
    t.status(a, "filled", 50);
    expect([t.pendingShares, t.liveCount]).toEqual([50, 0]);
    expect(t.execution(exec(a, "x1", 50, 50, "BUY"))).toBe(50);
    expect(t.pendingShares).toBe(0);
    t.status(a, "filled", 50); // repeated final status: no-op
    expect(t.stateOf(a)).toBeNull();
  });

  test("cancel after a partial fill: pending becomes what was filled but not yet reported", () => {
    const { t, place } = trackerWithRefs();
    const a = place("SELL", 100, 0);
    t.accepted(a, 1);
    expect(t.timedOut(29_999, 30_000)).toEqual([]);
    expect(t.timedOut(30_000, 30_000)).toEqual([a]);
    t.cancelRequested(a);
    expect(t.hedgeState()).toBe("cancelling");
    expect(t.timedOut(40_000, 30_000)).toEqual([]);
    t.status(a, "cancelled", 30);
    expect([t.pendingShares, t.liveCount]).toEqual([-30, 0]);
    t.execution(exec(a, "x1", 30, 30));
    expect(t.pendingShares).toBe(0);
  });

  test("a failed send is final with nothing pending; late calls for it are no-ops", () => {
    const { t, place } = trackerWithRefs();
    const a = place("SELL", 100, 0);
    t.sendFailed(a);
    expect([t.pendingShares, t.liveCount]).toEqual([0, 0]);
    t.accepted(a, 3);
    t.cancelRequested(a);
    expect(t.pendingShares).toBe(0);
  });

  test("foreign orders and reports are ignored; misuse is a clear error", () => {
    const { t, refs, place } = trackerWithRefs();
    t.status("someone-else", "filled", 100);
    expect(t.execution(exec("someone-else", "z", 100, 100))).toBe(0);
    t.cancelRequested("someone-else");
    expect(() => t.accepted("never-created", 1)).toThrow("orderRef never-created was never created by createOrder");
    expect(() => t.accepted("o1", 1)).toThrow("orderRef o1 was never created by createOrder");
    const a = place("BUY", 10, 0);
    t.sendFailed(a);
    t.accepted(a, 1); // a late call for a finished order of this sequence: a no-op
    expect(() => t.add(order(a, "BUY", 10), 0, refs)).toThrow("orderRef o1 was already used");
    expect(() => t.add(order("o7", "BUY", 10), 0, refs)).toThrow("orderRef o7 was already used or is not the ref o issued last (o1)");
    expect(() => t.add(order("p1", "BUY", 10), 0, new OrderRefSequence("p"))).toThrow("orderRef p1 comes from a second ref sequence (p)");
  });

  test("commissions are attributed only to own executions, once each", () => {
    const { t, place } = trackerWithRefs();
    const a = place("SELL", 10, 0);
    t.execution(exec(a, "x1", 10, 10));
    expect(t.commissionToBook({ execId: "other", commissionUsd: 1, tsEventMs: 0 })).toBe(0);
    expect(t.commissionToBook({ execId: "x1", commissionUsd: 1, tsEventMs: 0 })).toBe(1);
    // TWS resends the report with its execution after a reconnect: it must not count twice.
    expect(t.commissionToBook({ execId: "x1", commissionUsd: 1, tsEventMs: 5 })).toBe(0);
  });

  test("a finished order's resent execution and commission are recognised after later orders; a new day forgets them", () => {
    const { t, place } = trackerWithRefs();
    const a = place("SELL", 10, 0);
    expect(t.execution(exec(a, "xa", 10, 10))).toBe(-10);
    const b = place("BUY", 20, 1);
    expect(t.execution(exec(b, "xb1", 5, 5, "BUY"))).toBe(5);
    // A commission for the live order's execution, and for the finished one's, each once.
    expect(t.commissionToBook({ execId: "xb1", commissionUsd: 1, tsEventMs: 2 })).toBe(1);
    expect(t.commissionToBook({ execId: "xa", commissionUsd: 1, tsEventMs: 2 })).toBe(1);
    expect(t.commissionToBook({ execId: "xa", commissionUsd: 1, tsEventMs: 3 })).toBe(0);
    // After a reconnect TWS resends the day's executions: the finished order's is not booked again.
    expect(t.execution(exec(a, "xa", 10, 10))).toBe(0);
    expect(t.execution(exec(b, "xb1", 5, 5, "BUY"))).toBe(0);
    expect(t.pendingShares).toBe(15);
    t.startNewDay();
    // The live order keeps its executions across the day; the finished one is forgotten (not ours any more).
    expect(t.execution(exec(b, "xb1", 5, 5, "BUY"))).toBe(0);
    expect(t.commissionToBook({ execId: "xb1", commissionUsd: 1, tsEventMs: 4 })).toBe(0);
    expect(t.execution(exec(a, "xa", 10, 10))).toBe(0);
    // A finished order of an earlier day is still recognised as this sequence's: late calls are no-ops.
    t.accepted(a, 9);
    expect(t.stateOf(a)).toBeNull();
  });
});

describe("order ref sequence", () => {
  test("issues prefix + 1, 2, 3 and recognises exactly those", () => {
    const refs = new OrderRefSequence("gs:d:SPY:run.");
    expect([refs.next(), refs.next(), refs.next()]).toEqual(["gs:d:SPY:run.1", "gs:d:SPY:run.2", "gs:d:SPY:run.3"]);
    expect(refs.latest).toBe("gs:d:SPY:run.3");
    for (const ref of ["gs:d:SPY:run.1", "gs:d:SPY:run.3"]) expect(refs.issued(ref)).toBe(true);
    for (const ref of ["gs:d:SPY:run.4", "gs:d:SPY:run.0", "gs:d:SPY:run.01", "gs:d:SPY:run.1.5", "gs:d:SPY:run.", "gs:e:SPY:run.1", "x"]) expect(refs.issued(ref)).toBe(false);
  });

  test("the n-th ref is the prefix and n in decimal, across every thousand and ten-thousand boundary up to 1,002,000", () => {
    const refs = new OrderRefSequence("p:");
    for (let n = 1; n <= 1_002_000; n++) {
      const ref = refs.next();
      if (ref !== `p:${n}`) throw new Error(`ref ${n} was ${ref}, expected p:${n}`);
    }
    expect(refs.count).toBe(1_002_000);
    expect(refs.issued("p:1002000")).toBe(true);
    expect(refs.issued("p:1002001")).toBe(false);
  });
});
