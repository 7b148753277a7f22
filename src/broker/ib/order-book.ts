// Orders gs knows in this process: placed here or adopted from TWS (openOrders,
// executions), keyed both ways; plus the execution/commission ledger that makes
// every exec id count once. TWS order ids belong to one API client id: another client
// (another gs daemon on the same TWS) numbers its orders from 1 too, so an order is known
// by (client id, order id), never by its id alone.
import type { BrokerOrderStatus, OrderSide } from "../../core/order.ts";

export interface TrackedOrder {
  readonly orderRef: string;
  /** The API client that placed it: only that client may cancel it. */
  readonly clientId: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantityShares: number;
  lastStatus: { status: BrokerOrderStatus; filled: number; remaining: number } | null;
  terminal: boolean;
  /** TWS last reported it Inactive but held (locate): still working, and the operator was told. */
  heldInactive: boolean;
}

export class OrderBook {
  private readonly byClientOrderId = new Map<string, TrackedOrder>();
  private readonly byRef = new Map<string, TrackedOrder>();
  private readonly executionsSeen = new Set<string>();
  /** The newest exec id known per execution base: a later one with that base corrects it. */
  private readonly executionIdByBase = new Map<string, string>();
  /** What each exec id corrects (null: nothing), decided once. */
  private readonly correctsByExecId = new Map<string, string | null>();
  /** Exec ids reported live, or returned by an executions request: their commissions are reported. */
  private readonly commissionsDue = new Set<string>();
  private readonly commissionsByExec = new Map<string, number>();
  private readonly commissionsReported = new Set<string>();

  track(order: Omit<TrackedOrder, "lastStatus" | "terminal" | "heldInactive">): TrackedOrder {
    const key = clientOrderKey(order.clientId, order.orderId);
    const existing = this.byClientOrderId.get(key);
    if (existing) return existing;
    const tracked: TrackedOrder = { ...order, lastStatus: null, terminal: false, heldInactive: false };
    this.byClientOrderId.set(key, tracked);
    if (order.orderRef !== "") this.byRef.set(order.orderRef, tracked);
    return tracked;
  }

  ofId(clientId: number, orderId: number): TrackedOrder | undefined {
    return this.byClientOrderId.get(clientOrderKey(clientId, orderId));
  }

  ofRef(orderRef: string): TrackedOrder | undefined {
    return this.byRef.get(orderRef);
  }

  /**
   * Classifies a live execution's exec id. TWS resends executions after reconnects (same
   * id: a repeat) and publishes corrections as a new id differing only after the last
   * period ("….01.01" -> "….01.02"): a correction replaces the execution it names.
   */
  classifyExecution(execId: string): ExecutionClass {
    if (this.executionsSeen.has(execId)) return REPEAT;
    this.executionsSeen.add(execId);
    return { kind: "report", correctsExecId: this.noteExecution(execId) };
  }

  /**
   * An execution a reconciliation request returned; returns the exec id it corrects, if any.
   * It is not marked seen: the daemon may abandon that reconciliation, so a live report of it
   * must still reach the daemon (which counts each exec id once). Its commission is due: one
   * TWS sends after the answer ended is reported as an event.
   */
  noteAnsweredExecution(execId: string): string | null {
    return this.noteExecution(execId);
  }

  /** True for exec ids whose execution reached the caller (event or answer), so their commission does too. */
  commissionDue(execId: string): boolean {
    return this.commissionsDue.has(execId);
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

  /**
   * The exec id this one corrects: the newest known with its base if its number is lower, else
   * (the corrected one not seen in this process, e.g. before a restart) the one numbered just
   * before it; the daemon counts a correction of an execution it never saw as an execution.
   */
  private noteExecution(execId: string): string | null {
    const known = this.correctsByExecId.get(execId);
    if (known !== undefined) return known;
    this.commissionsDue.add(execId);
    const base = executionBase(execId);
    const newest = this.executionIdByBase.get(base);
    const number = correctionNumber(execId);
    let corrects: string | null = previousByNumber(execId);
    if (newest !== undefined && newest !== execId && correctionNumber(newest) < number) corrects = newest;
    if (newest === undefined || correctionNumber(newest) < number) this.executionIdByBase.set(base, execId);
    this.correctsByExecId.set(execId, corrects);
    return corrects;
  }
}

export type ExecutionClass = { readonly kind: "repeat" } | { readonly kind: "report"; readonly correctsExecId: string | null };

const REPEAT: ExecutionClass = Object.freeze({ kind: "repeat" });

/** The number after the last period (1 for ".01"), 0 when there is none. */
function correctionNumber(execId: string): number {
  const suffix = execId.slice(execId.lastIndexOf(".") + 1);
  return /^[0-9]+$/.test(suffix) && execId.includes(".") ? Number(suffix) : 0;
}

/** "….01.02" -> "….01.01"; null for a first execution (".01") or an id without a numbered suffix. */
function previousByNumber(execId: string): string | null {
  const number = correctionNumber(execId);
  if (number <= 1) return null;
  const cut = execId.lastIndexOf(".");
  return `${execId.slice(0, cut)}.${String(number - 1).padStart(execId.length - cut - 1, "0")}`;
}

function executionBase(execId: string): string {
  const lastPeriod = execId.lastIndexOf(".");
  return lastPeriod <= 0 ? execId : execId.slice(0, lastPeriod);
}

export function clientOrderKey(clientId: number, orderId: number): string {
  return `${clientId}:${orderId}`;
}
