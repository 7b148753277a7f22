// The simulated option market of a backtest: Black-Scholes-Merton marks at the implied
// vol in force, reported to the Hedger the way a broker reports them (IB units: theta per
// calendar day, vega per vol point), and bid/ask around the mark from the spread model.
import { BsTerms, computeGreeks, computeTerms, GreeksScratch, termsGamma, termsPrice } from "../core/greeks.ts";
import type { OptionGreeksInput } from "../core/hedger-inputs.ts";
import type { BacktestParams } from "./backtest-params.ts";

export const YEAR_MS = 365 * 86_400_000;

/** One leg's mark, per share of the option, in core's units (theta per year, vega per 1.00). */
export class LegMark extends GreeksScratch {
  impliedVol = 0;
  underlyingPrice = 0;
  tsMs = 0;
}

const terms = new BsTerms();

/**
 * Marks both legs of a straddle (one strike, one expiry) from one set of core's BSM terms:
 * the call directly, the put by put-call parity (exact for European options), so a bar costs
 * one log, one sqrt and four exps. Degenerate inputs (expiry, zero vol) use computeGreeks.
 */
export function markStraddle(strike: number, expiryMs: number, spot: number, vol: number, nowMs: number, rate: number, dividendYield: number, call: LegMark, put: LegMark): void {
  const years = (expiryMs - nowMs) / YEAR_MS;
  computeTerms(spot, strike, years, rate, dividendYield, vol, terms);
  if (terms.valid) {
    call.price = termsPrice("C", terms);
    const { dq, dr, cdfD1, cdfD2, pdfD1, volSqrtT } = terms;
    call.delta = dq * cdfD1;
    call.gamma = termsGamma(terms);
    call.vega = spot * dq * pdfD1 * (volSqrtT / vol);
    call.theta = (-spot * dq * pdfD1 * volSqrtT) / (2 * years) - rate * strike * dr * cdfD2 + dividendYield * spot * dq * cdfD1;
  } else {
    computeGreeks("C", spot, strike, years, rate, dividendYield, vol, call);
  }
  const t = years > 0 ? years : 0;
  const dq = terms.valid ? terms.dq : Math.exp(-dividendYield * t);
  const dr = terms.valid ? terms.dr : Math.exp(-rate * t);
  put.price = Math.max(0, call.price - spot * dq + strike * dr);
  put.delta = call.delta - dq;
  put.gamma = call.gamma;
  put.vega = call.vega;
  put.theta = years > 0 ? call.theta - dividendYield * spot * dq + rate * strike * dr : 0;
  call.impliedVol = put.impliedVol = vol;
  call.underlyingPrice = put.underlyingPrice = spot;
  call.tsMs = put.tsMs = nowMs;
}

/**
 * The broker-style greeks event of a leg (IB units: theta per day, vega per vol point).
 * One object per leg, refreshed in place each bar: the Hedger keeps the latest event per
 * leg and reads it when it decides, so an updated object means "the latest event".
 */
export class BrokerGreeksEvent implements OptionGreeksInput {
  impliedVol = 0;
  delta = 0;
  gamma = 0;
  vega = 0;
  theta = 0;
  optionPrice = 0;
  underlyingPrice = 0;
  tsEventMs = 0;

  refresh(mark: LegMark): this {
    this.impliedVol = mark.impliedVol;
    this.delta = mark.delta;
    this.gamma = mark.gamma;
    this.vega = mark.vega / 100;
    this.theta = mark.theta / 365;
    this.optionPrice = mark.price;
    this.underlyingPrice = mark.underlyingPrice;
    this.tsEventMs = mark.tsMs;
    return this;
  }
}

/** Half the option spread in USD per share of the option at this price. */
export function optionHalfSpreadUsd(price: number, params: BacktestParams): number {
  return Math.max(params.optionMinHalfSpreadUsd, price * params.optionHalfSpreadFraction);
}

/** IB-style option commission for one order of `contracts` contracts. */
export function optionCommissionUsd(contracts: number, params: BacktestParams): number {
  if (contracts === 0) return 0;
  return Math.round(Math.max(params.optionCommissionMinUsd, Math.abs(contracts) * params.optionCommissionPerContractUsd) * 100) / 100;
}
