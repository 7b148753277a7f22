// Pure pricing of simulated executions: which price a marketable order gets and what
// it costs. Kept apart from the broker so the numbers can be tested on their own.
import type { OrderSide } from "../../core/order.ts";
import { roundHalfUp } from "../../core/round-half-up.ts";

export interface SimExecutionCosts {
  /** Extra adverse price move beyond the touch, in basis points of the price. */
  readonly slippageBps: number;
  /** Commission per share in USD (IB tiered-like). */
  readonly commissionPerShareUsd: number;
  /** Minimum commission per execution in USD. */
  readonly minCommissionUsd: number;
}

export interface SimTouch {
  readonly bid: number;
  readonly ask: number;
}

/** Marketable orders cross the spread: buys lift the ask, sells hit the bid, then slip. */
export function marketableFillPrice(side: OrderSide, touch: SimTouch, costs: SimExecutionCosts): number {
  const base = side === "BUY" ? touch.ask : touch.bid;
  const slip = (base * costs.slippageBps) / 10_000;
  const price = side === "BUY" ? base + slip : base - slip;
  return roundHalfUp(price * 10_000) / 10_000;
}

/** Limit orders fill only when marketable; returns null when the limit is not reached. */
export function limitFillPrice(
  side: OrderSide,
  limitPrice: number,
  touch: SimTouch,
  costs: SimExecutionCosts,
): number | null {
  const market = marketableFillPrice(side, touch, costs);
  if (side === "BUY") return market <= limitPrice ? market : touch.ask <= limitPrice ? limitPrice : null;
  return market >= limitPrice ? market : touch.bid >= limitPrice ? limitPrice : null;
}

export function commissionUsd(shares: number, costs: SimExecutionCosts): number {
  const raw = Math.max(costs.minCommissionUsd, Math.abs(shares) * costs.commissionPerShareUsd);
  return roundHalfUp(raw * 100) / 100;
}

/** Symmetric quote around a mid price; the half spread is at least one cent. */
export function quoteAround(mid: number, halfSpreadBps: number): SimTouch {
  const half = Math.max(0.01, roundHalfUp(((mid * halfSpreadBps) / 10_000) * 100) / 100);
  const bid = roundHalfUp((mid - half) * 100) / 100;
  return { bid, ask: roundHalfUp((bid + 2 * half) * 100) / 100 };
}
