// Inputs the Hedger accepts besides positions and execution reports.
import type { BrokerOrderStatus } from "./order.ts";

/** Quality of a quote: live, delayed (e.g. 15 min, no subscription) or frozen (last of the session). */
export type QuoteKind = "live" | "delayed" | "frozen";

export interface QuoteInput {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly last: number | null;
  /** Absent: live (replayed history is what happened, at its time). */
  readonly kind?: QuoteKind;
  readonly tsEventMs: number;
}

/** Broker-computed greeks of one option, per share of the option; any field the broker did not compute is null. */
export interface OptionGreeksInput {
  readonly impliedVol: number | null;
  readonly delta: number | null;
  readonly gamma: number | null;
  /** USD per vol point (0.01), as IB reports it. */
  readonly vega: number | null;
  /** USD per calendar day, as IB reports it. */
  readonly theta: number | null;
  readonly optionPrice: number | null;
  /** Underlying price the broker computed them at: delta is moved by gamma x (spot - this). */
  readonly underlyingPrice?: number | null;
  readonly tsEventMs: number;
}

export interface OrderStatusInput {
  readonly orderRef: string;
  readonly status: BrokerOrderStatus;
  /** Cumulative filled shares as the broker reports them. */
  readonly filledShares: number;
  readonly tsEventMs: number;
}

/** A block set from outside the core, e.g. `reconcile_mismatch` after a failed reconciliation. */
export interface HardBlock {
  readonly code: string;
  readonly message: string;
}
