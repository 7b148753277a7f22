import { describe, expect, test } from "bun:test";
import { bandPolicy, createHedgePolicy, thresholdPolicy } from "../../src/core/hedge-policy.ts";
import { hedgerParamsProblems, MAX_ORDER_SHARES } from "../../src/core/hedger-params-check.ts";
import { HEDGE, hedgerParams, seededRandom } from "./core-fixtures.ts";

describe("threshold policy", () => {
  const policy = thresholdPolicy(HEDGE); // epsilon 10, threshold 25, min 10, max 500

  test.each([
    [0, "in_band"],
    [10, "in_band"],
    [-10, "in_band"],
    [10.0001, "below_threshold"],
    [24.999, "below_threshold"],
    [-24.999, "below_threshold"],
    [25, -25],
    [-25, 25],
    [33.4, -33],
    [33.6, -34],
    [-499.6, 500],
    [500, -500],
    [1234, -500],
    [-1234, 500],
  ] as const)("delta %p -> %p", (delta, expected) => {
    expect(policy.wantedShares(delta, 0, 590)).toBe(expected);
  });

  test("an order below min_shares is skipped, at min_shares it goes", () => {
    const p = thresholdPolicy({ ...HEDGE, thresholdShares: 5, epsilonBandShares: 2, minShares: 10 });
    expect(p.wantedShares(9.4, 0, 100)).toBe("below_min_shares");
    expect(p.wantedShares(-9.6, 0, 100)).toBe(10);
  });

  test("property: the hedge always opposes delta, is whole, within [min, max] and never overshoots zero", () => {
    const random = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      const delta = (random() - 0.5) * 4000;
      const wanted = policy.wantedShares(delta, random() * 50, 500);
      if (typeof wanted === "string") {
        expect(Math.abs(delta) < HEDGE.thresholdShares || wanted === "below_min_shares").toBe(true);
        continue;
      }
      expect(Math.sign(wanted)).toBe(-Math.sign(delta));
      expect(Number.isInteger(wanted)).toBe(true);
      expect(Math.abs(wanted)).toBeGreaterThanOrEqual(HEDGE.minShares);
      expect(Math.abs(wanted)).toBeLessThanOrEqual(HEDGE.maxSharesPerOrder);
      expect(Math.abs(delta + wanted)).toBeLessThanOrEqual(Math.abs(delta));
    }
  });
});

describe("Whalley-Wilmott band policy", () => {
  const cost = 0.0002;
  const lambda = 0.001;
  const policy = bandPolicy(HEDGE, cost, lambda);

  test("the half-width follows (3/2 k S Γ² / λ)^(1/3) and never drops below epsilon", () => {
    const expected = Math.cbrt((1.5 * cost * 590 * 20 * 20) / lambda);
    expect(policy.noTradeHalfWidthShares(20, 590)).toBeCloseTo(expected, 10);
    expect(policy.noTradeHalfWidthShares(0, 590)).toBe(HEDGE.epsilonBandShares);
  });

  test("more gamma or more cost widens the band; more risk aversion narrows it", () => {
    expect(policy.noTradeHalfWidthShares(40, 590)).toBeGreaterThan(policy.noTradeHalfWidthShares(20, 590));
    expect(bandPolicy(HEDGE, cost * 4, lambda).noTradeHalfWidthShares(20, 590)).toBeGreaterThan(policy.noTradeHalfWidthShares(20, 590));
    expect(bandPolicy(HEDGE, cost, lambda * 4).noTradeHalfWidthShares(20, 590)).toBeLessThan(policy.noTradeHalfWidthShares(20, 590));
  });

  test("inside the band holds; outside it trades back to the band edge, not to zero", () => {
    const width = policy.noTradeHalfWidthShares(20, 590); // about 37.9 shares
    expect(policy.wantedShares(width - 0.5, 20, 590)).toBe("below_threshold");
    expect(policy.wantedShares(5, 20, 590)).toBe("in_band");
    expect(policy.wantedShares(width + 40, 20, 590)).toBe(-40);
    expect(policy.wantedShares(-(width + 40), 20, 590)).toBe(40);
    expect(policy.wantedShares(width + 3, 20, 590)).toBe("below_min_shares");
  });

  test("createHedgePolicy picks the configured policy", () => {
    expect(createHedgePolicy(HEDGE).name).toBe("threshold");
    expect(createHedgePolicy({ ...HEDGE, policy: { type: "band", costFraction: cost, riskAversion: lambda } }).name).toBe("band");
  });
});

describe("sizes as the order path reads them", () => {
  test("params that would size an order past int32 are refused", () => {
    expect(hedgerParamsProblems(hedgerParams({ hedge: { maxSharesPerOrder: MAX_ORDER_SHARES } }))).toEqual([]);
    expect(hedgerParamsProblems(hedgerParams({ hedge: { maxSharesPerOrder: MAX_ORDER_SHARES + 1 } }))).toEqual([
      `hedge.maxSharesPerOrder was ${MAX_ORDER_SHARES + 1}, expected <= ${MAX_ORDER_SHARES} (order sizes are int32s)`,
    ]);
  });
});
