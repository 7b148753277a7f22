// Hedge sizing policies behind one interface. A policy only answers "how many shares would
// I trade now?"; whether that trade may happen is the guard chain's job.
import type { HoldReason } from "./hedge-decision.ts";
import type { HedgeParams } from "./hedger-params.ts";

export type SizingHold = Extract<HoldReason, "in_band" | "below_threshold" | "below_min_shares">;

export interface HedgePolicy {
  readonly name: "threshold" | "band";
  /**
   * Signed whole shares to trade (BUY > 0, always opposite to delta and never more than
   * |delta|), or why not. Returns a string or a number so the hold path allocates nothing.
   */
  wantedShares(deltaShares: number, gammaShares: number, spot: number): number | SizingHold;
  /** Half-width of the no-trade zone at these inputs, shares (for status and tests). */
  noTradeHalfWidthShares(gammaShares: number, spot: number): number;
}

/** Rounds, skips below min_shares and caps at max_shares_per_order; signs opposite to delta. */
function finishSize(deltaShares: number, targetShares: number, params: HedgeParams): number | SizingHold {
  // Trade toward target: |trade| = |delta| - target, rounded to whole shares.
  let quantity = Math.round(Math.abs(deltaShares) - targetShares);
  if (quantity > params.maxSharesPerOrder) quantity = params.maxSharesPerOrder;
  if (quantity < params.minShares || quantity <= 0) return "below_min_shares";
  return deltaShares > 0 ? -quantity : quantity;
}

// The policies are classes, not object literals of closures: a replay asks its policy on
// nearly every bar, and the JIT inlines a method call of this size where it would call a
// closure (its inlining limit for closure calls is lower).

/** Hedge back to zero once |delta| >= threshold; never trade inside the epsilon band. */
class ThresholdPolicy implements HedgePolicy {
  readonly name = "threshold";

  constructor(private readonly params: HedgeParams) {}

  wantedShares(deltaShares: number): number | SizingHold {
    const abs = Math.abs(deltaShares);
    if (abs <= this.params.epsilonBandShares) return "in_band";
    if (abs < this.params.thresholdShares) return "below_threshold";
    return finishSize(deltaShares, 0, this.params);
  }

  noTradeHalfWidthShares(): number {
    return Math.max(this.params.epsilonBandShares, this.params.thresholdShares);
  }
}

export function thresholdPolicy(params: HedgeParams): HedgePolicy {
  return new ThresholdPolicy(params);
}

/**
 * Whalley–Wilmott asymptotic band (Whalley & Wilmott 1997): for proportional cost k and
 * exponential-utility risk aversion λ, the optimal no-trade half-width in shares is
 * (3 k S Γ² / (2 λ))^(1/3), Γ the position's gamma in shares per $1. Outside the band the
 * hedge moves delta back to the band edge, not to zero (that is what saves the costs).
 */
class BandPolicy implements HedgePolicy {
  readonly name = "band";

  constructor(
    private readonly params: HedgeParams,
    private readonly costFraction: number,
    private readonly riskAversion: number,
  ) {}

  wantedShares(deltaShares: number, gammaShares: number, spot: number): number | SizingHold {
    const abs = Math.abs(deltaShares);
    if (abs <= this.params.epsilonBandShares) return "in_band";
    const width = this.noTradeHalfWidthShares(gammaShares, spot);
    if (abs <= width) return "below_threshold";
    return finishSize(deltaShares, width, this.params);
  }

  noTradeHalfWidthShares(gammaShares: number, spot: number): number {
    const ww = Math.cbrt((1.5 * this.costFraction * spot * gammaShares * gammaShares) / this.riskAversion);
    return ww > this.params.epsilonBandShares ? ww : this.params.epsilonBandShares;
  }
}

export function bandPolicy(params: HedgeParams, costFraction: number, riskAversion: number): HedgePolicy {
  return new BandPolicy(params, costFraction, riskAversion);
}

export function createHedgePolicy(params: HedgeParams): HedgePolicy {
  const policy = params.policy;
  switch (policy.type) {
    case "threshold":
      return thresholdPolicy(params);
    case "band":
      return bandPolicy(params, policy.costFraction, policy.riskAversion);
    default: {
      const unreachable: never = policy;
      throw new Error(`hedge policy was ${JSON.stringify(unreachable)}, expected threshold or band`);
    }
  }
}
