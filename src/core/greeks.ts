// Black–Scholes–Merton for European options on a stock with continuous dividend yield q.
// Units: T in years, rates and vol annualised (continuous); theta per YEAR and vega per 1.00
// of vol here (callers convert for display: theta / 365 per day, vega / 100 per vol point).
// Degenerate inputs (T <= 0, vol <= 0, spot <= 0) return the limit values, never NaN.
import { normalCdf, normalPdf } from "./normal.ts";
import type { OptionRight } from "./instrument.ts";

export interface OptionGreeks {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  /** d(price)/d(vol), vol in absolute units (per 1.00 = 100 vol points). */
  readonly vega: number;
  /** d(price)/d(calendar time), per year (negative for a long option, usually). */
  readonly theta: number;
}

/** Reusable output for the hot path: one object per caller, overwritten on each call. */
export class GreeksScratch implements OptionGreeks {
  price = 0;
  delta = 0;
  gamma = 0;
  vega = 0;
  theta = 0;
}

/** Writes price and greeks into `out` (no allocation). */
export function computeGreeks(
  right: OptionRight,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividendYield: number,
  vol: number,
  out: GreeksScratch,
): void {
  const isCall = right === "C";
  const t = years > 0 ? years : 0;
  const dq = Math.exp(-dividendYield * t);
  const dr = Math.exp(-rate * t);
  const sqrtT = Math.sqrt(t);
  const volSqrtT = vol > 0 ? vol * sqrtT : 0;
  if (!(spot > 0) || !(strike > 0) || volSqrtT < 1e-12) {
    intrinsicLimit(isCall, spot > 0 ? spot : 0, strike, dq, dr, rate, dividendYield, t > 0, out);
    return;
  }
  const d1 = (Math.log(spot / strike) + (rate - dividendYield + 0.5 * vol * vol) * t) / volSqrtT;
  const d2 = d1 - volSqrtT;
  const pdf1 = normalPdf(d1);
  const sq = spot * dq;
  const kr = strike * dr;
  const common = (-sq * pdf1 * vol) / (2 * sqrtT);
  out.gamma = (dq * pdf1) / (spot * volSqrtT);
  out.vega = sq * pdf1 * sqrtT;
  if (isCall) {
    const n1 = normalCdf(d1);
    const n2 = normalCdf(d2);
    out.price = sq * n1 - kr * n2;
    out.delta = dq * n1;
    out.theta = common - rate * kr * n2 + dividendYield * sq * n1;
  } else {
    const m1 = normalCdf(-d1);
    const m2 = normalCdf(-d2);
    out.price = kr * m2 - sq * m1;
    out.delta = -dq * m1;
    out.theta = common + rate * kr * m2 - dividendYield * sq * m1;
  }
  if (out.price < 0) out.price = 0; // rounding far out of the money
}

/**
 * Delta and gamma only, for the per-bar hedge decision: skips the price, theta and vega work.
 * Writes out.delta and out.gamma; the other fields are left as they were.
 */
export function computeDeltaGamma(
  right: OptionRight,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividendYield: number,
  vol: number,
  out: GreeksScratch,
): void {
  const volSqrtT = years > 0 && vol > 0 ? vol * Math.sqrt(years) : 0;
  if (!(spot > 0) || !(strike > 0) || volSqrtT < 1e-12) {
    computeGreeks(right, spot, strike, years, rate, dividendYield, vol, out);
    return;
  }
  const dq = Math.exp(-dividendYield * years);
  const d1 = (Math.log(spot / strike) + (rate - dividendYield + 0.5 * vol * vol) * years) / volSqrtT;
  out.gamma = (dq * normalPdf(d1)) / (spot * volSqrtT);
  out.delta = right === "C" ? dq * normalCdf(d1) : -dq * normalCdf(-d1);
}

/** Zero vol or expiry: the option is its discounted forward intrinsic value. */
function intrinsicLimit(
  isCall: boolean,
  spot: number,
  strike: number,
  dq: number,
  dr: number,
  rate: number,
  dividendYield: number,
  beforeExpiry: boolean,
  out: GreeksScratch,
): void {
  const forwardGap = spot * dq - strike * dr; // > 0: call in the money
  out.gamma = 0;
  out.vega = 0;
  const sign = isCall ? 1 : -1;
  const moneyness = sign * forwardGap;
  if (moneyness > 0) {
    out.price = moneyness;
    out.delta = sign * dq;
    out.theta = beforeExpiry ? sign * (dividendYield * spot * dq - rate * strike * dr) : 0;
  } else {
    out.price = 0;
    // Exactly at the money the limit delta is half the call's (a step's midpoint).
    out.delta = moneyness === 0 && spot > 0 ? (sign * dq) / 2 : 0;
    out.theta = 0;
  }
}

/** Convenience for non-hot callers (snapshot, tests): returns a fresh immutable value. */
export function blackScholes(
  right: OptionRight,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividendYield: number,
  vol: number,
): OptionGreeks {
  const out = new GreeksScratch();
  computeGreeks(right, spot, strike, years, rate, dividendYield, vol, out);
  return { price: out.price, delta: out.delta, gamma: out.gamma, vega: out.vega, theta: out.theta };
}
