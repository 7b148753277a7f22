// The three snapshot requests startup reconciliation needs: positions (reqPositions ->
// positionEnd), open orders (reqAllOpenOrders -> openOrderEnd) and executions
// (reqExecutions -> execDetailsEnd). Concurrent callers of the first two share one
// request; each has a deadline (PendingRequests) and fails when the session ends. A request
// nobody waits for any more (timed out) is dropped, so the next call asks TWS afresh.
import type { Contract as IbContract, Execution as IbExecution, IBApi, Order as IbOrder, OrderState as IbOrderState } from "@stoqey/ib";
import { contractKey } from "../../core/instrument.ts";
import type { Position } from "../../core/instrument.ts";
import type { CommissionReport, ExecutionReport, OpenOrder } from "../../core/order.ts";
import { BrokerError } from "../port.ts";
import type { BrokerLog } from "./ib-options.ts";
import { formatExecutionFilterTime } from "./ib-time.ts";
import { clientOrderKey, type OrderBook } from "./order-book.ts";
import { PendingRequests } from "./pending-requests.ts";
import { type OrderStatusExtras, toExecutionReport, toOpenOrder, withCorrection } from "./translate.ts";

const NO_STATUS_EXTRAS: OrderStatusExtras = { filledShares: 0, whyHeld: "" };

export type ExecutionWithCommission = { execution: ExecutionReport; commission: CommissionReport | null };

/** Keyed by clientOrderKey: reqAllOpenOrders lists every API client's orders, each numbered per client. */
interface OpenOrderSnapshot {
  readonly orders: Map<string, { orderId: number; contract: IbContract; order: IbOrder; state: IbOrderState }>;
  readonly statuses: Map<string, OrderStatusExtras>;
  /** Its request timed out: the next caller asks again, and keeps what arrived so far. */
  requestLost: boolean;
}

interface ExecutionRequest {
  readonly collected: ExecutionReport[];
  readonly finish: () => void;
  readonly fail: (error: BrokerError) => void;
}

export class ReconciliationRequests {
  private readonly pending: PendingRequests;
  private positionsCollector: { positions: Map<string, Position>; endsToSkip: number } | null = null;
  /** Every position this session reported (dumps and stream), by account and contract. */
  private readonly knownPositions = new Map<string, Position>();
  private positionsWaiters: ((positions: Position[]) => void)[] = [];
  /** reqPositions sent and not yet closed by positionEnd; TWS answers them in order. */
  private positionDumpsInFlight = 0;
  private openOrdersCollector: OpenOrderSnapshot | null = null;
  private openOrdersWaiters: ((orders: OpenOrder[]) => void)[] = [];
  private readonly executionRequests = new Map<number, ExecutionRequest>();

  constructor(
    timeoutMs: number,
    private readonly orders: OrderBook,
    /** The session's trading account (executions are asked for that account only). */
    private readonly account: () => string,
    private readonly log: BrokerLog,
  ) {
    this.pending = new PendingRequests(timeoutMs);
  }

  positions(api: IBApi): Promise<Position[]> {
    let waiter: ((positions: Position[]) => void) | null = null;
    return this.pending
      .start<Position[]>("positions (reqPositions)", (settle) => {
        waiter = settle;
        this.positionsWaiters.push(settle);
        if (this.positionsCollector !== null) return;
        // A dump already under way may have started before us: collect our own request's answer.
        // Seeded with what the session knows, so that even a dump cut short by a late answer
        // to a dropped request (below) yields every position.
        this.positionsCollector = { positions: new Map(this.knownPositions), endsToSkip: this.positionDumpsInFlight };
        this.streamPositions(api);
      })
      .catch((error: unknown) => {
        this.positionsWaiters = this.positionsWaiters.filter((candidate) => candidate !== waiter);
        if (this.positionsWaiters.length === 0) {
          // TWS lost the request: forget it, or the next call would wait for its end forever.
          this.positionsCollector = null;
          this.positionDumpsInFlight = 0;
        }
        throw error;
      });
  }

  /** Starts (or renews) the position stream; TWS first dumps every position, then streams changes. */
  streamPositions(api: IBApi): void {
    this.positionDumpsInFlight += 1;
    api.reqPositions();
  }

  openOrders(api: IBApi): Promise<OpenOrder[]> {
    let waiter: ((orders: OpenOrder[]) => void) | null = null;
    return this.pending
      .start<OpenOrder[]>("open orders (reqAllOpenOrders)", (settle) => {
        waiter = settle;
        this.openOrdersWaiters.push(settle);
        const collector = this.openOrdersCollector;
        if (collector !== null && !collector.requestLost) return;
        if (collector === null) this.openOrdersCollector = { orders: new Map(), statuses: new Map(), requestLost: false };
        else collector.requestLost = false;
        api.reqAllOpenOrders();
      })
      .catch((error: unknown) => {
        this.openOrdersWaiters = this.openOrdersWaiters.filter((candidate) => candidate !== waiter);
        // TWS lost the request: the next call sends a fresh one. The collector stays, so a late
        // answer to the lost request, even one begun before, can only add orders, never hide one.
        if (this.openOrdersWaiters.length === 0 && this.openOrdersCollector !== null) this.openOrdersCollector.requestLost = true;
        throw error;
      });
  }

  executionsSince(api: IBApi, reqId: number, sinceMs: number): Promise<ExecutionWithCommission[]> {
    return this.pending.start<ExecutionWithCommission[]>("executions (reqExecutions)", (settle, fail) => {
      const collected: ExecutionReport[] = [];
      this.executionRequests.set(reqId, {
        collected,
        finish: () => {
          this.executionRequests.delete(reqId);
          // Noted now, not when the caller resumes: a commission read in the same chunk as execDetailsEnd is handled before that.
          const answered = collected.filter((e) => e.tsEventMs >= sinceMs).map((e) => withCorrection(e, this.orders.noteAnsweredExecution(e.execId)));
          settle(answered.map((execution) => ({ execution, commission: this.commissionOf(execution) })));
        },
        fail: (error) => {
          this.executionRequests.delete(reqId);
          fail(error);
        },
      });
      api.reqExecutions(reqId, { time: formatExecutionFilterTime(sinceMs), acctCode: this.account() });
    });
  }

  // ---- fed by the inbound message handlers ----

  position(position: Position): void {
    // Keyed, so a streamed update and the dump of the same holding count once (the later wins).
    const key = `${position.account}|${contractKey(position.contract)}`;
    this.knownPositions.set(key, position);
    this.positionsCollector?.positions.set(key, position);
  }

  /** True when this end answers positions(): its callers are settled (their code resumes later, after the reports read with it). */
  positionEnd(): boolean {
    this.positionDumpsInFlight = Math.max(0, this.positionDumpsInFlight - 1);
    const collector = this.positionsCollector;
    if (collector === null) return false;
    if (collector.endsToSkip > 0) {
      collector.endsToSkip -= 1;
      collector.positions.clear();
      return false;
    }
    const collected = [...collector.positions.values()];
    const waiters = this.positionsWaiters;
    this.positionsCollector = null;
    this.positionsWaiters = [];
    // TWS lists positions closed today with quantity 0; they are not holdings.
    for (const settle of waiters) settle(collected.filter((p) => p.quantity !== 0));
    return true;
  }

  openOrder(orderId: number, contract: IbContract, order: IbOrder, state: IbOrderState): void {
    this.openOrdersCollector?.orders.set(clientOrderKey(order.clientId ?? 0, orderId), { orderId, contract, order, state });
  }

  orderStatus(clientId: number, orderId: number, extras: OrderStatusExtras): void {
    this.openOrdersCollector?.statuses.set(clientOrderKey(clientId, orderId), extras);
  }

  openOrderEnd(): void {
    const snapshot = this.openOrdersCollector;
    const waiters = this.openOrdersWaiters;
    this.openOrdersCollector = null;
    this.openOrdersWaiters = [];
    if (!snapshot) return;
    const result: OpenOrder[] = [];
    for (const [key, { orderId, contract, order, state }] of snapshot.orders) {
      const translated = toOpenOrder(orderId, contract, order, state, snapshot.statuses.get(key) ?? NO_STATUS_EXTRAS);
      if (translated.ok) result.push(translated.value);
      else this.log("debug", translated.reason);
    }
    for (const settle of waiters) settle(result);
  }

  /** True when the execution answers one of our requests (it is then not a live fill). */
  execution(reqId: number, contract: IbContract, exec: IbExecution): boolean {
    const request = this.executionRequests.get(reqId);
    if (!request) return false;
    const translated = toExecutionReport(contract, exec, (clientId, orderId) => this.orders.ofId(clientId, orderId)?.orderRef);
    if (translated.ok) request.collected.push(translated.value);
    else this.log("debug", translated.reason);
    return true;
  }

  executionEnd(reqId: number): void {
    this.executionRequests.get(reqId)?.finish();
  }

  /** TWS answered one of our requests with an error instead of data: fail it now, by name. */
  refused(reqId: number, code: number, message: string): boolean {
    const request = this.executionRequests.get(reqId);
    if (!request) return false;
    request.fail(new BrokerError("operational", `executions (reqExecutions) refused by TWS: ${code} ${message}`, code));
    return true;
  }

  /** The session ended: nothing in flight will be answered. */
  abandon(message: string): void {
    this.positionsCollector = null;
    this.positionsWaiters = [];
    this.positionDumpsInFlight = 0;
    this.knownPositions.clear();
    this.openOrdersCollector = null;
    this.openOrdersWaiters = [];
    this.executionRequests.clear();
    this.pending.failAll(new BrokerError("not_connected", `request abandoned: ${message}`));
  }

  private commissionOf(execution: ExecutionReport): CommissionReport | null {
    const commissionUsd = this.orders.commissionOf(execution.execId);
    return commissionUsd === undefined ? null : { execId: execution.execId, commissionUsd, tsEventMs: execution.tsEventMs };
  }
}
