import { describe, expect, test } from "bun:test";
import { blackScholes, BsTerms, computeDeltaGamma, computeTerms, GreeksScratch, termsDelta, termsGamma, termsPrice } from "../../src/core/greeks.ts";
import type { OptionRight } from "../../src/core/instrument.ts";

describe("Black-Scholes-Merton against published examples", () => {
  // [source, right, S, K, T, r, q, vol, price, tolerance]
  test.each([
    ["Hull, OFOD Example 15.6 call", "C", 42, 40, 0.5, 0.1, 0, 0.2, 4.76, 0.005],
    ["Hull, OFOD Example 15.6 put", "P", 42, 40, 0.5, 0.1, 0, 0.2, 0.81, 0.005],
    ["Hull, OFOD Example 17.1 index call with yield", "C", 930, 900, 2 / 12, 0.08, 0.03, 0.2, 51.83, 0.005],
    ["Haug, Merton (1973) put with yield", "P", 100, 95, 0.5, 0.1, 0.05, 0.2, 2.4648, 0.00005],
    ["Hull, OFOD Example 19.1 call", "C", 49, 50, 20 / 52, 0.05, 0, 0.2, 2.4, 0.01],
  ] as const)("%s", (_source, right, S, K, T, r, q, vol, price, tolerance) => {
    expect(Math.abs(blackScholes(right, S, K, T, r, q, vol).price - price)).toBeLessThan(tolerance);
  });

  test("Hull Example 19.1 greeks: delta 0.522, gamma 0.066, theta -4.31/yr, vega 12.1", () => {
    const g = blackScholes("C", 49, 50, 20 / 52, 0.05, 0, 0.2);
    expect(g.delta).toBeCloseTo(0.522, 3);
    expect(g.gamma).toBeCloseTo(0.066, 3);
    expect(g.theta).toBeCloseTo(-4.31, 2);
    expect(g.vega).toBeCloseTo(12.1, 1);
  });
});

const GRID_SPOTS = [50, 90, 99.5, 100, 100.5, 110, 200];
const GRID = GRID_SPOTS.flatMap((S) =>
  [1 / 365, 0.1, 1, 3].flatMap((T) => [0.05, 0.2, 0.8].map((vol) => [S, T, vol] as const)),
);

describe("model identities over a grid (K = 100, r = 5%, q = 2%)", () => {
  const K = 100;
  const r = 0.05;
  const q = 0.02;

  test.each(GRID)("put-call parity at S=%p T=%p vol=%p", (S, T, vol) => {
    const c = blackScholes("C", S, K, T, r, q, vol);
    const p = blackScholes("P", S, K, T, r, q, vol);
    expect(c.price - p.price).toBeCloseTo(S * Math.exp(-q * T) - K * Math.exp(-r * T), 9);
    expect(c.delta - p.delta).toBeCloseTo(Math.exp(-q * T), 12);
    expect(c.gamma).toBeCloseTo(p.gamma, 12);
    expect(c.vega).toBeCloseTo(p.vega, 9);
  });

  /** |a - b| within rel of the larger magnitude, or within abs. */
  const expectNear = (a: number, b: number, rel: number, abs: number): void => {
    expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b))));
  };

  test.each(GRID)("greeks equal finite differences of the price at S=%p T=%p vol=%p", (S, T, vol) => {
    for (const right of ["C", "P"] as const) {
      const g = blackScholes(right, S, K, T, r, q, vol);
      const price = (s: number, t: number, v: number): number => blackScholes(right, s, K, t, r, q, v).price;
      // Step sizes scaled to the option's own width (vol * sqrt(T) * S) keep the differences accurate.
      const h = S * vol * Math.sqrt(T) * 1e-3;
      expectNear(g.delta, (price(S + h, T, vol) - price(S - h, T, vol)) / (2 * h), 1e-5, 1e-9);
      expectNear(g.gamma, (price(S + h, T, vol) - 2 * g.price + price(S - h, T, vol)) / (h * h), 1e-3, 1e-6);
      const dv = vol * 1e-4;
      expectNear(g.vega, (price(S, T, vol + dv) - price(S, T, vol - dv)) / (2 * dv), 1e-5, 1e-8);
      const dt = T * 1e-4;
      expectNear(g.theta, -(price(S, T + dt, vol) - price(S, T - dt, vol)) / (2 * dt), 1e-4, 1e-6);
    }
  });

  test.each(GRID)("computeDeltaGamma equals the full computation at S=%p T=%p vol=%p", (S, T, vol) => {
    for (const right of ["C", "P"] as const) {
      const full = blackScholes(right, S, K, T, r, q, vol);
      const fast = new GreeksScratch();
      computeDeltaGamma(right, S, K, T, r, q, vol, fast);
      expect(fast.delta).toBeCloseTo(full.delta, 14);
      expect(fast.gamma).toBeCloseTo(full.gamma, 14);
    }
  });
});

describe("shared straddle terms", () => {
  test.each(GRID)("call and put from one set of terms equal the full model at S=%p T=%p vol=%p", (S, T, vol) => {
    const terms = new BsTerms();
    computeTerms(S, 100, T, 0.05, 0.02, vol, terms);
    expect(terms.valid).toBe(true);
    for (const right of ["C", "P"] as const) {
      const full = blackScholes(right, S, 100, T, 0.05, 0.02, vol);
      expect(termsDelta(right, terms)).toBeCloseTo(full.delta, 13);
      expect(termsGamma(terms)).toBeCloseTo(full.gamma, 14);
      expect(termsPrice(right, terms)).toBeCloseTo(full.price, 9);
    }
  });

  test("degenerate inputs are flagged invalid instead of producing NaN", () => {
    const terms = new BsTerms();
    for (const [S, T, vol] of [[100, 0, 0.2], [100, 1, 0], [0, 1, 0.2]] as const) {
      computeTerms(S, 100, T, 0.05, 0, vol, terms);
      expect(terms.valid).toBe(false);
    }
  });
});

describe("degenerate inputs give limits, never NaN", () => {
  const cases: readonly (readonly [string, OptionRight, number, number, number, number, number])[] = [
    ["expiry (T = 0), call in the money", "C", 105, 100, 0, 0.05, 0.2],
    ["expiry, call out of the money", "C", 95, 100, 0, 0.05, 0.2],
    ["expiry, put in the money", "P", 95, 100, 0, 0.05, 0.2],
    ["past expiry (T < 0)", "P", 105, 100, -0.01, 0.05, 0.2],
    ["zero vol, call in the money forward", "C", 105, 100, 0.5, 0.05, 0],
    ["zero vol, put out of the money", "P", 105, 100, 0.5, 0.05, 0],
    ["tiny T (1 second)", "C", 100, 100, 1 / (365 * 86400), 0.05, 0.2],
    ["deep in the money call", "C", 1000, 100, 0.1, 0.05, 0.2],
    ["deep out of the money call", "C", 10, 100, 0.1, 0.05, 0.2],
    ["deep out of the money put", "P", 1000, 100, 0.1, 0.05, 0.2],
    ["huge vol", "C", 100, 100, 1, 0.05, 10],
    ["spot zero", "P", 0, 100, 1, 0.05, 0.2],
  ];
  test.each(cases)("%s", (_name, right, S, K, T, r, vol) => {
    const g = blackScholes(right, S, K, T, r, 0.01, vol);
    for (const value of [g.price, g.delta, g.gamma, g.vega, g.theta]) expect(Number.isFinite(value)).toBe(true);
    expect(g.price).toBeGreaterThanOrEqual(0);
    if (right === "C") expect(g.delta).toBeGreaterThanOrEqual(0);
    else expect(g.delta).toBeLessThanOrEqual(0);
  });

  test("expiry: price is intrinsic and delta a step", () => {
    expect(blackScholes("C", 105, 100, 0, 0.05, 0, 0.2)).toEqual({ price: 5, delta: 1, gamma: 0, vega: 0, theta: 0 });
    expect(blackScholes("P", 105, 100, 0, 0.05, 0, 0.2)).toEqual({ price: 0, delta: 0, gamma: 0, vega: 0, theta: 0 });
    expect(blackScholes("P", 95, 100, 0, 0.05, 0, 0.2).delta).toBe(-1);
    expect(blackScholes("C", 100, 100, 0, 0.05, 0, 0.2).delta).toBe(0.5);
  });

  test("zero vol before expiry: discounted forward intrinsic, theta from carry", () => {
    const g = blackScholes("C", 105, 100, 0.5, 0.05, 0.01, 0);
    expect(g.price).toBeCloseTo(105 * Math.exp(-0.005) - 100 * Math.exp(-0.025), 12);
    expect(g.theta).toBeCloseTo(0.01 * 105 * Math.exp(-0.005) - 0.05 * 100 * Math.exp(-0.025), 12);
  });

  test("a call's price rises toward the zero-vol limit as vol shrinks", () => {
    const limit = blackScholes("C", 105, 100, 0.5, 0.05, 0, 0).price;
    expect(blackScholes("C", 105, 100, 0.5, 0.05, 0, 1e-6).price).toBeCloseTo(limit, 8);
  });
});
