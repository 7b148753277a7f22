import { describe, expect, test } from "bun:test";
import { normalCdf, normalPdf } from "../../src/core/normal.ts";

// Reference values: 0.5 * erfc(-x / sqrt(2)) in double precision (CPython math.erfc).
const CDF_REFERENCE: readonly (readonly [number, number])[] = [
  [0, 0.5],
  [0.5, 0.6914624612740131],
  [1, 0.8413447460685429],
  [-1, 0.15865525393145707],
  [-1.96, 0.024997895148220435],
  [2.5, 0.9937903346742238],
  [3, 0.9986501019683699],
  [-5, 2.866515718791946e-7],
  [-8, 6.220960574271819e-16],
  [-10, 7.619853024160593e-24],
  [-20, 2.7536241186063314e-89],
  [7.5, 0.9999999999999681],
];

describe("normalCdf", () => {
  test.each(CDF_REFERENCE)("Φ(%p) matches the reference (1e-15 absolute; 1e-13 relative above -5, 1e-8 in the far tail)", (x, expected) => {
    const got = normalCdf(x);
    expect(Math.abs(got - expected)).toBeLessThan(1e-15);
    expect(Math.abs(got - expected) / expected).toBeLessThan(x > -5 ? 1e-13 : 1e-8);
  });

  test("is symmetric: Φ(x) + Φ(-x) = 1", () => {
    for (let x = -8; x <= 8; x += 0.37) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
  });

  test("is monotone and bounded over a fine grid", () => {
    let previous = 0;
    for (let x = -40; x <= 40; x += 0.01) {
      const p = normalCdf(x);
      expect(p).toBeGreaterThanOrEqual(previous);
      expect(p).toBeLessThanOrEqual(1);
      previous = p;
    }
  });

  test.each([Infinity, -Infinity, 1e308, -1e308])("saturates at %p without NaN", (x) => {
    expect(normalCdf(x)).toBe(x > 0 ? 1 : 0);
  });
});

describe("normalPdf", () => {
  test.each([
    [0, 0.3989422804014327],
    [1, 0.24197072451914337],
    [-2, 0.05399096651318806],
  ])("φ(%p) = %p", (x, expected) => {
    expect(normalPdf(x)).toBeCloseTo(expected, 15);
  });
});
