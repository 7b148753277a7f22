// The guards, in chain order. Boundaries: a limit is the last allowed value (">" denies),
// except counters and clocks, where reaching the limit denies (count >= max, elapsed < cooldown).
import { parseDay } from "./civil-date.ts";
import type { GuardState } from "./guard-chain.ts";
import type { DecisionContext, GuardCode } from "./hedge-decision.ts";
import type { GuardParams } from "./hedger-params.ts";
import { exchangeDayAt, isRegularSession, shiftTradingDays } from "./nyse-calendar.ts";

// Every guard is one class, its kind a number (chain order). The predicates are small
// functions of the state and the limit, shared by guardDenies() (one guard, any list) and the
// Hedger's CompiledGuardChain (all of them in one function); the context is built only for
// the guard that denies.
export const HARD_BLOCK = 0;
export const PAUSED = 1;
export const BROKER_CONNECTED = 2;
export const STALE_DATA = 3;
export const DELAYED_DATA = 4;
export const CIRCUIT_BREAKER = 5;
export const TRADING_HOURS = 6;
export const EARNINGS_BLACKOUT = 7;
export const MAX_DAILY_HEDGES = 8;
export const MAX_POSITION = 9;
export const SPREAD = 10;
export const COOLDOWN = 11;
export const MIN_PRICE_MOVE = 12;
export const GUARD_KINDS = 13;

export class Guard {
  constructor(
    readonly code: GuardCode,
    readonly kind: number,
    /** The guard's limit in its own unit (ms, USD, count, shares, fraction); 0 when it has none. */
    readonly limit = 0,
    /** Earnings blackout: blocked day numbers -> the earnings date. */
    readonly blockedDays: ReadonlyMap<number, string> | null = null,
  ) {}

  /** null: allow; otherwise the judged values and the limit, for audit. */
  check(state: GuardState): DecisionContext | null {
    return guardDenies(this, state) ? deniedContext(this, state) : null;
  }
}

export const staleData = (s: GuardState, staleDataMs: number): boolean => s.quoteTsMs === null || !(s.nowMs - s.quoteTsMs <= staleDataMs);
/** Delayed or frozen quotes are not hedged on unless the operator accepted them (never for real money). */
export const delayedData = (s: GuardState): boolean => s.quoteKind !== "live";
/** Trips when today's PnL <= -limit; the Hedger latches the trip for the rest of the day. */
export const circuitBreaker = (s: GuardState, maxDailyLossUsd: number): boolean => s.circuitBreakerTripped || (s.dailyPnlUsd !== null && !(s.dailyPnlUsd > -maxDailyLossUsd));
export const outsideTradingHours = (s: GuardState): boolean => !isRegularSession(s.nowMs);
export const earningsBlackout = (s: GuardState, blockedDays: ReadonlyMap<number, string>): boolean => blockedDays.has(exchangeDayAt(s.nowMs).dayNumber);

/** Denies an order that leaves |hedge + pending| above the limit, unless it shrinks the position. */
export function maxPosition(s: GuardState, maxPositionShares: number): boolean {
  const before = s.hedgeShares + s.pendingShares;
  const after = Math.abs(before + s.orderShares);
  return !(after <= maxPositionShares) && !(after < Math.abs(before));
}

/** No two-sided quote counts as too wide: a market order without a quote has no price bound. */
export function spreadTooWide(s: GuardState, maxSpreadFraction: number): boolean {
  const fraction = spreadFraction(s.bid, s.ask);
  return !(fraction !== null && fraction <= maxSpreadFraction);
}

export const dailyHedgesReached = (s: GuardState, maxDailyHedges: number): boolean => !(s.dailyHedgeCount < maxDailyHedges);
export const inCooldown = (s: GuardState, cooldownMs: number): boolean => !s.forced && s.lastHedgeTsMs !== null && !(s.nowMs - s.lastHedgeTsMs >= cooldownMs);

export function belowMinPriceMove(s: GuardState, minPriceMoveFraction: number): boolean {
  const last = s.lastHedgePrice;
  return !s.forced && last !== null && last > 0 && !(Math.abs(s.spot - last) / last >= minPriceMoveFraction);
}

/** Whether the guard denies in this state. */
export function guardDenies(g: Guard, s: GuardState): boolean {
  switch (g.kind) {
    case HARD_BLOCK:
      return s.hardBlock !== null;
    case PAUSED:
      return s.paused;
    case BROKER_CONNECTED:
      return !s.brokerConnected;
    case STALE_DATA:
      return staleData(s, g.limit);
    case DELAYED_DATA:
      return delayedData(s);
    case CIRCUIT_BREAKER:
      return circuitBreaker(s, g.limit);
    case TRADING_HOURS:
      return outsideTradingHours(s);
    case EARNINGS_BLACKOUT:
      return earningsBlackout(s, g.blockedDays as ReadonlyMap<number, string>);
    case MAX_DAILY_HEDGES:
      return dailyHedgesReached(s, g.limit);
    case MAX_POSITION:
      return maxPosition(s, g.limit);
    case SPREAD:
      return spreadTooWide(s, g.limit);
    case COOLDOWN:
      return inCooldown(s, g.limit);
    default:
      return belowMinPriceMove(s, g.limit);
  }
}

function spreadFraction(bid: number | null, ask: number | null): number | null {
  return bid !== null && ask !== null && bid > 0 && ask >= bid ? (ask - bid) / ((ask + bid) / 2) : null;
}

/** The numbers a denying guard judged and its limit, for audit (allocates: denials only). */
export function deniedContext(g: Guard, s: GuardState): DecisionContext {
  const limit = g.limit;
  switch (g.kind) {
    case HARD_BLOCK: {
      const block = s.hardBlock as NonNullable<GuardState["hardBlock"]>;
      return { blockCode: block.code, blockMessage: block.message };
    }
    case PAUSED:
      return { paused: true };
    case BROKER_CONNECTED:
      return { brokerConnected: false };
    case STALE_DATA:
      return { ageMs: s.quoteTsMs === null ? null : s.nowMs - s.quoteTsMs, limitMs: limit };
    case DELAYED_DATA:
      return { quoteKind: s.quoteKind };
    case CIRCUIT_BREAKER:
      return { dailyPnlUsd: s.dailyPnlUsd, maxDailyLossUsd: limit, tripped: true };
    case TRADING_HOURS: {
      const day = exchangeDayAt(s.nowMs);
      return { day: day.day, session: day.kind, sessionName: day.name, openMs: day.openMs, closeMs: day.closeMs };
    }
    case EARNINGS_BLACKOUT: {
      const day = exchangeDayAt(s.nowMs);
      return { day: day.day, earningsDate: (g.blockedDays as ReadonlyMap<number, string>).get(day.dayNumber) ?? null };
    }
    case MAX_DAILY_HEDGES:
      return { dailyHedgeCount: s.dailyHedgeCount, maxDailyHedges: limit };
    case MAX_POSITION:
      return { hedgeShares: s.hedgeShares, pendingShares: s.pendingShares, orderShares: s.orderShares, afterShares: s.hedgeShares + s.pendingShares + s.orderShares, maxPositionShares: limit };
    case SPREAD:
      return { bid: s.bid, ask: s.ask, spreadFraction: spreadFraction(s.bid, s.ask), maxSpreadFraction: limit };
    case COOLDOWN:
      return { elapsedMs: s.nowMs - (s.lastHedgeTsMs as number), cooldownMs: limit };
    default: {
      const last = s.lastHedgePrice as number;
      return { spot: s.spot, lastHedgePrice: last, moveFraction: Math.abs(s.spot - last) / last, minPriceMoveFraction: limit };
    }
  }
}

export const hardBlockGuard: Guard = new Guard("hard_block", HARD_BLOCK);
export const pausedGuard: Guard = new Guard("paused", PAUSED);
export const brokerConnectedGuard: Guard = new Guard("broker_not_connected", BROKER_CONNECTED);
export const delayedDataGuard: Guard = new Guard("delayed_data", DELAYED_DATA);
export const tradingHoursGuard: Guard = new Guard("outside_trading_hours", TRADING_HOURS);

export function staleDataGuard(staleDataMs: number): Guard {
  return new Guard("stale_data", STALE_DATA, staleDataMs);
}

export function circuitBreakerGuard(maxDailyLossUsd: number): Guard {
  return new Guard("circuit_breaker", CIRCUIT_BREAKER, maxDailyLossUsd);
}

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
  return new Guard("earnings_blackout", EARNINGS_BLACKOUT, 0, earningsBlackoutDays(dates, before, after));
}

export function maxDailyHedgesGuard(maxDailyHedges: number): Guard {
  return new Guard("max_daily_hedges", MAX_DAILY_HEDGES, maxDailyHedges);
}

export function maxPositionGuard(maxPositionShares: number): Guard {
  return new Guard("max_position", MAX_POSITION, maxPositionShares);
}

export function spreadGuard(maxSpreadFraction: number): Guard {
  return new Guard("spread_too_wide", SPREAD, maxSpreadFraction);
}

export function cooldownGuard(cooldownMs: number): Guard {
  return new Guard("cooldown", COOLDOWN, cooldownMs);
}

export function minPriceMoveGuard(minPriceMoveFraction: number): Guard {
  return new Guard("min_price_move", MIN_PRICE_MOVE, minPriceMoveFraction);
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
