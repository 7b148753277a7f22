// Orders and execution reports at the core boundary. Fills only ever come from
// execution reports (real price, real commission), never from "order sent".

export type OrderSide = "BUY" | "SELL";
export type OrderType = "market" | "limit";

/** A hedge order as core asks for it. `orderRef` is unique per order (an OrderRefSequence's; the daemon's are `gs:<daemonId>:<symbol>:<run>.<seq>`). */
export interface HedgeOrder {
  readonly orderRef: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantityShares: number;
  readonly orderType: OrderType;
  /** Required when orderType is "limit". */
  readonly limitPrice?: number;
}

/** One execution (a fill or part of one), as reported by the broker. */
export interface ExecutionReport {
  readonly execId: string;
  readonly orderRef: string;
  readonly brokerOrderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly shares: number;
  readonly price: number;
  /** Cumulative shares filled on the order after this execution. */
  readonly cumulativeShares: number;
  readonly tsEventMs: number;
  /**
   * Set when the broker corrects an earlier execution (IB: the same exec id up to its last period):
   * this one replaces it, so its shares and price stand instead of the earlier ones, not on top of them.
   */
  readonly correctsExecId?: string;
}

/**
 * An execution as gs recorded it (this process's memory or the operations trail): what a
 * correction of an execution the book no longer holds (an earlier run's, or one before the
 * day rolled) replaces.
 */
export interface RecordedFill {
  readonly execId: string;
  readonly shares: number;
  readonly price: number;
  /** Its commission as recorded, null when none was. */
  readonly commissionUsd: number | null;
}

export interface CommissionReport {
  readonly execId: string;
  readonly commissionUsd: number;
  readonly tsEventMs: number;
}

/** Order status as the broker reports it, mapped to a closed set at the adapter edge. */
export type BrokerOrderStatus =
  | "pending_submit"
  | "submitted"
  | "partially_filled"
  | "filled"
  | "cancelled"
  | "rejected";

export interface OpenOrder {
  readonly orderRef: string;
  readonly brokerOrderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantityShares: number;
  readonly filledShares: number;
  readonly status: BrokerOrderStatus;
}
