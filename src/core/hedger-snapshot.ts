// Everything the status row needs from the Hedger, as one immutable value. Mirrors the
// fields of the sink's StatusRow/StatusDetails without importing them (core stays pure).
import type { GuardCode, HedgeDecisionType, HoldReason } from "./hedge-decision.ts";
import type { HedgeExecState } from "./hedge-exec-fsm.ts";

export type GreeksSource = "broker" | "model";

/** One selected leg, greeks per contract (sign and quantity not applied). */
export interface LegSnapshot {
  readonly contractKey: string;
  readonly right: "C" | "P";
  readonly strike: number;
  readonly expiryYmd: string;
  readonly quantity: number;
  readonly multiplier: number;
  readonly impliedVol: number | null;
  readonly delta: number | null;
  readonly gamma: number | null;
  /** USD per calendar day per contract unit (per share of the option). */
  readonly theta: number | null;
  /** USD per vol point (0.01) change in implied vol, per share of the option. */
  readonly vega: number | null;
  readonly price: number | null;
  readonly greeksSource: GreeksSource;
  /** The leg drifted out of the ATM band or DTE window since it was selected (still hedged; roll due). */
  readonly outsideSelection: boolean;
}

/** Why a hedge would be refused right now; code is a GuardCode or a core warning code. */
export interface CoreBlockReason {
  readonly code: GuardCode | "leg_outside_selection" | "position_mismatch" | "model_greeks_fallback";
  readonly message: string;
}

export interface HedgerSnapshot {
  readonly tsMs: number;
  readonly tradingDay: string;
  readonly symbol: string;
  readonly spot: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly last: number | null;
  /** nowMs - tsEventMs of the last quote. */
  readonly dataAgeMs: number | null;
  readonly legs: readonly LegSnapshot[];
  readonly optionDeltaShares: number | null;
  readonly portfolioDeltaShares: number | null;
  /** Shares of delta change per $1 move of the underlying. */
  readonly gammaShares: number | null;
  readonly thetaUsdPerDay: number | null;
  /** USD per 1 vol point (0.01). */
  readonly vegaUsd: number | null;
  /** Hedge stock in the book (broker baseline + own fills since). */
  readonly hedgeShares: number;
  /** Signed shares of in-flight hedge orders not yet filled. */
  readonly pendingShares: number;
  /** Last broker-reported stock position less external shares, and its disagreement with the book (0 = agree). */
  readonly brokerHedgeShares: number | null;
  readonly positionMismatchShares: number;
  /** Shares of the symbol held outside the strategy (params.externalShares): in the account, not in the hedge. */
  readonly externalShares: number;
  readonly hedgeState: HedgeExecState;
  readonly dailyHedgeCount: number;
  readonly dailyHedgeLimit: number;
  readonly dailyRealizedPnlUsd: number;
  readonly dailyCommissionsUsd: number;
  /** Hedge stock: shares x (spot - average cost). */
  readonly unrealizedPnlUsd: number | null;
  /** Today's hedge PnL (realised + change in unrealised since the day's first mark), before commissions. */
  readonly scalpingPnlUsd: number | null;
  /** Today's option mark-to-market vs the day's first marks. */
  readonly optionMtmPnlUsd: number | null;
  /** scalping + option MTM - commissions: what the circuit breaker compares with the daily loss limit. */
  readonly dailyPnlUsd: number | null;
  /** The circuit breaker's daily loss limit in USD (null: none). */
  readonly dailyLossLimitUsd: number | null;
  readonly realizedVolToday: number | null;
  readonly impliedVol: number | null;
  readonly breakevenMoveUsd: number | null;
  readonly breakevenMovePct: number | null;
  readonly lastHedgeTsMs: number | null;
  readonly lastHedgePrice: number | null;
  readonly brokerConnected: boolean;
  readonly paused: boolean;
  readonly hardBlock: boolean;
  readonly circuitBreakerTripped: boolean;
  readonly blockReasons: readonly CoreBlockReason[];
  readonly lastDecision: {
    readonly type: HedgeDecisionType;
    readonly code: GuardCode | HoldReason | null;
    readonly tsMs: number;
  } | null;
}
