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
import type { BookedFill, HedgeBook } from "./hedge-book.ts";
import type { BrokerOrderStatus, CommissionReport, ExecutionReport, HedgeOrder, RecordedFill } from "./order.ts";
import type { OrderRefSequence } from "./order-ref-sequence.ts";

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
  /** Shares corrections took off its executions: the broker's fill counts may include them still. */
  correctedAwayShares: number;
  cancelRequested: boolean;
  /** This order's executions applied to the book (one or a few): dedup and commission claims. */
  readonly execs: OwnExecution[];
}

/** One execution of an order as the book holds it; a correction restates it in place. */
interface OwnExecution extends BookedFill {
  /** The newest id: the execution's, or that of its latest correction. */
  execId: string;
  /** Ids it had before corrections, oldest first (empty unless corrected). */
  replacedExecIds: readonly string[];
  /** A correction counted before the execution it corrects came (whose shares are unknown until it does). */
  standsIn: boolean;
  /** Commission in the book for it, and the position in [...replacedExecIds, execId] of the id it came with (-1: none yet). */
  commissionUsd: number;
  commissionOfIndex: number;
}

/** What applying a correction changes: the replaced execution's signed shares and price, and the new ones. */
export interface ExecutionReplacement {
  readonly replacedSignedShares: number;
  readonly replacedPrice: number;
  readonly signedShares: number;
}

const NO_IDS: readonly string[] = Object.freeze([]);

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
  /**
   * Orders live or still owed executions, oldest first. Hedges go one at a time, so this
   * holds zero or one order nearly always: a scan comparing orderRefs (the very string the
   * order was created with, in the backtest and the daemon's own calls) costs less than
   * hashing each freshly built orderRef, which was most of an order's cost in a backtest.
   */
  private readonly orders: TrackedOrder[] = [];
  /** Where this tracker's refs come from (the first add pins it): unique refs, and a late call for a finished order is told from a bug. */
  private refs: OrderRefSequence | null = null;
  /** refs.count at the last add: a number to compare, where comparing the fresh ref strings would flatten both. */
  private addedCount = 0;
  /**
   * Today's orders that finished owing nothing by their final status, oldest first. A final
   * status can under-report the fills (IB's "Cancelled, filled 40" with a last execution of 20
   * still on its way): such an execution is still the broker's trade and must reach the book,
   * once. Executions and commissions find their order by scanning (newest first) instead of
   * hashing each fresh execId into maps, which was most of an order's cost in a backtest.
   */
  private readonly finishedToday: TrackedOrder[] = [];
  /**
   * Corrections of executions the book did not hold (an earlier run's, or one from before the
   * day rolled), as the daemon's records had them: a repeat or a further correction finds them.
   */
  private readonly correctedElsewhere: OwnExecution[] = [];
  /** Signed shares in flight (BUY > 0). */
  pendingShares = 0;
  /** Orders not yet in a final state. */
  liveCount = 0;
  private latestRef: string | null = null;

  /** `order.orderRef` must be the ref `refs` issued last: then it is new, with no search. */
  add(order: HedgeOrder, nowMs: number, refs: OrderRefSequence): void {
    this.refs ??= refs;
    if (refs !== this.refs) throw new Error(`orderRef ${order.orderRef} comes from a second ref sequence (${refs.prefix}), expected every order's ref from ${this.refs.prefix}`);
    if (order.orderRef !== refs.latest || refs.count === this.addedCount) {
      throw new Error(`orderRef ${order.orderRef} was already used or is not the ref ${refs.prefix} issued last (${refs.latest}), expected a fresh ref per order`);
    }
    this.addedCount = refs.count;
    this.orders.push({
      order,
      sign: order.side === "BUY" ? 1 : -1,
      createdMs: nowMs,
      state: nextHedgeExecState("idle", "create"),
      brokerOrderId: null,
      execShares: 0,
      statusFilledShares: 0,
      correctedAwayShares: 0,
      cancelRequested: false,
      execs: [],
    });
    this.latestRef = order.orderRef;
    this.recount();
  }

  accepted(orderRef: string, brokerOrderId: number): void {
    const o = this.live(orderRef);
    if (o === null) return;
    o.brokerOrderId = brokerOrderId;
    this.advance(o, "accepted");
  }

  sendFailed(orderRef: string): void {
    const o = this.live(orderRef);
    if (o !== null) this.advance(o, "reject");
  }

  /** Orders this tracker never created (e.g. adopted from a previous run) are not its business: no-op. */
  cancelRequested(orderRef: string): void {
    const o = this.tracked(orderRef);
    if (o === undefined || o.cancelRequested || isFinalExecState(o.state)) return;
    o.cancelRequested = true;
    this.advance(o, "timeout");
  }

  /** Statuses of orders that are not ours (or long finished) are ignored. */
  status(orderRef: string, status: BrokerOrderStatus, filledShares: number): void {
    const o = this.tracked(orderRef);
    if (o === undefined) return;
    if (filledShares > o.statusFilledShares) o.statusFilledShares = filledShares;
    this.advance(o, STATUS_EVENT[status]);
  }

  /**
   * Signed shares the execution adds to the position, taken into `book`; 0 when it is not ours or
   * already applied. An execution of an order that already finished today goes to the book as it
   * is (nothing was pending for it).
   */
  execution(e: ExecutionReport, book: HedgeBook | null = null): number {
    if (!(e.shares > 0)) return 0;
    const tracked = this.tracked(e.orderRef);
    const o = tracked ?? this.finished(e.orderRef);
    if (o === undefined) return 0;
    const held = execOf(o, e.execId);
    if (held !== undefined) {
      if (tracked !== undefined && held.standsIn && held.replacedExecIds[0] === e.execId) this.lateReplaced(tracked, held, e.shares);
      return 0;
    }
    // A correction of one not seen yet stands for it: the original, when it comes late, is a repeat.
    const replacedExecIds = e.correctsExecId === undefined ? NO_IDS : [e.correctsExecId];
    const exec: OwnExecution = { step: "fill", sign: o.sign, execId: e.execId, replacedExecIds, standsIn: replacedExecIds !== NO_IDS, shares: e.shares, price: e.price, commissionUsd: 0, commissionOfIndex: -1 };
    o.execs.push(exec);
    book?.takeFill(exec);
    this.addExecShares(o, tracked !== undefined, e.shares, e.cumulativeShares);
    return o.sign * e.shares;
  }

  /**
   * A correction (`e.correctsExecId`) of one of our executions the book holds: it takes the
   * corrected one's place and restates it in `book`. Null when the corrected execution is not
   * held here (see replaceRecorded; else the caller counts `e` as a plain execution) or `e` was
   * already applied.
   */
  replaceExecution(e: ExecutionReport, book: HedgeBook): ExecutionReplacement | null {
    const correctsExecId = e.correctsExecId;
    if (correctsExecId === undefined || !(e.shares > 0)) return null;
    const tracked = this.tracked(e.orderRef);
    const o = tracked ?? this.finished(e.orderRef);
    const execs = o === undefined ? this.correctedElsewhere : o.execs;
    const exec = execIn(execs, correctsExecId);
    if (exec === undefined || execIn(execs, e.execId) !== undefined) return null;
    const sign = exec.sign;
    const replaced = { replacedSignedShares: sign * exec.shares, replacedPrice: exec.price, signedShares: sign * e.shares };
    exec.replacedExecIds = [...exec.replacedExecIds, exec.execId];
    exec.execId = e.execId;
    const deltaShares = e.shares - exec.shares;
    book.restateFill(exec, e.shares, e.price);
    if (tracked !== undefined) this.correctExecShares(tracked, deltaShares);
    return replaced;
  }

  /**
   * A correction of an execution the book does not hold but gs recorded (`recorded`): an
   * earlier run's, whose shares are in the broker position the book started from, or one from
   * before the day rolled. It is taken as held (with its recorded commission) and replaced as
   * replaceExecution does. Null when already applied, or when the order is one this tracker
   * follows (its executions are its own business).
   */
  replaceRecorded(e: ExecutionReport, recorded: RecordedFill, book: HedgeBook): ExecutionReplacement | null {
    if (e.correctsExecId !== recorded.execId || this.tracked(e.orderRef) !== undefined || this.finished(e.orderRef) !== undefined) return null;
    if (execIn(this.correctedElsewhere, recorded.execId) === undefined) {
      const commissionUsd = recorded.commissionUsd;
      this.correctedElsewhere.push({ step: "fill", sign: e.side === "BUY" ? 1 : -1, execId: recorded.execId, replacedExecIds: NO_IDS, standsIn: false, shares: recorded.shares, price: recorded.price, commissionUsd: commissionUsd ?? 0, commissionOfIndex: commissionUsd === null ? -1 : 0 });
    }
    return this.replaceExecution(e, book);
  }

  /**
   * The commission to add to the book for a report, usually 0 or all of it. An execution's
   * commission is that of its newest id with one reported: TWS resends commission reports after
   * a reconnect (counted once), and a correction's replaces the corrected execution's (the
   * difference is returned; a late report of the replaced id changes nothing).
   */
  commissionToBook(c: CommissionReport): number {
    const exec = findExec(this.finishedToday, c.execId) ?? findExec(this.orders, c.execId) ?? execIn(this.correctedElsewhere, c.execId);
    if (exec === undefined) return 0;
    const index = exec.execId === c.execId ? exec.replacedExecIds.length : exec.replacedExecIds.indexOf(c.execId);
    if (index <= exec.commissionOfIndex) return 0;
    const addUsd = c.commissionUsd - exec.commissionUsd;
    exec.commissionUsd = c.commissionUsd;
    exec.commissionOfIndex = index;
    return addUsd;
  }

  timedOut(nowMs: number, timeoutMs: number): readonly string[] {
    if (this.liveCount === 0) return NONE;
    const out: string[] = [];
    for (const o of this.orders) {
      if (!isFinalExecState(o.state) && !o.cancelRequested && nowMs - o.createdMs >= timeoutMs) out.push(o.order.orderRef);
    }
    return out;
  }

  /** State of the newest live order, "idle" when none is live. */
  hedgeState(): HedgeExecState {
    if (this.liveCount === 0 || this.latestRef === null) return "idle";
    return this.tracked(this.latestRef)?.state ?? "idle";
  }

  stateOf(orderRef: string): HedgeExecState | null {
    return this.tracked(orderRef)?.state ?? null;
  }

  /** Forget finished orders of earlier days (commissions arrive within seconds of their execution). */
  startNewDay(): void {
    this.finishedToday.length = 0;
    this.correctedElsewhere.length = 0;
  }

  /** An order finished earlier takes late executions as they are: nothing was pending for them. */
  private addExecShares(o: TrackedOrder, live: boolean, shares: number, cumulativeShares: number): void {
    if (!live) return;
    o.execShares += shares;
    if (cumulativeShares > o.statusFilledShares) o.statusFilledShares = cumulativeShares;
    this.advance(o, o.execShares >= o.order.quantityShares ? "fill" : "partial_fill");
  }

  /**
   * A correction changed a followed order's filled shares. Shares corrected away are owed by no
   * final status, whether its count was taken before the correction or after: pending for ever
   * otherwise. Shares corrected in count as an execution's.
   */
  private correctExecShares(o: TrackedOrder, deltaShares: number): void {
    if (deltaShares < 0) o.correctedAwayShares -= deltaShares;
    this.addExecShares(o, true, deltaShares, 0);
  }

  /** The original of a correction that stood for it came late: broker counts that include its extra shares owe nothing. */
  private lateReplaced(o: TrackedOrder, correction: OwnExecution, replacedShares: number): void {
    correction.standsIn = false;
    if (replacedShares <= correction.shares) return;
    o.correctedAwayShares += replacedShares - correction.shares;
    this.recount();
  }

  /** The order's state machine takes `event` (named so: a method called `apply` compiles as a Function.prototype.apply call site first). */
  private advance(o: TrackedOrder, event: HedgeExecEvent): void {
    // Brokers repeat final statuses and report fills and cancels in either order: a report
    // for an order already final changes nothing. Everything else must be in the table.
    if (!isFinalExecState(o.state)) o.state = nextHedgeExecState(o.state, event);
    this.recount();
  }

  /** Recomputes pending shares and the live count; drops orders that are final and owe nothing (the rest keep their order). */
  private recount(): void {
    const orders = this.orders;
    let pending = 0;
    let live = 0;
    let kept = 0;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      const final = isFinalExecState(o.state);
      const owed = (final ? o.statusFilledShares - o.correctedAwayShares : o.order.quantityShares) - o.execShares;
      if (final && owed <= 0) {
        this.finishedToday.push(o);
        continue;
      }
      if (!final) live++;
      if (owed > 0) pending += o.sign * owed;
      orders[kept++] = o;
    }
    orders.length = kept;
    this.pendingShares = pending;
    this.liveCount = live;
  }

  private tracked(orderRef: string): TrackedOrder | undefined {
    const orders = this.orders;
    for (let i = 0; i < orders.length; i++) if (orders[i]!.order.orderRef === orderRef) return orders[i];
    return undefined;
  }

  /** Today's finished order with this ref, newest first (the one a late report is likeliest for). */
  private finished(orderRef: string): TrackedOrder | undefined {
    const orders = this.finishedToday;
    for (let i = orders.length - 1; i >= 0; i--) if (orders[i]!.order.orderRef === orderRef) return orders[i];
    return undefined;
  }

  /** The tracked order, null when it already finished; an orderRef never created is a caller bug. */
  private live(orderRef: string): TrackedOrder | null {
    const o = this.tracked(orderRef);
    if (o !== undefined) return o;
    if (this.refs?.issued(orderRef) === true) return null;
    throw new Error(`orderRef ${orderRef} was never created by createOrder, expected a hedge order of this Hedger`);
  }
}

/** The order's execution with this id, current or replaced by a correction. */
function execOf(o: TrackedOrder, execId: string): OwnExecution | undefined {
  return execIn(o.execs, execId);
}

/** The execution with this id, current or replaced by a correction. */
function execIn(execs: readonly OwnExecution[], execId: string): OwnExecution | undefined {
  for (let i = 0; i < execs.length; i++) {
    const exec = execs[i]!;
    if (exec.execId === execId || (exec.replacedExecIds.length > 0 && exec.replacedExecIds.includes(execId))) return exec;
  }
  return undefined;
}

/** The execution with this id among the orders' own, newest order first. */
function findExec(orders: readonly TrackedOrder[], execId: string): OwnExecution | undefined {
  for (let i = orders.length - 1; i >= 0; i--) {
    const exec = execOf(orders[i]!, execId);
    if (exec !== undefined) return exec;
  }
  return undefined;
}
