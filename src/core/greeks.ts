// Black–Scholes–Merton for European options on a stock with continuous dividend yield q.
// Units: T in years, rates and vol annualised (continuous); theta per YEAR and vega per 1.00
// of vol here (callers convert for display: theta / 365 per day, vega / 100 per vol point).
// Degenerate inputs (T <= 0, vol <= 0, spot <= 0) return the limit values, never NaN.
import { INV_SQRT_2PI, normalCdf, normalCdfWithGauss, normalPdf } from "./normal.ts";
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
 * The parts of BSM a call and a put of the same strike, expiry and vol share, so the hot path
 * can price a straddle's two legs for one set of transcendental calls (put values by parity).
 * `valid` is false for degenerate inputs (expiry, zero vol, no spot): use computeGreeks then.
 */
export class BsTerms {
  valid = false;
  spot = 0;
  strike = 0;
  years = 0;
  rate = 0;
  dq = 0;
  volSqrtT = 0;
  d1 = 0;
  cdfD1 = 0;
  pdfD1 = 0;
  /** Filled on demand by termsPrice: discount factor and N(d2). */
  hasD2 = false;
  dr = 0;
  cdfD2 = 0;
}

export function computeTerms(spot: number, strike: number, years: number, rate: number, dividendYield: number, vol: number, t: BsTerms): void {
  const volSqrtT = years > 0 && vol > 0 ? vol * Math.sqrt(years) : 0;
  t.hasD2 = false;
  if (!(spot > 0) || !(strike > 0) || volSqrtT < 1e-12) {
    t.valid = false;
    return;
  }
  t.valid = true;
  t.spot = spot;
  t.strike = strike;
  t.years = years;
  t.rate = rate;
  t.volSqrtT = volSqrtT;
  t.dq = Math.exp(-dividendYield * years);
  const d1 = (Math.log(spot / strike) + (rate - dividendYield) * years) / volSqrtT + 0.5 * volSqrtT;
  const gauss = Math.exp(-0.5 * d1 * d1);
  t.d1 = d1;
  t.cdfD1 = normalCdfWithGauss(d1, gauss);
  t.pdfD1 = INV_SQRT_2PI * gauss;
}

/** Delta from valid terms: call e^{-qT} N(d1), put e^{-qT} (N(d1) - 1). */
export function termsDelta(right: OptionRight, t: BsTerms): number {
  return right === "C" ? t.dq * t.cdfD1 : t.dq * (t.cdfD1 - 1);
}

export function termsGamma(t: BsTerms): number {
  return (t.dq * t.pdfD1) / (t.spot * t.volSqrtT);
}

/** Price from valid terms; the put by put-call parity. */
export function termsPrice(right: OptionRight, t: BsTerms): number {
  if (!t.hasD2) {
    t.dr = Math.exp(-t.rate * t.years);
    t.cdfD2 = normalCdf(t.d1 - t.volSqrtT);
    t.hasD2 = true;
  }
  const call = t.spot * t.dq * t.cdfD1 - t.strike * t.dr * t.cdfD2;
  const price = right === "C" ? call : call - t.spot * t.dq + t.strike * t.dr;
  return price > 0 ? price : 0;
}

/** Delta and gamma only (out.delta, out.gamma; other fields untouched), for the per-bar decision. */
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
  const t = SHARED_TERMS;
  computeTerms(spot, strike, years, rate, dividendYield, vol, t);
  if (!t.valid) {
    computeGreeks(right, spot, strike, years, rate, dividendYield, vol, out);
    return;
  }
  out.delta = termsDelta(right, t);
  out.gamma = termsGamma(t);
}

const SHARED_TERMS = new BsTerms();

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
