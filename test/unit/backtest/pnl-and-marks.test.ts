import { describe, expect, test } from "bun:test";
import { defaultBacktestParams } from "../../../src/backtest/backtest-params.ts";
import { BrokerGreeksEvent, LegMark, markStraddle, markStraddleBars, optionCommissionUsd, optionHalfSpreadUsd, readStraddleMarks, YEAR_MS } from "../../../src/backtest/option-marks.ts";
import { CALL_DELTA, CALL_PRICE, CALL_THETA, GAMMA, NOW_MS, PUT_DELTA, PUT_PRICE, PUT_THETA, SPOT, TAPE_BAR_FIELDS, VEGA, VOL } from "../../../src/backtest/tape-bar.ts";
import { PnlLedger } from "../../../src/backtest/pnl-ledger.ts";
import { blackScholes } from "../../../src/core/greeks.ts";

const PARAMS = defaultBacktestParams(0.03);

describe("option marks", () => {
  test.each([
    [500, 500, 30],
    [480, 500, 10],
    [530, 500, 60],
    [500, 500, 0.01],
    [500, 500, 0],
  ])("both legs equal Black-Scholes; the put comes from put-call parity (spot %d, strike %d, %d days)", (spot, strike, days) => {
    const call = new LegMark();
    const put = new LegMark();
    const nowMs = 0;
    markStraddle(strike, days * 86_400_000, spot, 0.2, nowMs, 0.05, 0.013, call, put);
    const callReference = blackScholes("C", spot, strike, (days * 86_400_000) / YEAR_MS, 0.05, 0.013, 0.2);
    for (const field of ["price", "delta", "gamma", "vega", "theta"] as const) expect(call[field]).toBeCloseTo(callReference[field], 8);
    const reference = blackScholes("P", spot, strike, (days * 86_400_000) / YEAR_MS, 0.05, 0.013, 0.2);
    expect(put.price).toBeCloseTo(reference.price, 9);
    expect(put.delta).toBeCloseTo(reference.delta, 12);
    expect(put.gamma).toBeCloseTo(reference.gamma, 12);
    expect(put.vega).toBeCloseTo(reference.vega, 9);
    expect(put.theta).toBeCloseTo(reference.theta, 8);
  });

  test("across moneyness, vol and maturity (deep in and out of the money, 200% vol, two years) both legs stay Black-Scholes", () => {
    const call = new LegMark();
    const put = new LegMark();
    let cases = 0;
    for (const spot of [250, 400, 480, 500, 520, 640, 1000]) {
      for (const vol of [0.05, 0.2, 0.8, 2]) {
        for (const days of [0.02, 1, 30, 730]) {
          markStraddle(500, days * 86_400_000, spot, vol, 0, 0.05, 0.013, call, put);
          const years = (days * 86_400_000) / YEAR_MS;
          for (const [leg, right] of [[call, "C"], [put, "P"]] as const) {
            const reference = blackScholes(right, spot, 500, years, 0.05, 0.013, vol);
            expect(leg.price).toBeCloseTo(reference.price, 9);
            expect(leg.delta).toBeCloseTo(reference.delta, 12);
            expect(leg.theta).toBeCloseTo(reference.theta, 8);
          }
          cases++;
        }
      }
    }
    expect(cases).toBe(112);
  });

  test("a run of bars is marked bar by bar as Black-Scholes, degenerate bars (zero vol, expiry) at their limits, bars outside first..last untouched", () => {
    const strike = 500;
    const expiryMs = 20 * 86_400_000;
    // spot, vol, days before expiry: in, at and out of the money, zero vol mid-run, expiry, after it.
    const bars: [number, number, number][] = [[500, 0.2, 20], [470, 0.35, 12], [530, 0.1, 5], [520, 0, 4], [490, 0.25, 1], [505, 0.2, 0.001], [510, 0.2, 0], [480, 0.2, -1], [500, 0.2, 20]];
    // Every field of a bar starts as -7: the marks must overwrite them, bars outside first..last keep them.
    const tape = new Float64Array(bars.length * TAPE_BAR_FIELDS).fill(-7);
    bars.forEach(([spot, vol, days], i) => {
      tape[i * TAPE_BAR_FIELDS + SPOT] = spot;
      tape[i * TAPE_BAR_FIELDS + VOL] = vol;
      tape[i * TAPE_BAR_FIELDS + NOW_MS] = expiryMs - days * 86_400_000;
    });
    markStraddleBars(tape, strike, expiryMs, 0.05, 0.013, 1, bars.length - 2);
    for (const edge of [0, bars.length - 1]) for (const field of [CALL_PRICE, PUT_PRICE, CALL_DELTA, PUT_DELTA, CALL_THETA, PUT_THETA, GAMMA, VEGA]) expect(tape[edge * TAPE_BAR_FIELDS + field]).toBe(-7);
    const call = new LegMark();
    const put = new LegMark();
    for (let i = 1; i < bars.length - 1; i++) {
      const [spot, vol, days] = bars[i]!;
      readStraddleMarks(tape, i, call, put);
      const years = (days * 86_400_000) / YEAR_MS;
      for (const [leg, right] of [[call, "C"], [put, "P"]] as const) {
        const reference = blackScholes(right, spot, strike, years, 0.05, 0.013, vol);
        for (const field of ["price", "delta", "gamma", "vega", "theta"] as const) expect(leg[field]).toBeCloseTo(reference[field], 9);
      }
      expect(call).toMatchObject({ impliedVol: vol, underlyingPrice: spot, tsMs: expiryMs - days * 86_400_000 });
    }
  });

  test("greeks reach the Hedger in IB units (theta per day, vega per vol point)", () => {
    const call = new LegMark();
    const put = new LegMark();
    markStraddle(500, 30 * 86_400_000, 500, 0.2, 0, 0.05, 0.013, call, put);
    const event = new BrokerGreeksEvent().refresh(call);
    expect(event.theta).toBeCloseTo(call.theta / 365, 12);
    expect(event.vega).toBeCloseTo(call.vega / 100, 12);
    expect(event).toMatchObject({ impliedVol: 0.2, underlyingPrice: 500, tsEventMs: 0, optionPrice: call.price });
  });

  test("option spread and IB option commissions", () => {
    expect(optionHalfSpreadUsd(8, PARAMS)).toBeCloseTo(0.02, 12);
    expect(optionHalfSpreadUsd(1, PARAMS)).toBe(0.01);
    expect(optionCommissionUsd(10, PARAMS)).toBe(6.5);
    expect(optionCommissionUsd(1, PARAMS)).toBe(1);
    expect(optionCommissionUsd(0, PARAMS)).toBe(0);
  });
});

describe("PnL ledger", () => {
  test("equity change splits exactly into scalping, theta, vega and trade costs", () => {
    const ledger = new PnlLedger();
    ledger.optionTrade(1000, 10.02, 10, 6.5); // buy a straddle's worth of option shares at the ask
    ledger.stockFill(-50, 499.99, 500, 1); // sell the hedge at the bid
    const before = ledger.equityUsd(500, 10_000);
    ledger.accrue(150, -365_000, 20_000, 1 / 365, 0.001, 2); // option value +150, one day, vol +0.1 pt, spot +2
    const after = ledger.equityUsd(502, 10_150);
    expect(after - before).toBeCloseTo(150 - 50 * 2, 9);
    const totals = ledger.totals(502, 10_150);
    expect(totals.thetaUsd).toBeCloseTo(-1000, 9);
    expect(totals.vegaUsd).toBeCloseTo(20, 9);
    expect(totals.scalpingUsd).toBeCloseTo(150 + 1000 - 20 - 100, 9);
    const parts = totals.scalpingUsd + totals.thetaUsd + totals.vegaUsd - totals.hedgeSlippageUsd - totals.rollCostsUsd - totals.stockCommissionsUsd - totals.optionCommissionsUsd;
    expect(totals.totalUsd).toBeCloseTo(parts, 9);
    expect(totals.hedgeSlippageUsd).toBeCloseTo(0.5, 9);
    expect(totals.rollCostsUsd).toBeCloseTo(20, 9);
    expect(ledger.sharesTraded).toBe(50);
  });
});
