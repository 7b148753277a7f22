// Hedge orders in flight and what they still owe the book. Pending shares are what an order
// may still add to the position: its full size while live, and after a final status the
// shares the broker says were filled but whose executions have not arrived yet. So a fill is
// counted exactly once: as pending until its execution report, then in the book.
import {
  type HedgeExecEvent,
  type HedgeExecState,
  isFinalExecState,
  nextHedgeExecState,
} from "./hedge-exec-fsm.ts";
import type { BrokerOrderStatus, CommissionReport, ExecutionReport, HedgeOrder } from "./order.ts";

interface TrackedOrder {
  readonly order: HedgeOrder;
  /** +1 BUY, -1 SELL. */
  readonly sign: number;
  readonly createdMs: number;
  state: HedgeExecState;
  brokerOrderId: number | null;
  /** Shares filled by execution reports applied to the book. */
  execShares: number;
  /** Cumulative filled shares the broker's last status claimed. */
  statusFilledShares: number;
  cancelRequested: boolean;
}

const STATUS_EVENT: Readonly<Record<BrokerOrderStatus, HedgeExecEvent>> = {
  pending_submit: "accepted",
  submitted: "accepted",
  partially_filled: "partial_fill",
  filled: "fill",
  cancelled: "cancelled",
  rejected: "reject",
};

const NONE: readonly string[] = Object.freeze([]);

export class OrderTracker {
  private readonly orders = new Map<string, TrackedOrder>();
  /** execId -> orderRef of own executions (dedup, and to attribute commissions). */
  private readonly ownExecs = new Map<string, string>();
  /** Every orderRef created (live or finished): refs are unique, and late calls for finished orders are no-ops. */
  private readonly knownRefs = new Set<string>();
  /** Signed shares in flight (BUY > 0). */
  pendingShares = 0;
  /** Orders not yet in a final state. */
  liveCount = 0;
  private latestRef: string | null = null;

  add(order: HedgeOrder, nowMs: number): void {
    if (this.knownRefs.has(order.orderRef)) {
      throw new Error(`orderRef ${order.orderRef} was already used, expected a unique orderRef per order`);
    }
    this.orders.set(order.orderRef, {
      order,
      sign: order.side === "BUY" ? 1 : -1,
      createdMs: nowMs,
      state: nextHedgeExecState("idle", "create"),
      brokerOrderId: null,
      execShares: 0,
      statusFilledShares: 0,
      cancelRequested: false,
    });
    this.knownRefs.add(order.orderRef);
    this.latestRef = order.orderRef;
    this.recount();
  }

  accepted(orderRef: string, brokerOrderId: number): void {
    const o = this.live(orderRef);
    if (o === null) return;
    o.brokerOrderId = brokerOrderId;
    this.apply(o, "accepted");
  }

  sendFailed(orderRef: string): void {
    const o = this.live(orderRef);
    if (o !== null) this.apply(o, "reject");
  }

  /** Orders this tracker never created (e.g. adopted from a previous run) are not its business: no-op. */
  cancelRequested(orderRef: string): void {
    const o = this.orders.get(orderRef);
    if (o === undefined || o.cancelRequested || isFinalExecState(o.state)) return;
    o.cancelRequested = true;
    this.apply(o, "timeout");
  }

  /** Statuses of orders that are not ours (or long finished) are ignored. */
  status(orderRef: string, status: BrokerOrderStatus, filledShares: number): void {
    const o = this.orders.get(orderRef);
    if (o === undefined) return;
    if (filledShares > o.statusFilledShares) o.statusFilledShares = filledShares;
    this.apply(o, STATUS_EVENT[status]);
  }

  /** Signed shares to apply to the book, or 0 when the execution is not ours or already applied. */
  execution(e: ExecutionReport): number {
    const o = this.orders.get(e.orderRef);
    if (o === undefined || this.ownExecs.has(e.execId) || !(e.shares > 0)) return 0;
    this.ownExecs.set(e.execId, e.orderRef);
    o.execShares += e.shares;
    if (e.cumulativeShares > o.statusFilledShares) o.statusFilledShares = e.cumulativeShares;
    this.apply(o, o.execShares >= o.order.quantityShares ? "fill" : "partial_fill");
    return o.sign * e.shares;
  }

  isOwnExecution(c: CommissionReport): boolean {
    return this.ownExecs.has(c.execId);
  }

  timedOut(nowMs: number, timeoutMs: number): readonly string[] {
    if (this.liveCount === 0) return NONE;
    const out: string[] = [];
    for (const [ref, o] of this.orders) {
      if (!isFinalExecState(o.state) && !o.cancelRequested && nowMs - o.createdMs >= timeoutMs) out.push(ref);
    }
    return out;
  }

  /** State of the newest live order, "idle" when none is live. */
  hedgeState(): HedgeExecState {
    if (this.liveCount === 0 || this.latestRef === null) return "idle";
    return this.orders.get(this.latestRef)?.state ?? "idle";
  }

  stateOf(orderRef: string): HedgeExecState | null {
    return this.orders.get(orderRef)?.state ?? null;
  }

  /** Forget finished orders of earlier days (commissions arrive within seconds of their execution). */
  startNewDay(): void {
    if (this.orders.size === 0) {
      this.ownExecs.clear();
      this.knownRefs.clear();
      return;
    }
    for (const [execId, ref] of this.ownExecs) if (!this.orders.has(ref)) this.ownExecs.delete(execId);
    for (const ref of this.knownRefs) if (!this.orders.has(ref)) this.knownRefs.delete(ref);
  }

  private apply(o: TrackedOrder, event: HedgeExecEvent): void {
    // Brokers repeat final statuses and report fills and cancels in either order: a report
    // for an order already final changes nothing. Everything else must be in the table.
    if (!isFinalExecState(o.state)) o.state = nextHedgeExecState(o.state, event);
    this.recount();
  }

  private recount(): void {
    let pending = 0;
    let live = 0;
    // values(), not entries(): no [key, value] pair per order on every event.
    for (const o of this.orders.values()) {
      const final = isFinalExecState(o.state);
      const owed = (final ? o.statusFilledShares : o.order.quantityShares) - o.execShares;
      if (final && owed <= 0) {
        this.orders.delete(o.order.orderRef);
        continue;
      }
      if (!final) live++;
      if (owed > 0) pending += o.sign * owed;
    }
    this.pendingShares = pending;
    this.liveCount = live;
  }

  /** The tracked order, null when it already finished; an orderRef never created is a caller bug. */
  private live(orderRef: string): TrackedOrder | null {
    const o = this.orders.get(orderRef);
    if (o !== undefined) return o;
    if (this.knownRefs.has(orderRef)) return null;
    throw new Error(`orderRef ${orderRef} was never created by createOrder, expected a hedge order of this Hedger`);
  }
}
