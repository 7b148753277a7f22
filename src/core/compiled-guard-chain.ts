// The Hedger's guard chain as one function: every guard's predicate in chain order, inlined,
// and the context built only for the guard that denies. Same answer as firstDenial() over the
// list (a property test holds them together); calling each guard through the list was a
// full call per guard, most of a denial's cost in a backtest.
import type { Denial, GuardState } from "./guard-chain.ts";
import type { GuardCode } from "./hedge-decision.ts";
import {
  belowMinPriceMove,
  BROKER_CONNECTED,
  CIRCUIT_BREAKER,
  circuitBreaker,
  COOLDOWN,
  dailyHedgesReached,
  DELAYED_DATA,
  delayedData,
  deniedContext,
  EARNINGS_BLACKOUT,
  earningsBlackout,
  type Guard,
  GUARD_KINDS,
  HARD_BLOCK,
  inCooldown,
  MAX_DAILY_HEDGES,
  MAX_POSITION,
  maxPosition,
  MIN_PRICE_MOVE,
  outsideTradingHours,
  PAUSED,
  SPREAD,
  spreadTooWide,
  STALE_DATA,
  staleData,
  TRADING_HOURS,
} from "./guards.ts";

export class CompiledGuardChain {
  /** The chain's guard of each kind, null for kinds it leaves out. */
  private readonly byKind: (Guard | null)[] = new Array<Guard | null>(GUARD_KINDS).fill(null);
  /** Each kind's limit (0 when absent). */
  private readonly limit: Float64Array = new Float64Array(GUARD_KINDS);
  private readonly blockedDays: ReadonlyMap<number, string>;

  /** `chain` in chain order (kinds strictly increasing), as buildGuardChain makes it. */
  constructor(chain: readonly Guard[]) {
    let previous = -1;
    for (const guard of chain) {
      if (guard.kind <= previous) throw new Error(`guard ${guard.code} is out of chain order, expected the guards in buildGuardChain's order, each once`);
      previous = guard.kind;
      this.byKind[guard.kind] = guard;
      this.limit[guard.kind] = guard.limit;
    }
    this.blockedDays = this.byKind[EARNINGS_BLACKOUT]?.blockedDays ?? new Map();
  }

  firstDenial(s: GuardState): Denial | null {
    const kind = this.firstDenyingKind(s);
    if (kind < 0) return null;
    const guard = this.byKind[kind] as Guard;
    return { code: guard.code, context: deniedContext(guard, s) };
  }

  /** The code of the guard that denies, without its context (nothing allocated); null when all allow. */
  firstDenyingCode(s: GuardState): GuardCode | null {
    const kind = this.firstDenyingKind(s);
    return kind < 0 ? null : (this.byKind[kind] as Guard).code;
  }

  private firstDenyingKind(s: GuardState): number {
    const on = this.byKind;
    const limit = this.limit;
    if (on[HARD_BLOCK] !== null && s.hardBlock !== null) return HARD_BLOCK;
    if (on[PAUSED] !== null && s.paused) return PAUSED;
    if (on[BROKER_CONNECTED] !== null && !s.brokerConnected) return BROKER_CONNECTED;
    if (on[STALE_DATA] !== null && staleData(s, limit[STALE_DATA] as number)) return STALE_DATA;
    if (on[DELAYED_DATA] !== null && delayedData(s)) return DELAYED_DATA;
    if (on[CIRCUIT_BREAKER] !== null && circuitBreaker(s, limit[CIRCUIT_BREAKER] as number)) return CIRCUIT_BREAKER;
    if (on[TRADING_HOURS] !== null && outsideTradingHours(s)) return TRADING_HOURS;
    if (on[EARNINGS_BLACKOUT] !== null && earningsBlackout(s, this.blockedDays)) return EARNINGS_BLACKOUT;
    if (on[MAX_DAILY_HEDGES] !== null && dailyHedgesReached(s, limit[MAX_DAILY_HEDGES] as number)) return MAX_DAILY_HEDGES;
    if (on[MAX_POSITION] !== null && maxPosition(s, limit[MAX_POSITION] as number)) return MAX_POSITION;
    if (on[SPREAD] !== null && spreadTooWide(s, limit[SPREAD] as number)) return SPREAD;
    if (on[COOLDOWN] !== null && inCooldown(s, limit[COOLDOWN] as number)) return COOLDOWN;
    if (on[MIN_PRICE_MOVE] !== null && belowMinPriceMove(s, limit[MIN_PRICE_MOVE] as number)) return MIN_PRICE_MOVE;
    return -1;
  }
}
