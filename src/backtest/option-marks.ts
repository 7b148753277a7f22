// The simulated option market of a backtest: Black-Scholes-Merton marks at the implied
// vol in force, reported to the Hedger the way a broker reports them (IB units: theta per
// calendar day, vega per vol point), and bid/ask around the mark from the spread model.
import { computeGreeks, GreeksScratch } from "../core/greeks.ts";
import type { OptionGreeksInput } from "../core/hedger-inputs.ts";
import { INV_SQRT_2PI, normalCdfWithGauss } from "../core/normal.ts";
import type { BacktestParams } from "./backtest-params.ts";
import { CALL_DELTA, CALL_PRICE, CALL_THETA, GAMMA, NOW_MS, PUT_DELTA, PUT_PRICE, PUT_THETA, SPOT, TAPE_BAR_FIELDS, VEGA, VOL } from "./tape-bar.ts";

export const YEAR_MS = 365 * 86_400_000;

/** One leg's mark, per share of the option, in core's units (theta per year, vega per 1.00). */
export class LegMark extends GreeksScratch {
  impliedVol = 0;
  underlyingPrice = 0;
  tsMs = 0;
}

/**
 * Marks bars first..last of one straddle (one strike, one expiry) in a tape's bars (see
 * tape-bar.ts), from each bar's spot, vol and time: core's BSM for the call (the same
 * operations as computeTerms and termsPrice), the put by put-call parity (exact for European
 * options), so a bar costs one log, one sqrt and three exps. Written out in one loop: calling
 * per bar through objects took twice as long. Degenerate inputs (expiry, zero vol) take
 * computeGreeks' limits.
 */
export function markStraddleBars(bars: Float64Array, strike: number, expiryMs: number, rate: number, dividendYield: number, first: number, last: number): void {
  for (let i = first, p = first * TAPE_BAR_FIELDS; i <= last; i++, p += TAPE_BAR_FIELDS) {
    const spot = bars[p + SPOT] as number;
    const vol = bars[p + VOL] as number;
    const years = (expiryMs - (bars[p + NOW_MS] as number)) / YEAR_MS;
    const volSqrtT = years > 0 && vol > 0 ? vol * Math.sqrt(years) : 0;
    if (!(spot > 0) || !(strike > 0) || volSqrtT < 1e-12) {
      markLimitBar(bars, p, strike, years, rate, dividendYield);
      continue;
    }
    const dq = Math.exp(-dividendYield * years);
    const d1 = (Math.log(spot / strike) + (rate - dividendYield) * years) / volSqrtT + 0.5 * volSqrtT;
    const gauss = Math.exp(-0.5 * d1 * d1);
    const cdfD1 = normalCdfWithGauss(d1, gauss);
    const pdfD1 = INV_SQRT_2PI * gauss;
    const dr = Math.exp(-rate * years);
    // φ(d2) = φ(d1)·S·e^(-qT) / (K·e^(-rT)) (d1² - d2² = 2·ln(S·e^(-qT) / (K·e^(-rT)))): no exp of its own.
    const cdfD2 = normalCdfWithGauss(d1 - volSqrtT, (gauss * spot * dq) / (strike * dr));
    const call = spot * dq * cdfD1 - strike * dr * cdfD2;
    const price = call > 0 ? call : 0;
    const delta = dq * cdfD1;
    const theta = (-spot * dq * pdfD1 * volSqrtT) / (2 * years) - rate * strike * dr * cdfD2 + dividendYield * spot * dq * cdfD1;
    bars[p + CALL_PRICE] = price;
    bars[p + PUT_PRICE] = Math.max(0, price - spot * dq + strike * dr);
    bars[p + CALL_DELTA] = delta;
    bars[p + PUT_DELTA] = delta - dq;
    bars[p + CALL_THETA] = theta;
    bars[p + PUT_THETA] = theta - dividendYield * spot * dq + rate * strike * dr;
    bars[p + GAMMA] = (dq * pdfD1) / (spot * volSqrtT);
    bars[p + VEGA] = spot * dq * pdfD1 * (volSqrtT / vol);
  }
}

const limitCall = new GreeksScratch();

/** At expiry or zero vol (the bar at offset p): the call's limit values (computeGreeks), the put by parity. */
function markLimitBar(bars: Float64Array, p: number, strike: number, years: number, rate: number, dividendYield: number): void {
  const spot = bars[p + SPOT] as number;
  computeGreeks("C", spot, strike, years, rate, dividendYield, bars[p + VOL] as number, limitCall);
  const t = years > 0 ? years : 0;
  const dq = Math.exp(-dividendYield * t);
  const dr = Math.exp(-rate * t);
  bars[p + CALL_PRICE] = limitCall.price;
  bars[p + PUT_PRICE] = Math.max(0, limitCall.price - spot * dq + strike * dr);
  bars[p + CALL_DELTA] = limitCall.delta;
  bars[p + PUT_DELTA] = limitCall.delta - dq;
  bars[p + CALL_THETA] = limitCall.theta;
  bars[p + PUT_THETA] = years > 0 ? limitCall.theta - dividendYield * spot * dq + rate * strike * dr : 0;
  bars[p + GAMMA] = limitCall.gamma;
  bars[p + VEGA] = limitCall.vega;
}

/** Bar i's marks of both legs, in full. */
export function readStraddleMarks(bars: Float64Array, i: number, call: LegMark, put: LegMark): void {
  const p = i * TAPE_BAR_FIELDS;
  const spot = bars[p + SPOT] as number;
  const vol = bars[p + VOL] as number;
  const nowMs = bars[p + NOW_MS] as number;
  const gamma = bars[p + GAMMA] as number;
  const vega = bars[p + VEGA] as number;
  call.price = bars[p + CALL_PRICE] as number;
  call.delta = bars[p + CALL_DELTA] as number;
  call.theta = bars[p + CALL_THETA] as number;
  put.price = bars[p + PUT_PRICE] as number;
  put.delta = bars[p + PUT_DELTA] as number;
  put.theta = bars[p + PUT_THETA] as number;
  call.gamma = put.gamma = gamma;
  call.vega = put.vega = vega;
  call.impliedVol = put.impliedVol = vol;
  call.underlyingPrice = put.underlyingPrice = spot;
  call.tsMs = put.tsMs = nowMs;
}

const singleBar = new Float64Array(TAPE_BAR_FIELDS);

/** Marks both legs of a straddle at one instant (markStraddleBars on a bar of its own). */
export function markStraddle(strike: number, expiryMs: number, spot: number, vol: number, nowMs: number, rate: number, dividendYield: number, call: LegMark, put: LegMark): void {
  singleBar[SPOT] = spot;
  singleBar[VOL] = vol;
  singleBar[NOW_MS] = nowMs;
  markStraddleBars(singleBar, strike, expiryMs, rate, dividendYield, 0, 0);
  readStraddleMarks(singleBar, 0, call, put);
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
