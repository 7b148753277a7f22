// Orders gs knows in this process: placed here or adopted from TWS (openOrders,
// executions), keyed both ways; plus the execution/commission ledger that makes
// every exec id count once.
import type { BrokerOrderStatus, OrderSide } from "../../core/order.ts";

export interface TrackedOrder {
  readonly orderRef: string;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantityShares: number;
  lastStatus: { status: BrokerOrderStatus; filled: number; remaining: number } | null;
  terminal: boolean;
}

export class OrderBook {
  private readonly byId = new Map<number, TrackedOrder>();
  private readonly byRef = new Map<string, TrackedOrder>();
  private readonly executionsSeen = new Set<string>();
  private readonly commissionsByExec = new Map<string, number>();
  private readonly commissionsReported = new Set<string>();

  track(order: Omit<TrackedOrder, "lastStatus" | "terminal">): TrackedOrder {
    const existing = this.byId.get(order.orderId);
    if (existing) return existing;
    const tracked: TrackedOrder = { ...order, lastStatus: null, terminal: false };
    this.byId.set(order.orderId, tracked);
    if (order.orderRef !== "") this.byRef.set(order.orderRef, tracked);
    return tracked;
  }

  ofId(orderId: number): TrackedOrder | undefined {
    return this.byId.get(orderId);
  }

  ofRef(orderRef: string): TrackedOrder | undefined {
    return this.byRef.get(orderRef);
  }

  /** True the first time an exec id is seen as a live execution. */
  firstExecution(execId: string): boolean {
    if (this.executionsSeen.has(execId)) return false;
    this.executionsSeen.add(execId);
    return true;
  }

  executionSeen(execId: string): boolean {
    return this.executionsSeen.has(execId);
  }

  recordCommission(execId: string, commissionUsd: number): void {
    this.commissionsByExec.set(execId, commissionUsd);
  }

  commissionOf(execId: string): number | undefined {
    return this.commissionsByExec.get(execId);
  }

  /** True the first time a commission for an exec id is reported as an event. */
  firstCommissionReport(execId: string): boolean {
    if (this.commissionsReported.has(execId)) return false;
    this.commissionsReported.add(execId);
    return true;
  }
}
