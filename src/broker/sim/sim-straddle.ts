// The simulated account opens with what a gamma scalper holds: a long near-ATM straddle
// on the underlying, expiring 21-35 calendar days after the replay starts.
import type { OptionContract } from "../../core/instrument.ts";

const DAY_MS = 86_400_000;
const TARGET_DTE = 28;
const MIN_DTE = 21;
const MAX_DTE = 35;
const FRIDAY = 5;

/** The Friday closest to 28 days out (always 21..35 DTE), as `YYYYMMDD` in UTC calendar terms. */
export function straddleExpiryYmd(startMs: number): string {
  let best: Date | null = null;
  for (let dte = MIN_DTE; dte <= MAX_DTE; dte++) {
    const day = new Date(startMs + dte * DAY_MS);
    if (day.getUTCDay() !== FRIDAY) continue;
    if (best === null || Math.abs(dte - TARGET_DTE) < Math.abs((best.getTime() - startMs) / DAY_MS - TARGET_DTE)) best = day;
  }
  const expiry = best ?? new Date(startMs + TARGET_DTE * DAY_MS);
  const ymd = expiry.toISOString().slice(0, 10).replaceAll("-", "");
  return ymd;
}

/** Call and put at the listed strike nearest to spot ($1 strikes, like SPY). */
export function atmStraddle(symbol: string, spot: number, startMs: number): readonly [OptionContract, OptionContract] {
  const strike = Math.round(spot);
  const expiryYmd = straddleExpiryYmd(startMs);
  return [
    { secType: "OPT", symbol, right: "C", strike, expiryYmd, multiplier: 100 },
    { secType: "OPT", symbol, right: "P", strike, expiryYmd, multiplier: 100 },
  ];
}
