import { describe, expect, test } from "bun:test";
import { blackScholes } from "../../src/core/greeks.ts";
import { IV_MAX, IV_MIN, impliedVol } from "../../src/core/implied-vol.ts";

describe("impliedVol recovers the vol that produced a price", () => {
  const cases = [50, 80, 95, 100, 105, 120, 200].flatMap((S) =>
    [2 / 365, 30 / 365, 1, 5].flatMap((T) => [0.01, 0.1, 0.35, 1.5, 4].map((vol) => [S, T, vol] as const)),
  );
  test.each(cases)("S=%p T=%p vol=%p (K = 100)", (S, T, vol) => {
    for (const right of ["C", "P"] as const) {
      const price = blackScholes(right, S, 100, T, 0.04, 0.01, vol).price;
      const result = impliedVol({ right, price, spot: S, strike: 100, years: T, rate: 0.04, dividendYield: 0.01 });
      expect(result.type).toBe("ok");
      if (result.type !== "ok") continue;
      // Where the price barely depends on vol, any vol reproducing it is a correct answer.
      const repriced = blackScholes(right, S, 100, T, 0.04, 0.01, result.vol).price;
      expect(Math.abs(repriced - price)).toBeLessThan(1e-8);
      const vega = blackScholes(right, S, 100, T, 0.04, 0.01, vol).vega;
      if (vega > 1e-3) expect(result.vol).toBeCloseTo(vol, 6);
      expect(result.iterations).toBeLessThanOrEqual(100);
    }
  });

  test("Hull Example 15.6: the 4.76 call prices at about 20% vol", () => {
    const result = impliedVol({ right: "C", price: 4.7594, spot: 42, strike: 40, years: 0.5, rate: 0.1, dividendYield: 0 });
    expect(result.type === "ok" && Math.abs(result.vol - 0.2) < 1e-3).toBe(true);
  });
});

describe("impliedVol fails clearly outside the no-arbitrage bounds", () => {
  test.each([
    ["below intrinsic", "C", 2, 110, 100, 0.5, "below_intrinsic"],
    ["negative price", "P", -1, 100, 100, 0.5, "invalid_input"],
    ["call above the spot (upper bound)", "C", 120, 100, 100, 0.5, "above_upper_bound"],
    ["put above the discounted strike", "P", 101, 100, 100, 0.5, "above_upper_bound"],
    ["expired", "C", 1, 100, 100, 0, "expired"],
    ["zero spot", "C", 1, 0, 100, 0.5, "invalid_input"],
  ] as const)("%s", (_name, right, price, spot, strike, years, reason) => {
    const result = impliedVol({ right, price, spot, strike, years, rate: 0.05, dividendYield: 0 });
    expect(result.type).toBe("failed");
    if (result.type === "failed") {
      expect(result.reason).toBe(reason);
      expect(result.message.length).toBeGreaterThan(10);
    }
  });

  test("a price exactly at the lower bound returns the minimum vol", () => {
    const price = blackScholes("C", 110, 100, 0.5, 0.05, 0, IV_MIN).price;
    const result = impliedVol({ right: "C", price, spot: 110, strike: 100, years: 0.5, rate: 0.05, dividendYield: 0 });
    expect(result).toEqual({ type: "ok", vol: IV_MIN, iterations: 0 });
  });

  test("a price needing more than the maximum vol is refused", () => {
    const price = blackScholes("C", 100, 100, 1, 0.05, 0, IV_MAX * 1.5).price;
    const result = impliedVol({ right: "C", price, spot: 100, strike: 100, years: 1, rate: 0.05, dividendYield: 0 });
    expect(result.type === "failed" && result.reason === "above_upper_bound").toBe(true);
  });
});
