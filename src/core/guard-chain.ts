// Pre-trade checks in a fixed order (NautilusTrader risk-engine style): each guard allows, or
// denies with the numbers it judged; the code is the guard's. Guards never throw
// and never act; they run only when the policy already wants a hedge. Human text is made
// from the code and context on demand (guard-explain.ts), never on the hot path.
import type { DecisionContext, GuardCode } from "./hedge-decision.ts";
import { deniedContext, type Guard, guardDenies } from "./guards.ts";

export type { Guard };

/** What the guards look at, filled in by the Hedger just before the chain runs. */
export interface GuardState {
  readonly nowMs: number;
  readonly hardBlock: { readonly code: string; readonly message: string } | null;
  readonly paused: boolean;
  readonly brokerConnected: boolean;
  readonly quoteTsMs: number | null;
  /** Quality of the last quote; only live is hedged on unless delayed data is accepted. */
  readonly quoteKind: "live" | "delayed" | "frozen";
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
  readonly context: DecisionContext;
}

export function firstDenial(chain: readonly Guard[], state: GuardState): Denial | null {
  for (const guard of chain) if (guardDenies(guard, state)) return { code: guard.code, context: deniedContext(guard, state) };
  return null;
}

/** Every guard that would deny now, in chain order (status block reasons). */
export function allDenials(chain: readonly Guard[], state: GuardState): Denial[] {
  const out: Denial[] = [];
  for (const guard of chain) {
    const context = guard.check(state);
    if (context !== null) out.push({ code: guard.code, context });
  }
  return out;
}
