// Shared builders for core unit tests: default params, positions, a seeded PRNG.
import { blackScholes } from "../../src/core/greeks.ts";
import type { GuardState } from "../../src/core/guard-chain.ts";
import type { GuardParams, HedgeParams, HedgerParams, StrategyParams } from "../../src/core/hedger-params.ts";
import type { OptionContract, Position } from "../../src/core/instrument.ts";
import { YEAR_MS } from "../../src/core/leg-book.ts";

export const STRATEGY: StrategyParams = {
  symbol: "SPY",
  minDte: 21,
  maxDte: 35,
  atmBandFraction: 0.03,
  greeksSource: "broker",
  brokerGreeksMaxAgeMs: 10_000,
  brokerGreeksGraceMs: 0,
  fallbackVol: 0.2,
  riskFreeRate: 0.05,
  dividendYield: 0.013,
};

export const HEDGE: HedgeParams = {
  policy: { type: "threshold" },
  epsilonBandShares: 10,
  thresholdShares: 25,
  minShares: 10,
  maxSharesPerOrder: 500,
  forcedDeltaShares: 500,
  orderType: "market",
  limitOffsetBps: 5,
  orderTimeoutMs: 30_000,
};

export const GUARDS: GuardParams = {
  maxDailyLossUsd: 5000,
  tradingHoursOnly: true,
  earningsDates: [],
  earningsBlackoutDaysBefore: 3,
  earningsBlackoutDaysAfter: 1,
  cooldownMs: 60_000,
  maxDailyHedges: 50,
  maxPositionShares: 2000,
  maxSpreadFraction: 0.005,
  minPriceMoveFraction: 0.002,
  staleDataMs: 5000,
  acceptDelayedData: false,
};

export function hedgerParams(overrides: {
  strategy?: Partial<StrategyParams>;
  hedge?: Partial<HedgeParams>;
  guards?: Partial<GuardParams>;
  positionSettleMs?: number;
  externalShares?: number;
  outsideStockChange?: "adopt" | "block";
} = {}): HedgerParams {
  return {
    strategy: { ...STRATEGY, ...overrides.strategy },
    hedge: { ...HEDGE, ...overrides.hedge },
    guards: { ...GUARDS, ...overrides.guards },
    positionSettleMs: overrides.positionSettleMs ?? 10_000,
    externalShares: overrides.externalShares ?? 0,
    outsideStockChange: overrides.outsideStockChange ?? "adopt",
  };
}

/** Monday 2025-03-03 10:00 New York (EST). */
export const MONDAY_10AM = Date.UTC(2025, 2, 3, 15, 0);

export function option(right: "C" | "P", strike: number, expiryYmd = "20250404", symbol = "SPY"): OptionContract {
  return { secType: "OPT", symbol, right, strike, expiryYmd, multiplier: 100 };
}

export function optionPosition(right: "C" | "P", strike: number, quantity: number, expiryYmd = "20250404"): Position {
  return { contract: option(right, strike, expiryYmd), quantity, avgCost: 1000, account: "DU1" };
}

export function stockPosition(quantity: number, avgCost = 590, symbol = "SPY"): Position {
  return { contract: { secType: "STK", symbol }, quantity, avgCost, account: "DU1" };
}

/** 5-lot straddle at 590, expiring 2025-04-04 (32 days after MONDAY_10AM). */
export function straddle(quantity = 5, strike = 590): Position[] {
  return [optionPosition("C", strike, quantity), optionPosition("P", strike, quantity)];
}

/** A guard state where every guard allows; tests override one field. */
export function allowingGuardState(overrides: Partial<GuardState> = {}): GuardState {
  return {
    nowMs: MONDAY_10AM,
    hardBlock: null,
    paused: false,
    brokerConnected: true,
    quoteTsMs: MONDAY_10AM,
    quoteKind: "live",
    bid: 589.99,
    ask: 590.01,
    spot: 590,
    circuitBreakerTripped: false,
    dailyPnlUsd: 0,
    dailyHedgeCount: 0,
    lastHedgeTsMs: null,
    lastHedgePrice: null,
    hedgeShares: 0,
    pendingShares: 0,
    orderShares: -100,
    forced: false,
    ...overrides,
  };
}

/** mulberry32: small, fast, seeded; property tests must be reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The default straddle's expiry (2025-04-04, the close). */
export const STRADDLE_EXPIRY_MS = Date.parse("2025-04-04T20:00:00Z");

/** Option delta in shares of the default 5-lot 590 straddle, by the model. */
export function straddleDeltaShares(spot: number, nowMs: number, vol = STRATEGY.fallbackVol): number {
  const years = (STRADDLE_EXPIRY_MS - nowMs) / YEAR_MS;
  const c = blackScholes("C", spot, 590, years, STRATEGY.riskFreeRate, STRATEGY.dividendYield, vol);
  const p = blackScholes("P", spot, 590, years, STRATEGY.riskFreeRate, STRATEGY.dividendYield, vol);
  return 500 * (c.delta + p.delta);
}
