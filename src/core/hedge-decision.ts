// What the Hedger decides on each evaluation: a value, never an action. The daemon turns a
// hedge into an order, the backtest logs it, the sink records it.
import type { OrderSide } from "./order.ts";

/** Why no hedge is wanted right now (nothing is wrong; the position is fine or cannot be judged). */
export type HoldReason =
  /** No usable price for the underlying yet. */
  | "no_spot"
  /** No option legs selected: nothing to hedge. */
  | "no_legs"
  /** A selected leg has reached its expiry time; its delta is no longer meaningful. */
  | "leg_expired"
  /** A hedge order is still in flight; one order at a time. */
  | "order_in_flight"
  /**
   * greeks_source = broker and a leg has no fresh broker greeks yet (after subscribing, the
   * underlying's quote comes first): wait up to the grace period, then use the model.
   */
  | "awaiting_broker_greeks"
  /** |delta| <= epsilon band. */
  | "in_band"
  /** epsilon band < |delta| < threshold (or inside the band policy's width). */
  | "below_threshold"
  /** The size that would bring delta back is below min_shares. */
  | "below_min_shares";

export const HOLD_REASONS: readonly HoldReason[] = [
  "no_spot",
  "no_legs",
  "leg_expired",
  "order_in_flight",
  "awaiting_broker_greeks",
  "in_band",
  "below_threshold",
  "below_min_shares",
];

/** Stable, closed set of guard codes, in chain order. Never rename: they are stored and shown. */
export type GuardCode =
  | "hard_block"
  | "paused"
  | "broker_not_connected"
  | "stale_data"
  | "delayed_data"
  | "circuit_breaker"
  | "outside_trading_hours"
  | "earnings_blackout"
  | "max_daily_hedges"
  | "max_position"
  | "spread_too_wide"
  | "cooldown"
  | "min_price_move";

export type DecisionContext = Readonly<Record<string, number | string | boolean | null>>;

export type HedgeDecision =
  | {
      readonly type: "hedge";
      readonly side: OrderSide;
      readonly quantityShares: number;
      /** |delta| >= forced_delta: cooldown and min price move were skipped. */
      readonly forced: boolean;
      /** Portfolio delta (options + hedge + in flight) the decision was made on. */
      readonly deltaShares: number;
      readonly spot: number;
    }
  | {
      readonly type: "hold";
      readonly reason: HoldReason;
      /** null when delta cannot be computed (no spot / no legs). */
      readonly deltaShares: number | null;
    }
  | {
      readonly type: "deny";
      readonly code: GuardCode;
      /** The guard's inputs and limit, for audit; explainDenial(code, context) gives the text. */
      readonly context: DecisionContext;
      readonly deltaShares: number;
      /** Signed shares the policy wanted to trade (BUY > 0). */
      readonly wantedShares: number;
      readonly forced: boolean;
    };

export type HedgeDecisionType = HedgeDecision["type"];
