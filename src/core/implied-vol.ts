// Implied volatility: Newton steps on vega, kept inside a bracket that bisection shrinks
// whenever Newton would leave it or stall, so it always converges for prices inside the
// no-arbitrage bounds and says why when the price is outside them.
import { computeGreeks, GreeksScratch } from "./greeks.ts";
import type { OptionRight } from "./instrument.ts";

export const IV_MIN = 1e-4;
export const IV_MAX = 5;

export type ImpliedVolResult =
  | { readonly type: "ok"; readonly vol: number; readonly iterations: number }
  | {
      readonly type: "failed";
      /** below_intrinsic / above_upper_bound: the price breaks no-arbitrage bounds (or needs vol outside [IV_MIN, IV_MAX]). */
      readonly reason: "expired" | "invalid_input" | "below_intrinsic" | "above_upper_bound" | "no_convergence";
      readonly message: string;
    };

export interface ImpliedVolInput {
  readonly right: OptionRight;
  readonly price: number;
  readonly spot: number;
  readonly strike: number;
  readonly years: number;
  readonly rate: number;
  readonly dividendYield: number;
}

const PRICE_TOLERANCE = 1e-10;
const MAX_ITERATIONS = 100;

export function impliedVol(input: ImpliedVolInput): ImpliedVolResult {
  const { right, price, spot, strike, years, rate, dividendYield } = input;
  if (!(years > 0)) return fail("expired", `time to expiry was ${years} years, expected > 0`);
  if (!(price >= 0) || !(spot > 0) || !(strike > 0)) {
    return fail("invalid_input", `price ${price}, spot ${spot}, strike ${strike}: expected price >= 0, spot > 0, strike > 0`);
  }
  const g = new GreeksScratch();
  const priceAt = (vol: number): number => {
    computeGreeks(right, spot, strike, years, rate, dividendYield, vol, g);
    return g.price;
  };
  const low = priceAt(IV_MIN);
  const high = priceAt(IV_MAX);
  if (price < low - PRICE_TOLERANCE) {
    return fail("below_intrinsic", `price ${price} was below the lower bound ${low.toFixed(6)} (vol ${IV_MIN})`);
  }
  if (price > high + PRICE_TOLERANCE) {
    return fail("above_upper_bound", `price ${price} was above the upper bound ${high.toFixed(6)} (vol ${IV_MAX})`);
  }
  if (price <= low) return { type: "ok", vol: IV_MIN, iterations: 0 };
  let lo = IV_MIN;
  let hi = IV_MAX;
  // Start at the Brenner–Subrahmanyam ATM estimate, clamped into the bracket.
  let vol = Math.min(IV_MAX * 0.9, Math.max(IV_MIN * 10, (Math.sqrt((2 * Math.PI) / years) * price) / spot));
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    computeGreeks(right, spot, strike, years, rate, dividendYield, vol, g);
    const diff = g.price - price;
    if (Math.abs(diff) < PRICE_TOLERANCE) return { type: "ok", vol, iterations: i };
    if (diff > 0) hi = vol;
    else lo = vol;
    const step = g.vega > 1e-12 ? diff / g.vega : Number.NaN;
    let next = vol - step;
    // Newton left the bracket (or vega vanished): bisect instead.
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (hi - lo < 1e-14) return { type: "ok", vol: next, iterations: i };
    vol = next;
  }
  return fail("no_convergence", `no vol within [${lo}, ${hi}] matched price ${price} after ${MAX_ITERATIONS} iterations`);
}

function fail(reason: Extract<ImpliedVolResult, { type: "failed" }>["reason"], message: string): ImpliedVolResult {
  return { type: "failed", reason, message };
}
