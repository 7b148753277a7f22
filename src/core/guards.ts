// The guards, in chain order. Boundaries: a limit is the last allowed value (">" denies),
// except counters and clocks, where reaching the limit denies (count >= max, elapsed < cooldown).
import { parseDay } from "./civil-date.ts";
import type { Guard, GuardState } from "./guard-chain.ts";
import type { DecisionContext, GuardCode } from "./hedge-decision.ts";
import type { GuardParams } from "./hedger-params.ts";
import { exchangeDayAt, isRegularSession, shiftTradingDays } from "./nyse-calendar.ts";

function guard(code: GuardCode, check: (state: GuardState) => DecisionContext | null): Guard {
  return { code, check };
}

export const hardBlockGuard = guard("hard_block", (s) =>
  s.hardBlock === null ? null : { blockCode: s.hardBlock.code, blockMessage: s.hardBlock.message },
);

export const pausedGuard = guard("paused", (s) => (s.paused ? { paused: true } : null));

export const brokerConnectedGuard = guard("broker_not_connected", (s) => (s.brokerConnected ? null : { brokerConnected: false }));

export function staleDataGuard(staleDataMs: number): Guard {
  return guard("stale_data", (s) => {
    const ageMs = s.quoteTsMs === null ? null : s.nowMs - s.quoteTsMs;
    return ageMs !== null && ageMs <= staleDataMs ? null : { ageMs, limitMs: staleDataMs };
  });
}

/** Delayed or frozen quotes are not hedged on unless the operator accepted them (never for real money). */
export const delayedDataGuard = guard("delayed_data", (s) => (s.quoteKind === "live" ? null : { quoteKind: s.quoteKind }));

/** Trips when today's PnL <= -limit; the Hedger latches the trip for the rest of the day. */
export function circuitBreakerGuard(maxDailyLossUsd: number): Guard {
  return guard("circuit_breaker", (s) => {
    const pnl = s.dailyPnlUsd;
    if (!s.circuitBreakerTripped && (pnl === null || pnl > -maxDailyLossUsd)) return null;
    return { dailyPnlUsd: pnl, maxDailyLossUsd, tripped: true };
  });
}

export const tradingHoursGuard = guard("outside_trading_hours", (s) => {
  if (isRegularSession(s.nowMs)) return null;
  const day = exchangeDayAt(s.nowMs);
  return { day: day.day, session: day.kind, sessionName: day.name, openMs: day.openMs, closeMs: day.closeMs };
});

/** Calendar days from (earnings - before trading days) to (earnings + after trading days), inclusive. */
export function earningsBlackoutDays(dates: readonly string[], before: number, after: number): Map<number, string> {
  const blocked = new Map<number, string>();
  for (const text of dates) {
    const day = parseDay(text);
    if (day === null) throw new Error(`earnings date was "${text}", expected YYYY-MM-DD`);
    const from = shiftTradingDays(day, -before);
    const to = shiftTradingDays(day, after);
    for (let n = from; n <= to; n++) if (!blocked.has(n)) blocked.set(n, text);
  }
  return blocked;
}

export function earningsBlackoutGuard(dates: readonly string[], before: number, after: number): Guard {
  const blocked = earningsBlackoutDays(dates, before, after);
  return guard("earnings_blackout", (s) => {
    const day = exchangeDayAt(s.nowMs);
    const earnings = blocked.get(day.dayNumber);
    return earnings === undefined ? null : { day: day.day, earningsDate: earnings };
  });
}

export function maxDailyHedgesGuard(maxDailyHedges: number): Guard {
  return guard("max_daily_hedges", (s) =>
    s.dailyHedgeCount < maxDailyHedges ? null : { dailyHedgeCount: s.dailyHedgeCount, maxDailyHedges },
  );
}

/** Denies an order that leaves |hedge + pending| above the limit, unless it shrinks the position. */
export function maxPositionGuard(maxPositionShares: number): Guard {
  return guard("max_position", (s) => {
    const before = s.hedgeShares + s.pendingShares;
    const after = before + s.orderShares;
    if (Math.abs(after) <= maxPositionShares || Math.abs(after) < Math.abs(before)) return null;
    return { hedgeShares: s.hedgeShares, pendingShares: s.pendingShares, orderShares: s.orderShares, afterShares: after, maxPositionShares };
  });
}

/** No two-sided quote counts as too wide: a market order without a quote has no price bound. */
export function spreadGuard(maxSpreadFraction: number): Guard {
  return guard("spread_too_wide", (s) => {
    const { bid, ask } = s;
    const spread = bid !== null && ask !== null && bid > 0 && ask >= bid ? (ask - bid) / ((ask + bid) / 2) : null;
    return spread !== null && spread <= maxSpreadFraction ? null : { bid, ask, spreadFraction: spread, maxSpreadFraction };
  });
}

export function cooldownGuard(cooldownMs: number): Guard {
  return guard("cooldown", (s) => {
    if (s.forced || s.lastHedgeTsMs === null) return null;
    const elapsedMs = s.nowMs - s.lastHedgeTsMs;
    return elapsedMs >= cooldownMs ? null : { elapsedMs, cooldownMs };
  });
}

export function minPriceMoveGuard(minPriceMoveFraction: number): Guard {
  return guard("min_price_move", (s) => {
    const last = s.lastHedgePrice;
    if (s.forced || last === null || !(last > 0)) return null;
    const move = Math.abs(s.spot - last) / last;
    return move >= minPriceMoveFraction ? null : { spot: s.spot, lastHedgePrice: last, moveFraction: move, minPriceMoveFraction };
  });
}

/** The chain in order: operator and connectivity first, then risk limits, then cost rules. */
export function buildGuardChain(params: GuardParams): Guard[] {
  const chain: Guard[] = [hardBlockGuard, pausedGuard, brokerConnectedGuard, staleDataGuard(params.staleDataMs)];
  if (!params.acceptDelayedData) chain.push(delayedDataGuard);
  if (params.maxDailyLossUsd !== null) chain.push(circuitBreakerGuard(params.maxDailyLossUsd));
  if (params.tradingHoursOnly) chain.push(tradingHoursGuard);
  if (params.earningsDates.length > 0) {
    chain.push(earningsBlackoutGuard(params.earningsDates, params.earningsBlackoutDaysBefore, params.earningsBlackoutDaysAfter));
  }
  chain.push(maxDailyHedgesGuard(params.maxDailyHedges), maxPositionGuard(params.maxPositionShares));
  if (params.maxSpreadFraction !== null) chain.push(spreadGuard(params.maxSpreadFraction));
  chain.push(cooldownGuard(params.cooldownMs));
  if (params.minPriceMoveFraction > 0) chain.push(minPriceMoveGuard(params.minPriceMoveFraction));
  return chain;
}
