// Pre-trade checks in a fixed order (NautilusTrader risk-engine style): each guard returns
// null (allow) or a Denial with a stable code and the numbers it judged. Guards never throw
// and never act; they run only when the policy already wants a hedge.
import type { DecisionContext, GuardCode } from "./hedge-decision.ts";

/** What the guards look at, filled in by the Hedger just before the chain runs. */
export interface GuardState {
  readonly nowMs: number;
  readonly hardBlock: { readonly code: string; readonly message: string } | null;
  readonly paused: boolean;
  readonly brokerConnected: boolean;
  readonly quoteTsMs: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly spot: number;
  readonly circuitBreakerTripped: boolean;
  /** Today's strategy PnL as the circuit breaker sees it, null when unknown. */
  readonly dailyPnlUsd: number | null;
  readonly dailyHedgeCount: number;
  readonly lastHedgeTsMs: number | null;
  readonly lastHedgePrice: number | null;
  readonly hedgeShares: number;
  readonly pendingShares: number;
  /** Signed shares of the order being considered (BUY > 0). */
  readonly orderShares: number;
  /** |delta| >= forced_delta: skips the "trade less often" guards (cooldown, min price move). */
  readonly forced: boolean;
}

export interface Denial {
  readonly code: GuardCode;
  readonly message: string;
  readonly context: DecisionContext;
}

export interface Guard {
  readonly code: GuardCode;
  check(state: GuardState): Denial | null;
}

export function firstDenial(chain: readonly Guard[], state: GuardState): Denial | null {
  for (let i = 0; i < chain.length; i++) {
    const denial = chain[i]!.check(state);
    if (denial !== null) return denial;
  }
  return null;
}

/** Every guard that would deny now, in chain order (status block reasons). */
export function allDenials(chain: readonly Guard[], state: GuardState): Denial[] {
  const out: Denial[] = [];
  for (const guard of chain) {
    const denial = guard.check(state);
    if (denial !== null) out.push(denial);
  }
  return out;
}
