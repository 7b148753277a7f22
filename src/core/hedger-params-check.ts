// Core's own sanity check of HedgerParams. The config layer validates what users type; this
// catches impossible combinations from any caller (sweeps, tests, hand-built params) with a
// message naming the field, what it was and what was expected.
import type { HedgerParams } from "./hedger-params.ts";

/** The largest order the Hedger sizes: order sizes are int32s (see hedge-policy.ts). */
export const MAX_ORDER_SHARES = 2 ** 31 - 1;

export function hedgerParamsProblems(p: HedgerParams): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, field: string, was: unknown, expected: string): void => {
    if (!ok) problems.push(`${field} was ${JSON.stringify(was)}, expected ${expected}`);
  };
  const { strategy: s, hedge: h, guards: g } = p;
  need(s.symbol.length > 0, "strategy.symbol", s.symbol, "a symbol");
  need(Number.isInteger(s.minDte) && s.minDte >= 0, "strategy.minDte", s.minDte, "a whole number >= 0");
  need(Number.isInteger(s.maxDte) && s.maxDte >= s.minDte, "strategy.maxDte", s.maxDte, `a whole number >= minDte (${s.minDte})`);
  need(s.atmBandFraction > 0 && s.atmBandFraction <= 1, "strategy.atmBandFraction", s.atmBandFraction, "a fraction in (0, 1]");
  need(s.fallbackVol > 0 && Number.isFinite(s.fallbackVol), "strategy.fallbackVol", s.fallbackVol, "> 0");
  need(Number.isFinite(s.riskFreeRate), "strategy.riskFreeRate", s.riskFreeRate, "a finite rate");
  need(Number.isFinite(s.dividendYield), "strategy.dividendYield", s.dividendYield, "a finite yield");
  need(s.brokerGreeksMaxAgeMs >= 0, "strategy.brokerGreeksMaxAgeMs", s.brokerGreeksMaxAgeMs, ">= 0");
  need(s.brokerGreeksGraceMs >= 0 && Number.isFinite(s.brokerGreeksGraceMs), "strategy.brokerGreeksGraceMs", s.brokerGreeksGraceMs, ">= 0 and finite");
  need(h.epsilonBandShares >= 0, "hedge.epsilonBandShares", h.epsilonBandShares, ">= 0");
  need(h.thresholdShares > 0, "hedge.thresholdShares", h.thresholdShares, "> 0");
  need(h.minShares >= 1, "hedge.minShares", h.minShares, ">= 1");
  need(h.maxSharesPerOrder >= h.minShares, "hedge.maxSharesPerOrder", h.maxSharesPerOrder, `>= minShares (${h.minShares})`);
  need(h.maxSharesPerOrder <= MAX_ORDER_SHARES, "hedge.maxSharesPerOrder", h.maxSharesPerOrder, `<= ${MAX_ORDER_SHARES} (order sizes are int32s)`);
  need(h.forcedDeltaShares > 0, "hedge.forcedDeltaShares", h.forcedDeltaShares, "> 0");
  need(h.limitOffsetBps >= 0, "hedge.limitOffsetBps", h.limitOffsetBps, ">= 0");
  need(h.orderTimeoutMs > 0, "hedge.orderTimeoutMs", h.orderTimeoutMs, "> 0");
  if (h.policy.type === "band") {
    need(h.policy.costFraction > 0, "hedge.policy.costFraction", h.policy.costFraction, "> 0");
    need(h.policy.riskAversion > 0, "hedge.policy.riskAversion", h.policy.riskAversion, "> 0");
  }
  need(g.maxDailyLossUsd === null || g.maxDailyLossUsd >= 0, "guards.maxDailyLossUsd", g.maxDailyLossUsd, ">= 0 or null");
  need(g.earningsBlackoutDaysBefore >= 0, "guards.earningsBlackoutDaysBefore", g.earningsBlackoutDaysBefore, ">= 0");
  need(g.earningsBlackoutDaysAfter >= 0, "guards.earningsBlackoutDaysAfter", g.earningsBlackoutDaysAfter, ">= 0");
  need(g.cooldownMs >= 0, "guards.cooldownMs", g.cooldownMs, ">= 0");
  need(g.maxDailyHedges >= 0, "guards.maxDailyHedges", g.maxDailyHedges, ">= 0");
  need(g.maxPositionShares >= 0, "guards.maxPositionShares", g.maxPositionShares, ">= 0");
  need(g.maxSpreadFraction === null || g.maxSpreadFraction >= 0, "guards.maxSpreadFraction", g.maxSpreadFraction, ">= 0 or null");
  need(g.minPriceMoveFraction >= 0, "guards.minPriceMoveFraction", g.minPriceMoveFraction, ">= 0");
  need(g.staleDataMs > 0, "guards.staleDataMs", g.staleDataMs, "> 0");
  need(p.positionSettleMs >= 0, "positionSettleMs", p.positionSettleMs, ">= 0");
  need(Number.isInteger(p.externalShares), "externalShares", p.externalShares, "a whole number of shares");
  return problems;
}

export class HedgerParamsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid hedger parameters: ${problems.join("; ")}`);
    this.name = "HedgerParamsError";
  }
}
