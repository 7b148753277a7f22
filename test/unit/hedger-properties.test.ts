// Invariants over random paths, a pluggable policy, status reasons, and bad input refused.
import { describe, expect, test } from "bun:test";
import type { HedgeDecision } from "../../src/core/hedge-decision.ts";
import { Hedger } from "../../src/core/hedger.ts";
import { hedgerParams, seededRandom } from "./core-fixtures.ts";
import { HedgerHarness } from "./hedger-harness.ts";

describe("properties over random paths", () => {
  function run(seed: number): string[] {
    const random = seededRandom(seed);
    const t = new HedgerHarness(hedgerParams({ guards: { cooldownMs: 5_000 } }));
    const log: string[] = [];
    let spot = 590;
    for (let i = 0; i < 3000; i++) {
      spot *= Math.exp((random() - 0.5) * 0.004);
      t.quote(Math.round(spot * 100) / 100, 1000);
      const d = t.evaluate();
      log.push(JSON.stringify(d));
      if (d.type === "hedge") {
        // Property: the hedge always opposes the delta and never overshoots zero.
        expect(d.side === "BUY").toBe(d.deltaShares < 0);
        expect(d.quantityShares).toBeLessThanOrEqual(Math.round(Math.abs(d.deltaShares)));
        const order = t.hedger.createOrder(d, t.nowMs, t.orderRefs);
        if (random() < 0.1) t.hedger.onOrderSendFailed(order.orderRef, "refused", t.nowMs);
        else t.fill(order);
      }
      // Property: the position limit is never crossed.
      expect(Math.abs(t.hedger.book.shares + t.hedger.orders.pendingShares)).toBeLessThanOrEqual(2000);
    }
    return log;
  }

  test("the same inputs give the same decisions (determinism, as the backtest parity needs)", () => {
    expect(run(42)).toEqual(run(42));
  });

  test("a hedger never hedges while an order is live", () => {
    const t = new HedgerHarness();
    t.quote(594).hedgeIfWanted();
    for (let i = 0; i < 50; i++) expect(t.quote(590 + i).evaluate()).toMatchObject({ type: "hold", reason: "order_in_flight" });
  });
});

describe("pluggable policy and status reasons", () => {
  test("with the band policy the Hedger trades only back to the band edge", () => {
    const params = hedgerParams({ hedge: { policy: { type: "band", costFraction: 0.0005, riskAversion: 0.0001 } } });
    const t = new HedgerHarness(params);
    const d = t.quote(600).evaluate();
    expect(d.type).toBe("hedge");
    const s = t.hedger.snapshot(t.nowMs);
    const width = t.hedger.policy.noTradeHalfWidthShares(s.gammaShares!, 600);
    expect(width).toBeGreaterThan(params.hedge.epsilonBandShares);
    expect((d as Extract<HedgeDecision, { type: "hedge" }>).quantityShares).toBe(Math.round(s.portfolioDeltaShares! - width));
  });

  test("status shows standing blocks always, and the trading rhythm only while a hedge is wanted", () => {
    // Model greeks: with greeks_source = broker and none sent, the status would also warn of the fallback.
    const t = new HedgerHarness(hedgerParams({ strategy: { greeksSource: "model" } }));
    t.fill(t.quote(594).hedgeIfWanted()!);
    t.quote(594, 1000);
    t.hedger.setPaused(true);
    const quiet = t.hedger.snapshot(t.nowMs).blockReasons.map((r) => r.code);
    expect(quiet).toEqual(["paused"]);
    t.quote(600, 1000);
    const wanting = t.hedger.snapshot(t.nowMs).blockReasons;
    expect(wanting.map((r) => r.code)).toEqual(["paused", "cooldown"]);
    expect(wanting[1]!.message).toBe("last hedge 2000 ms ago, cooldown 60000 ms");
  });
});

describe("bad input", () => {
  test("impossible params are refused with every problem named", () => {
    expect(() => new Hedger(hedgerParams({ strategy: { minDte: 30, maxDte: 20 }, hedge: { minShares: 600 } }))).toThrow(
      "invalid hedger parameters: strategy.maxDte was 20, expected a whole number >= minDte (30); hedge.maxSharesPerOrder was 500, expected >= minShares (600)",
    );
  });

  test("a denial can never become an order, even from an untyped caller", () => {
    const t = new HedgerHarness();
    t.quote(594);
    t.hedger.setPaused(true);
    const denial = t.evaluate();
    expect(denial.type).toBe("deny");
    expect(() => t.hedger.createOrder(denial as never, t.nowMs, t.orderRefs)).toThrow("createOrder needs a hedge decision");
    expect(t.hedger.orders.pendingShares).toBe(0);
    expect(t.hedger.dailyHedgeCount).toBe(0);
  });
});
