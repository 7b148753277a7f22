// The simulated option market of a backtest: Black-Scholes-Merton marks at the implied
// vol in force, reported to the Hedger the way a broker reports them (IB units: theta per
// calendar day, vega per vol point), and bid/ask around the mark from the spread model.
import { computeGreeks, GreeksScratch } from "../core/greeks.ts";
import type { OptionGreeksInput } from "../core/hedger-inputs.ts";
import { INV_SQRT_2PI, normalCdf, normalCdfWithGauss } from "../core/normal.ts";
import type { BacktestParams } from "./backtest-params.ts";

export const YEAR_MS = 365 * 86_400_000;

/** One leg's mark, per share of the option, in core's units (theta per year, vega per 1.00). */
export class LegMark extends GreeksScratch {
  impliedVol = 0;
  underlyingPrice = 0;
  tsMs = 0;
}

/**
 * A straddle's bars, one array per field: the inputs (spot, vol, decision time) and each
 * leg's marks per share of the option in core's units, with the legs' common gamma and vega.
 */
export interface StraddleColumns {
  readonly spot: Float64Array;
  readonly vol: Float64Array;
  readonly nowMs: Float64Array;
  readonly callPrice: Float64Array;
  readonly putPrice: Float64Array;
  readonly callDelta: Float64Array;
  readonly putDelta: Float64Array;
  readonly callTheta: Float64Array;
  readonly putTheta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
}

/**
 * Marks bars first..last of one straddle (one strike, one expiry): core's BSM for the call
 * (the same operations as computeTerms and termsPrice), the put by put-call parity (exact for
 * European options), so a bar costs one log, one sqrt and four exps. Written out in one loop
 * over the columns: calling per bar through objects took twice as long. Degenerate inputs
 * (expiry, zero vol) take computeGreeks' limits.
 */
export function markStraddleBars(columns: StraddleColumns, strike: number, expiryMs: number, rate: number, dividendYield: number, first: number, last: number): void {
  const { spot: spots, vol: vols, nowMs: times, callPrice, putPrice, callDelta, putDelta, callTheta, putTheta, gamma, vega } = columns;
  for (let i = first; i <= last; i++) {
    const spot = spots[i] as number;
    const vol = vols[i] as number;
    const years = (expiryMs - (times[i] as number)) / YEAR_MS;
    const volSqrtT = years > 0 && vol > 0 ? vol * Math.sqrt(years) : 0;
    if (!(spot > 0) || !(strike > 0) || volSqrtT < 1e-12) {
      markLimitBar(columns, i, strike, years, rate, dividendYield);
      continue;
    }
    const dq = Math.exp(-dividendYield * years);
    const d1 = (Math.log(spot / strike) + (rate - dividendYield) * years) / volSqrtT + 0.5 * volSqrtT;
    const gauss = Math.exp(-0.5 * d1 * d1);
    const cdfD1 = normalCdfWithGauss(d1, gauss);
    const pdfD1 = INV_SQRT_2PI * gauss;
    const dr = Math.exp(-rate * years);
    const cdfD2 = normalCdf(d1 - volSqrtT);
    const call = spot * dq * cdfD1 - strike * dr * cdfD2;
    const price = call > 0 ? call : 0;
    const delta = dq * cdfD1;
    const theta = (-spot * dq * pdfD1 * volSqrtT) / (2 * years) - rate * strike * dr * cdfD2 + dividendYield * spot * dq * cdfD1;
    callPrice[i] = price;
    putPrice[i] = Math.max(0, price - spot * dq + strike * dr);
    callDelta[i] = delta;
    putDelta[i] = delta - dq;
    callTheta[i] = theta;
    putTheta[i] = theta - dividendYield * spot * dq + rate * strike * dr;
    gamma[i] = (dq * pdfD1) / (spot * volSqrtT);
    vega[i] = spot * dq * pdfD1 * (volSqrtT / vol);
  }
}

const limitCall = new GreeksScratch();

/** At expiry or zero vol: the call's limit values (computeGreeks), the put by parity. */
function markLimitBar(columns: StraddleColumns, i: number, strike: number, years: number, rate: number, dividendYield: number): void {
  const spot = columns.spot[i] as number;
  computeGreeks("C", spot, strike, years, rate, dividendYield, columns.vol[i] as number, limitCall);
  const t = years > 0 ? years : 0;
  const dq = Math.exp(-dividendYield * t);
  const dr = Math.exp(-rate * t);
  columns.callPrice[i] = limitCall.price;
  columns.putPrice[i] = Math.max(0, limitCall.price - spot * dq + strike * dr);
  columns.callDelta[i] = limitCall.delta;
  columns.putDelta[i] = limitCall.delta - dq;
  columns.callTheta[i] = limitCall.theta;
  columns.putTheta[i] = years > 0 ? limitCall.theta - dividendYield * spot * dq + rate * strike * dr : 0;
  columns.gamma[i] = limitCall.gamma;
  columns.vega[i] = limitCall.vega;
}

/** Bar i's marks of both legs, in full. */
export function readStraddleMarks(columns: StraddleColumns, i: number, call: LegMark, put: LegMark): void {
  const spot = columns.spot[i] as number;
  const vol = columns.vol[i] as number;
  const nowMs = columns.nowMs[i] as number;
  const gamma = columns.gamma[i] as number;
  const vega = columns.vega[i] as number;
  call.price = columns.callPrice[i] as number;
  call.delta = columns.callDelta[i] as number;
  call.theta = columns.callTheta[i] as number;
  put.price = columns.putPrice[i] as number;
  put.delta = columns.putDelta[i] as number;
  put.theta = columns.putTheta[i] as number;
  call.gamma = put.gamma = gamma;
  call.vega = put.vega = vega;
  call.impliedVol = put.impliedVol = vol;
  call.underlyingPrice = put.underlyingPrice = spot;
  call.tsMs = put.tsMs = nowMs;
}

const oneBar = (): Float64Array => new Float64Array(1);
const singleBar: StraddleColumns = {
  spot: oneBar(),
  vol: oneBar(),
  nowMs: oneBar(),
  callPrice: oneBar(),
  putPrice: oneBar(),
  callDelta: oneBar(),
  putDelta: oneBar(),
  callTheta: oneBar(),
  putTheta: oneBar(),
  gamma: oneBar(),
  vega: oneBar(),
};

/** Marks both legs of a straddle at one instant (markStraddleBars on a bar of its own). */
export function markStraddle(strike: number, expiryMs: number, spot: number, vol: number, nowMs: number, rate: number, dividendYield: number, call: LegMark, put: LegMark): void {
  singleBar.spot[0] = spot;
  singleBar.vol[0] = vol;
  singleBar.nowMs[0] = nowMs;
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
