// Guard verification: every limit re-checked as an invariant over the run, from the
// backtest's own books (not from the Hedger's word), plus how often each guard was the
// one that blocked a wanted hedge. Any violation means the guard chain let something
// through that it must not: the run reports it and the CLI exits non-zero.
import { parseDay } from "../core/civil-date.ts";
import { type GuardCode, type HedgeDecision, HOLD_REASONS, type HoldReason } from "../core/hedge-decision.ts";
import type { GuardParams, HedgeParams } from "../core/hedger-params.ts";
import { newYorkDayNumber } from "../core/new-york-time.ts";
import { isRegularSession, shiftTradingDays } from "../core/nyse-calendar.ts";

export type InvariantName =
  | "max_position"
  | "max_daily_hedges"
  | "trading_hours"
  | "earnings_blackout"
  | "circuit_breaker"
  | "cooldown"
  | "min_price_move"
  | "max_spread"
  | "max_shares_per_order"
  | "min_shares";

export const INVARIANTS: readonly InvariantName[] = [
  "max_position",
  "max_daily_hedges",
  "trading_hours",
  "earnings_blackout",
  "circuit_breaker",
  "cooldown",
  "min_price_move",
  "max_spread",
  "max_shares_per_order",
  "min_shares",
];

/**
 * Invariants the replay's inputs cannot break, with why: reported as such rather than as a
 * count of checks that could never fail. Still watched, as a tripwire should that change.
 */
export const HELD_BY_CONSTRUCTION = {
  trading_hours: "holds by construction: bars outside regular hours are dropped",
} as const satisfies Partial<Record<InvariantName, string>>;

export type CheckedInvariant = Exclude<InvariantName, keyof typeof HELD_BY_CONSTRUCTION>;

export interface Violation {
  readonly invariant: InvariantName;
  readonly tsMs: number;
  /** "was X, limit Y". */
  readonly message: string;
}

export interface GuardBinding {
  readonly code: GuardCode;
  /** Evaluations this guard denied. */
  readonly deniedEvaluations: number;
  /** Runs of consecutive denials by this guard (one blocked episode each). */
  readonly episodes: number;
  /** Trading days on which it denied at least once. */
  readonly days: number;
}

export interface GuardReport {
  readonly checkedOrders: number;
  /** Every violation found (the listing below keeps the first MAX_LISTED_VIOLATIONS). */
  readonly violationCount: number;
  readonly violationsByInvariant: Readonly<Record<InvariantName, number>>;
  readonly violations: readonly Violation[];
  /** Orders each invariant was checked on (0 = the guard is off or never had a case). */
  readonly checks: Readonly<Record<CheckedInvariant, number>>;
  readonly heldByConstruction: typeof HELD_BY_CONSTRUCTION;
  readonly binding: readonly GuardBinding[];
  /** Hold reasons and how many evaluations ended in each. */
  readonly holds: Readonly<Record<string, number>>;
  readonly forcedHedges: number;
}

export interface OrderContext {
  readonly nowMs: number;
  readonly dayNumber: number;
  readonly side: "BUY" | "SELL";
  readonly quantityShares: number;
  readonly forced: boolean;
  readonly spot: number;
  readonly bid: number;
  readonly ask: number;
}

interface DenialCount {
  evaluations: number;
  episodes: number;
  days: number;
  /** The last day counted in `days` (days arrive in order). */
  lastDay: number;
}

export const MAX_LISTED_VIOLATIONS = 1000;
const PNL_TOLERANCE_USD = 0.01;

export class GuardAudit {
  private readonly violations: Violation[] = [];
  /** Orders each invariant was checked on: one property each, bumped by name (a fixed shape, no lookup by key). */
  private readonly checks: Record<CheckedInvariant, number> = {
    max_position: 0,
    max_daily_hedges: 0,
    earnings_blackout: 0,
    circuit_breaker: 0,
    cooldown: 0,
    min_price_move: 0,
    max_spread: 0,
    max_shares_per_order: 0,
    min_shares: 0,
  };
  private readonly denied = new Map<GuardCode, DenialCount>();
  /** Holds by reason: a counter per reason, bumped in place (no map work per bar). */
  private readonly holds = Object.fromEntries(HOLD_REASONS.map((reason) => [reason, 0])) as Record<HoldReason, number>;
  /** The entry of previousDenyCode (consecutive denials by one guard are the common case). */
  private previousDenyEntry: DenialCount | null = null;
  private readonly blackoutDays = new Set<number>();
  private previousDenyCode: GuardCode | null = null;
  private ordersToday = 0;
  private orderDay = -1;
  private lastOrderMs: number | null = null;
  private lastOrderPrice: number | null = null;
  private breakerDay = -1;
  private orders = 0;
  private forced = 0;
  private readonly violationsByInvariant = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as Record<InvariantName, number>;

  constructor(
    private readonly guards: GuardParams,
    private readonly hedge: HedgeParams,
  ) {
    for (const text of guards.earningsDates) {
      const day = parseDay(text);
      if (day === null) continue;
      this.blackoutDays.add(day);
      for (let k = 1; k <= guards.earningsBlackoutDaysBefore; k++) this.blackoutDays.add(shiftTradingDays(day, -k));
      for (let k = 1; k <= guards.earningsBlackoutDaysAfter; k++) this.blackoutDays.add(shiftTradingDays(day, k));
    }
  }

  /** Called once per bar, with day numbers that never decrease. */
  onDecision(decision: HedgeDecision, dayNumber: number): void {
    if (decision.type === "hold") this.onHold(decision.reason);
    else if (decision.type === "deny") this.onDenial(decision.code, dayNumber);
    else this.previousDenyCode = null;
  }

  /** A denial (of a bar the replay did not need the Hedger's calls for, or of one it did). */
  onDenial(code: GuardCode, dayNumber: number): void {
    let entry = this.previousDenyCode === code ? this.previousDenyEntry : null;
    if (entry === null) {
      entry = this.denied.get(code) ?? null;
      if (entry === null) {
        entry = { evaluations: 0, episodes: 0, days: 0, lastDay: Number.NaN };
        this.denied.set(code, entry);
      }
      entry.episodes++;
    }
    entry.evaluations++;
    if (entry.lastDay !== dayNumber) {
      entry.days++;
      entry.lastDay = dayNumber;
    }
    this.previousDenyCode = code;
    this.previousDenyEntry = entry;
  }

  /** A hold (the decision of a bar the replay did not need the Hedger's calls for, or of one it did). */
  onHold(reason: HoldReason): void {
    this.previousDenyCode = null;
    this.holds[reason]++;
  }

  /** Marks the day's circuit breaker as due when the day's PnL is at or past the limit. */
  onDailyPnl(dayNumber: number, dailyPnlUsd: number): void {
    const limit = this.guards.maxDailyLossUsd;
    if (limit !== null && dailyPnlUsd <= -limit - PNL_TOLERANCE_USD) this.breakerDay = dayNumber;
  }

  onOrder(order: OrderContext): void {
    const { guards, hedge } = this;
    const ts = order.nowMs;
    this.orders++;
    if (order.forced) this.forced++;
    if (order.dayNumber !== this.orderDay) {
      this.orderDay = order.dayNumber;
      this.ordersToday = 0;
    }
    this.ordersToday++;
    this.checks.max_daily_hedges++;
    if (this.ordersToday > guards.maxDailyHedges) this.violate("max_daily_hedges", ts, `order ${this.ordersToday} of the day, limit ${guards.maxDailyHedges}`);
    if (guards.tradingHoursOnly) {
      if (!isRegularSession(ts)) this.violate("trading_hours", ts, `order at ${new Date(ts).toISOString()} outside the regular session`);
    }
    if (this.blackoutDays.size > 0) {
      this.checks.earnings_blackout++;
      if (this.blackoutDays.has(newYorkDayNumber(ts))) this.violate("earnings_blackout", ts, "order inside an earnings blackout");
    }
    if (guards.maxDailyLossUsd !== null) {
      this.checks.circuit_breaker++;
      if (this.breakerDay === order.dayNumber) this.violate("circuit_breaker", ts, `order after the day's loss reached ${-guards.maxDailyLossUsd} USD`);
    }
    // Forced hedges skip the "trade less often" guards (cooldown, min price move) by design.
    if (!order.forced && this.lastOrderMs !== null && guards.cooldownMs > 0) {
      const sinceMs = ts - this.lastOrderMs;
      this.checks.cooldown++;
      if (sinceMs < guards.cooldownMs) this.violate("cooldown", ts, `ordinary hedge ${sinceMs / 1000}s after the last, cooldown ${guards.cooldownMs / 1000}s`);
    }
    if (!order.forced && this.lastOrderPrice !== null && guards.minPriceMoveFraction > 0) {
      const move = Math.abs(order.spot - this.lastOrderPrice) / this.lastOrderPrice;
      this.checks.min_price_move++;
      if (move < guards.minPriceMoveFraction * (1 - 1e-9)) this.violate("min_price_move", ts, `moved ${(move * 100).toFixed(4)}% since the last hedge, minimum ${guards.minPriceMoveFraction * 100}%`);
    }
    if (guards.maxSpreadFraction !== null) {
      const spread = (order.ask - order.bid) / ((order.ask + order.bid) / 2);
      this.checks.max_spread++;
      if (spread > guards.maxSpreadFraction * (1 + 1e-9)) this.violate("max_spread", ts, `spread ${(spread * 100).toFixed(4)}% of mid, limit ${guards.maxSpreadFraction * 100}%`);
    }
    this.checks.max_shares_per_order++;
    if (order.quantityShares > hedge.maxSharesPerOrder) this.violate("max_shares_per_order", ts, `order of ${order.quantityShares} shares, cap ${hedge.maxSharesPerOrder}`);
    this.checks.min_shares++;
    if (order.quantityShares < hedge.minShares) this.violate("min_shares", ts, `order of ${order.quantityShares} shares, minimum ${hedge.minShares}`);
    this.lastOrderMs = ts;
    this.lastOrderPrice = order.spot;
  }

  /** After every fill: the hedge position must stay inside the limit. */
  onPosition(nowMs: number, hedgeShares: number): void {
    this.checks.max_position++;
    if (Math.abs(hedgeShares) > this.guards.maxPositionShares) this.violate("max_position", nowMs, `hedge position ${hedgeShares} shares, limit ${this.guards.maxPositionShares}`);
  }

  report(): GuardReport {
    const binding: GuardBinding[] = [...this.denied.entries()]
      .map(([code, entry]) => ({ code, deniedEvaluations: entry.evaluations, episodes: entry.episodes, days: entry.days }))
      .sort((a, b) => b.deniedEvaluations - a.deniedEvaluations);
    const violationCount = INVARIANTS.reduce((sum, name) => sum + this.violationsByInvariant[name], 0);
    return {
      checkedOrders: this.orders,
      violationCount,
      violationsByInvariant: { ...this.violationsByInvariant },
      violations: [...this.violations],
      checks: { ...this.checks },
      heldByConstruction: HELD_BY_CONSTRUCTION,
      binding,
      holds: Object.fromEntries(HOLD_REASONS.filter((reason) => this.holds[reason] > 0).map((reason) => [reason, this.holds[reason]])),
      forcedHedges: this.forced,
    };
  }

  /** Messages are built only for a violation: the check itself allocates nothing. */
  private violate(name: InvariantName, tsMs: number, message: string): void {
    this.violationsByInvariant[name]++;
    if (this.violations.length < MAX_LISTED_VIOLATIONS) this.violations.push({ invariant: name, tsMs, message });
  }
}
