// The Broker port on Interactive Brokers TWS / IB Gateway through @stoqey/ib.
//
// Reconnect ownership: the adapter never reconnects by itself. It reports
// `connection: disconnected` and the daemon calls connect() again on its own schedule
// (WAITING_BROKER: every retry_interval_s, or at once on retry_broker). On every new
// session the adapter renews what it owns: market data subscriptions and the position
// stream. Each session runs on a fresh IBApi whose listeners are registered once
// (SessionLink), so no handler doubles and no request outlives its session.
import { EventName, OrderAction, SecType } from "@stoqey/ib";
import type { IBApi } from "@stoqey/ib";
import type { Contract as IbContract, Execution as IbExecution, Order as IbOrder, OrderState as IbOrderState, CommissionReport as IbCommissionReport } from "@stoqey/ib";
import { contractKey } from "../../core/instrument.ts";
import type { Contract, Position } from "../../core/instrument.ts";
import type { BrokerOrderStatus, HedgeOrder, OpenOrder } from "../../core/order.ts";
import { BrokerError } from "../port.ts";
import type { Broker, BrokerCapabilities, BrokerConnectionInfo, BrokerEvent, BrokerEventListener, HistoricalBar, HistoricalBarsRequest } from "../port.ts";
import { toIbContract } from "./contract-mapping.ts";
import { FarmHealth } from "./farm-health.ts";
import { toIbOrder, validateHedgeOrder } from "./hedge-order-mapping.ts";
import { HistoricalRequests } from "./historical-bars.ts";
import type { IbBrokerOptions } from "./ib-options.ts";
import { MarketDataBook, type Subscription } from "./market-data-book.ts";
import { classifyIbMessage } from "./message-codes.ts";
import { OrderBook, type TrackedOrder } from "./order-book.ts";
import { isInactiveButHeld, isTerminalStatus, mapTwsOrderStatus } from "./order-status-table.ts";
import { type ExecutionWithCommission, ReconciliationRequests } from "./reconciliation-requests.ts";
import { SessionLink } from "./session-link.ts";
import { kindOfMarketDataType, marketDataTypeRequest, modelOptionTickKind, priceOrNull, quoteFieldOfTick } from "./tick-table.ts";
import { finiteOrNull, toExecutionReport, toPosition, withCorrection } from "./translate.ts";

/** Request ids live far above order ids, so an error's id says which one it is. */
const FIRST_REQUEST_ID = 2_000_000_000;

export class IbBroker implements Broker {
  readonly name = "ib" as const;
  readonly capabilities: BrokerCapabilities = { modelGreeks: true, partialFills: true, historicalBars: true };
  private readonly link: SessionLink;
  private readonly listeners = new Set<BrokerEventListener>();
  private readonly marketData = new MarketDataBook();
  private readonly orders = new OrderBook();
  private readonly farms = new FarmHealth();
  private readonly requests: ReconciliationRequests;
  private readonly history: HistoricalRequests;
  private readonly positionsByKey = new Map<string, Position>();
  private nextRequestId = FIRST_REQUEST_ID;
  private linkLost = false;
  private lastHealth: { ok: boolean; message: string } | null = null;

  constructor(private readonly options: IbBrokerOptions) {
    this.requests = new ReconciliationRequests(options.requestTimeoutMs, this.orders, () => this.link.tradingAccount(), options.log);
    this.history = new HistoricalRequests(options.requestTimeoutMs, options);
    this.link = new SessionLink(options, {
      onClient: (api) => this.registerListeners(api),
      onReady: () => this.startSession(),
      onClosed: (message) => this.endSession(message),
    });
  }

  /** The live session's client; throws not_connected otherwise. */
  private get api(): IBApi {
    return this.link.client();
  }

  /** Also refuses while TWS reports its link to IB lost (1100): orders could not reach the market. */
  async connect(): Promise<BrokerConnectionInfo> {
    const info = await this.link.connect();
    if (this.linkLost) {
      throw new BrokerError("temporary", `TWS at ${this.options.host}:${this.options.port} has lost its connection to IB (1100); waiting for TWS to report it restored (1101/1102)`, 1100);
    }
    return info;
  }

  async disconnect(): Promise<void> {
    await this.link.disconnect();
  }

  isConnected(): boolean {
    return this.link.isReady() && !this.linkLost;
  }

  onEvent(listener: BrokerEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeMarketData(contracts: readonly Contract[]): void {
    for (const contract of contracts) {
      const subscription = this.marketData.want(contract);
      if (subscription && this.link.isReady()) this.requestMarketData(subscription);
    }
  }

  unsubscribeMarketData(contracts: readonly Contract[]): void {
    for (const reqId of this.marketData.forget(contracts)) if (this.link.isReady()) this.api.cancelMktData(reqId);
  }

  async positions(): Promise<Position[]> {
    return this.requests.positions(this.sessionClient("positions"));
  }

  async openOrders(): Promise<OpenOrder[]> {
    return this.requests.openOrders(this.sessionClient("openOrders"));
  }

  /**
   * Marks nothing seen: the caller may drop the answer (a reconciliation that fails later), so a
   * live report of these executions still reaches it; the daemon counts each exec id once. A
   * commission TWS sends after the answer comes as a commission event.
   */
  async executionsSince(sinceMs: number): Promise<ExecutionWithCommission[]> {
    return this.requests.executionsSince(this.sessionClient("executionsSince"), this.nextRequestId++, sinceMs);
  }

  async historicalBars(request: HistoricalBarsRequest): Promise<HistoricalBar[]> {
    return this.history.fetch(this.sessionClient("historicalBars"), this.nextRequestId++, request);
  }

  placeOrder(order: HedgeOrder): number {
    if (!this.isConnected()) {
      throw new BrokerError("not_connected", `order ${order.orderRef} not sent: ${this.linkLost ? "TWS has lost its connection to IB (1100)" : "not connected to TWS"}; it will not be queued`);
    }
    validateHedgeOrder(order);
    if (this.orders.ofRef(order.orderRef)) {
      throw new BrokerError("operational", `orderRef ${order.orderRef} was already used; expected a unique orderRef per order`);
    }
    const account = this.link.tradingAccount();
    const orderId = this.link.takeOrderId();
    this.orders.track({ orderRef: order.orderRef, clientId: this.link.info().clientId, orderId, symbol: order.symbol, side: order.side, quantityShares: order.quantityShares });
    this.api.placeOrder(orderId, toIbContract({ secType: "STK", symbol: order.symbol }, this.options), toIbOrder(order, account));
    return orderId;
  }

  cancelOrder(orderRef: string): void {
    const tracked = this.orders.ofRef(orderRef);
    if (!tracked) {
      throw new BrokerError("operational", `cannot cancel orderRef ${orderRef}: unknown; expected an order placed or adopted (openOrders) in this process`);
    }
    if (!this.link.isReady()) throw new BrokerError("not_connected", `cancel of ${orderRef} not sent: not connected to TWS`);
    const { clientId } = this.link.info();
    // TWS would take the id as this client's order of that number: another order, or none.
    if (tracked.clientId !== clientId) {
      throw new BrokerError("operational", `cannot cancel orderRef ${orderRef}: it was placed by API client id ${tracked.clientId} and gs is connected as client id ${clientId}; TWS lets only the placing client cancel an order: cancel it in TWS, or reconnect gs as client id ${tracked.clientId}`);
    }
    this.api.cancelOrder(tracked.orderId);
  }

  // ---- inbound messages ----

  private registerListeners(api: IBApi): void {
    api.on(EventName.info, (message: string, code: number) => this.onTwsMessage(-1, code, message));
    api.on(EventName.error, (error: Error, code: number, reqId: number) => this.onTwsMessage(reqId, code, error.message));
    api.on(EventName.tickPrice, (reqId: number, tickType: number, price: number) => this.onTickPrice(reqId, tickType, price));
    api.on(EventName.marketDataType, (reqId: number, code: number) => {
      const subscription = this.marketData.ofRequest(reqId);
      const kind = kindOfMarketDataType(code);
      if (subscription && kind) subscription.kind = kind;
    });
    api.on(EventName.tickOptionComputation, (reqId: number, tickType: number, _attrib: number | undefined, iv?: number, delta?: number, optPrice?: number, _pvDividend?: number, gamma?: number, vega?: number, theta?: number, undPrice?: number) => {
      const subscription = this.marketData.ofRequest(reqId);
      const kind = modelOptionTickKind(tickType);
      if (!subscription || kind === null) return;
      subscription.kind = kind;
      this.clearFailure(subscription);
      this.emit({
        type: "option_greeks", contractKey: subscription.key, impliedVol: finiteOrNull(iv), delta: finiteOrNull(delta), gamma: finiteOrNull(gamma),
        vega: finiteOrNull(vega), theta: finiteOrNull(theta), optionPrice: finiteOrNull(optPrice), underlyingPrice: finiteOrNull(undPrice), tsEventMs: this.options.now(),
      });
    });
    api.on(EventName.position, (account: string, contract: IbContract, quantity: number, avgCost?: number) => this.onPosition(account, contract, quantity, avgCost));
    api.on(EventName.positionEnd, () => {
      // Now, not when the caller resumes: reports decoded in the same chunk after positionEnd are not in the answer.
      if (this.requests.positionEnd()) this.emit({ type: "positions_end", tsEventMs: this.options.now() });
    });
    api.on(EventName.openOrder, (orderId: number, contract: IbContract, order: IbOrder, state: IbOrderState) => this.onOpenOrder(orderId, contract, order, state));
    api.on(EventName.openOrderEnd, () => this.requests.openOrderEnd());
    api.on(EventName.orderStatus, (orderId: number, status: string, filled: number, remaining: number, _avgFillPrice?: number, _permId?: number, _parentId?: number, _lastFillPrice?: number, clientId?: number, whyHeld?: string) =>
      this.onOrderStatus(clientId ?? 0, orderId, status, whyHeld ?? "", filled, remaining),
    );
    api.on(EventName.execDetails, (reqId: number, contract: IbContract, exec: IbExecution) => this.onExecution(reqId, contract, exec));
    api.on(EventName.execDetailsEnd, (reqId: number) => this.requests.executionEnd(reqId));
    api.on(EventName.commissionReport, (report: IbCommissionReport) => this.onCommission(report));
    api.on(EventName.historicalData, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number) =>
      this.history.bar(reqId, time, open, high, low, close, volume),
    );
  }

  private onTwsMessage(id: number, code: number, message: string): void {
    const classified = classifyIbMessage(code);
    const tsEventMs = this.options.now();
    if (this.history.refused(id, code, message)) return;
    if (classified.type !== "warning" && this.requests.refused(id, code, message)) return;
    switch (classified.type) {
      case "connectivity":
        return this.onConnectivity(classified.state, code, message);
      case "farm":
        if (this.farms.apply(classified.farm, classified.ok, code, message)) this.refreshHealth(code, message);
        return;
      case "order_rejected":
      case "order_cancelled": {
        const tracked = this.orders.ofId(this.link.info().clientId, id); // order errors go to the placing client only
        if (!tracked) break;
        this.emitOrderStatus(tracked, classified.type === "order_rejected" ? "rejected" : "cancelled", null, null, `${code} ${message}`);
        return;
      }
      case "order_held": {
        const tracked = this.orders.ofId(this.link.info().clientId, id); // order errors go to the placing client only
        if (!tracked) break;
        this.options.log("warn", `TWS ${code} on order ${tracked.orderRef}: ${message}; the order stays working`);
        this.emit({ type: "order_warning", orderRef: tracked.orderRef, brokerOrderId: tracked.orderId, code, message, tsEventMs });
        return;
      }
      case "market_data_unavailable":
      case "no_security_definition": {
        const subscription = this.marketData.ofRequest(id);
        if (subscription) {
          subscription.failure = `${code} ${message}`;
          this.refreshHealth(code, message);
          return;
        }
        const tracked = this.orders.ofId(this.link.info().clientId, id); // order errors go to the placing client only
        if (tracked) return this.emitOrderStatus(tracked, "rejected", null, null, `${code} ${message}`);
        break;
      }
      case "delayed_data_notice": {
        const subscription = this.marketData.ofRequest(id);
        if (subscription) subscription.kind = "delayed";
        break;
      }
      case "decode_failure":
        this.options.log("error", `@stoqey/ib could not decode a TWS message (505): ${message}`);
        return;
      case "client_id_in_use":
      case "socket_failure":
      case "cancel_refused":
      case "warning":
        break;
      default: {
        const unreachable: never = classified;
        throw new Error(`unclassified TWS message ${JSON.stringify(unreachable)}`);
      }
    }
    this.options.log(classified.type === "warning" && code >= 2100 ? "debug" : "info", `TWS ${code} (id ${id}) at ${tsEventMs}: ${message}`);
  }

  private onConnectivity(state: "lost" | "restored_data_lost" | "restored_data_kept", code: number, message: string): void {
    const tsEventMs = this.options.now();
    if (state === "lost") {
      this.linkLost = true;
      this.emit({ type: "connection", state: "lost", dataLost: false, code, message, tsEventMs });
      return;
    }
    this.linkLost = false;
    const dataLost = state === "restored_data_lost";
    if (dataLost && this.link.isReady()) {
      // TWS dropped every subscription: renew them under fresh request ids.
      const previous = this.marketData.wanted().flatMap((s) => (s.reqId === null ? [] : [s.reqId]));
      for (const reqId of previous) this.api.cancelMktData(reqId);
      this.marketData.unbindAll();
      for (const subscription of this.marketData.wanted()) this.requestMarketData(subscription);
      this.requests.streamPositions(this.api);
    }
    this.emit({ type: "connection", state: "restored", dataLost, code, message, tsEventMs });
  }

  private refreshHealth(code: number | null, message: string): void {
    const problems = [...this.farms.brokenFarms(), ...this.marketData.failures()];
    const health = { ok: problems.length === 0, message: problems.length === 0 ? message : problems.join("; ") };
    if (this.lastHealth && this.lastHealth.ok === health.ok && this.lastHealth.message === health.message) return;
    this.lastHealth = health;
    this.emit({ type: "market_data_health", ok: health.ok, code, message: health.message, tsEventMs: this.options.now() });
  }

  private clearFailure(subscription: Subscription): void {
    if (subscription.failure === null) return;
    subscription.failure = null;
    this.refreshHealth(null, `${subscription.key}: data flowing again`);
  }

  private onTickPrice(reqId: number, tickType: number, price: number): void {
    const subscription = this.marketData.ofRequest(reqId);
    const mapped = quoteFieldOfTick(tickType);
    if (!subscription || mapped === null || subscription.contract.secType !== "STK") return;
    this.marketData.setPrice(subscription, mapped.field, priceOrNull(price), mapped.kind);
    this.clearFailure(subscription);
    this.emit({
      type: "quote", symbol: subscription.contract.symbol, bid: subscription.bid, ask: subscription.ask, last: subscription.last,
      kind: subscription.kind, tsEventMs: this.options.now(),
    });
  }

  private onPosition(account: string, contract: IbContract, quantity: number, avgCost: number | undefined): void {
    // Only the trading account's holdings are gs's: another account's stock is not the hedge.
    if (account !== this.link.tradingAccountOrNull()) return;
    const translated = toPosition(account, contract, quantity, avgCost);
    if (!translated.ok) return this.options.log("debug", translated.reason);
    const position = translated.value;
    const key = `${account}|${contractKey(position.contract)}`;
    if (contract.conId) this.link.conIds.set(contractKey(position.contract), contract.conId);
    this.requests.position(position);
    const before = this.positionsByKey.get(key);
    this.positionsByKey.set(key, position);
    if (before && before.quantity === position.quantity && before.avgCost === position.avgCost) return;
    this.emit({ type: "position", position, tsEventMs: this.options.now() });
  }

  private onOpenOrder(orderId: number, contract: IbContract, order: IbOrder, state: IbOrderState): void {
    const side = order.action === OrderAction.SELL ? "SELL" : "BUY";
    this.link.noteOrderId(orderId);
    if (order.orderRef && contract.secType === SecType.STK) {
      this.orders.track({ orderRef: order.orderRef, clientId: order.clientId ?? 0, orderId, symbol: contract.symbol ?? "", side, quantityShares: order.totalQuantity ?? 0 });
    }
    this.requests.openOrder(orderId, contract, order, state);
  }

  /** Statuses of other API clients' orders (reqAllOpenOrders lists them) match none of gs's. */
  private onOrderStatus(clientId: number, orderId: number, word: string, whyHeld: string, filled: number, remaining: number): void {
    this.link.noteOrderId(orderId);
    this.requests.orderStatus(clientId, orderId, { filledShares: filled, whyHeld });
    const tracked = this.orders.ofId(clientId, orderId);
    if (!tracked) return;
    const status = mapTwsOrderStatus(word, whyHeld, filled, remaining);
    if (status === null) return this.options.log("debug", `order ${orderId}: status ${JSON.stringify(word)} ignored`);
    this.noteInactiveHold(tracked, word, whyHeld);
    this.emitOrderStatus(tracked, status, filled, remaining, status === "rejected" ? `TWS status ${word}${whyHeld === "" ? "" : ` (whyHeld ${whyHeld})`}` : null);
  }

  /** TWS shows a held order as Inactive, which reads as dead: say once per hold that it still works. */
  private noteInactiveHold(tracked: TrackedOrder, word: string, whyHeld: string): void {
    const held = isInactiveButHeld(word, whyHeld);
    if (held === tracked.heldInactive) return;
    tracked.heldInactive = held;
    if (!held || tracked.terminal) return;
    const message = `TWS reports the order Inactive, held (whyHeld ${whyHeld}) while shares to short are located; it stays working and may fill`;
    this.options.log("warn", `order ${tracked.orderRef}: ${message}`);
    this.emit({ type: "order_warning", orderRef: tracked.orderRef, brokerOrderId: tracked.orderId, code: null, message, tsEventMs: this.options.now() });
  }

  /** One order_status per real change; nothing after a terminal status. */
  private emitOrderStatus(tracked: TrackedOrder, status: BrokerOrderStatus, filled: number | null, remaining: number | null, reason: string | null): void {
    if (tracked.terminal) return;
    const orderId = tracked.orderId;
    const filledShares = filled ?? tracked.lastStatus?.filled ?? 0;
    const remainingShares = remaining ?? tracked.lastStatus?.remaining ?? tracked.quantityShares - filledShares;
    const last = tracked.lastStatus;
    if (last && last.status === status && last.filled === filledShares && last.remaining === remainingShares) return;
    tracked.lastStatus = { status, filled: filledShares, remaining: remainingShares };
    tracked.terminal = isTerminalStatus(status);
    this.emit({
      type: "order_status", orderRef: tracked.orderRef, brokerOrderId: orderId, status, filledShares, remainingShares,
      reason, tsEventMs: this.options.now(),
    });
  }

  private onExecution(reqId: number, contract: IbContract, exec: IbExecution): void {
    if (this.requests.execution(reqId, contract, exec) || reqId !== -1) return;
    const translated = toExecutionReport(contract, exec, (clientId, orderId) => this.orders.ofId(clientId, orderId)?.orderRef);
    if (!translated.ok) return this.options.log("debug", translated.reason);
    const seen = this.orders.classifyExecution(translated.value.execId);
    if (seen.kind === "repeat") return;
    const execution = withCorrection(translated.value, seen.correctsExecId);
    if (execution.correctsExecId !== undefined) {
      this.options.log("info", `TWS corrected execution ${execution.correctsExecId} of ${execution.orderRef}: ${execution.execId} (${execution.side} ${execution.shares} @ ${execution.price}) replaces it`);
    }
    this.emit({ type: "execution", execution });
    // TWS may send the commission first; it was kept until its execution was reported.
    if (this.orders.commissionOf(execution.execId) !== undefined) this.emitCommission(execution.execId);
  }

  private onCommission(report: IbCommissionReport): void {
    const execId = report.execId;
    if (execId === undefined || report.commission === undefined) return;
    this.orders.recordCommission(execId, report.commission);
    if (this.orders.commissionDue(execId)) this.emitCommission(execId);
  }

  /** Once per exec id, and only after its execution was reported (live or in an executions answer). */
  private emitCommission(execId: string): void {
    const commissionUsd = this.orders.commissionOf(execId);
    if (commissionUsd === undefined || !this.orders.firstCommissionReport(execId)) return;
    this.emit({ type: "commission", commission: { execId, commissionUsd, tsEventMs: this.options.now() } });
  }

  // ---- session lifecycle ----

  private startSession(): void {
    this.linkLost = false;
    this.farms.reset();
    const { clientId, serverVersion } = this.link.info();
    this.emit({ type: "connection", state: "connected", dataLost: false, code: null, message: `connected to TWS at ${this.options.host}:${this.options.port} as client id ${clientId} (server version ${serverVersion ?? "?"})`, tsEventMs: this.options.now() });
    // Problems seen in the previous session are gone with it; TWS re-announces its farms.
    this.refreshHealth(null, "new TWS session: no market data problem known");
    this.api.reqMarketDataType(marketDataTypeRequest(this.options.marketDataType));
    for (const subscription of this.marketData.wanted()) this.requestMarketData(subscription);
    this.requests.streamPositions(this.api); // manual trades in TWS arrive as position updates
  }

  private endSession(message: string): void {
    this.marketData.unbindAll();
    this.requests.abandon(message);
    this.history.abandon(message);
    this.emit({ type: "connection", state: "disconnected", dataLost: true, code: null, message, tsEventMs: this.options.now() });
  }

  private requestMarketData(subscription: Subscription): void {
    const reqId = this.nextRequestId++;
    this.marketData.bind(subscription, reqId);
    this.api.reqMktData(reqId, toIbContract(subscription.contract, this.options, this.conIdOf(subscription.contract)), "", false, false);
  }

  private conIdOf(contract: Contract): number | undefined {
    return this.link.conIds.get(contractKey(contract));
  }

  private sessionClient(what: string): IBApi {
    if (!this.link.isReady()) throw new BrokerError("not_connected", `${what}: not connected to TWS`);
    return this.api;
  }

  private emit(event: BrokerEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.options.log("error", `broker event listener failed on ${event.type}: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }
}
