// The fake TWS: a real TCP server speaking the TWS API wire protocol (server version
// 193) to the real, unmodified @stoqey/ib client. Tests script it through the public
// methods below: prices and greeks, fills and rejects, connectivity messages, drops.
import { createServer } from "node:net";
import type { Server } from "node:net";
import { matchesRequest, option, stock } from "./contract.ts";
import type { FakeContract, RequestedContract } from "./contract.ts";
import { FakeAccount, isWorking } from "./fake-account.ts";
import type { FakePosition, HeldOrderStatus } from "./fake-account.ts";
import type { FakeExecution } from "./messages/executions.ts";
import { position as positionMessage } from "./messages/account.ts";
import { errorMessage } from "./messages/connection.ts";
import { commissionReport, execDetails } from "./messages/executions.ts";
import type { FakeBar } from "./messages/historical.ts";
import { MARKET_DATA_TYPE, TICK, tickOptionComputation, tickPrice } from "./messages/market-data.ts";
import type { FakeGreeks } from "./messages/market-data.ts";
import { orderStatus } from "./messages/orders.ts";
import type { FakeOrderView } from "./messages/orders.ts";
import type { WireField } from "./framing.ts";
import type { ClientRequest } from "./requests.ts";
import { handleRequest } from "./request-handlers.ts";
import { FakeSession } from "./session.ts";

export interface FakeQuote {
  readonly bid?: number;
  readonly ask?: number;
  readonly last?: number;
}

/** What the fake does with an order when it arrives. */
export type OrderPolicy =
  | { readonly type: "work" }
  | { readonly type: "fill"; readonly commissionPerShare: number }
  /** Working but held while shares to short are located (404), shown as `shownAs` (default PreSubmitted); it never fills by itself. */
  | { readonly type: "hold_for_locate"; readonly shownAs?: HeldOrderStatus }
  | { readonly type: "reject"; readonly message: string };

export interface LoggedRequest {
  readonly sessionId: number;
  readonly clientId: number | null;
  readonly atMs: number;
  /** performance.now() when the message was read off the socket (for latency benchmarks). */
  readonly receivedAtPerfMs: number;
  readonly request: ClientRequest;
}

export interface FakeTwsOptions {
  readonly accounts?: readonly string[];
  readonly firstOrderId?: number;
  readonly now?: () => number;
}

const HOST = "127.0.0.1";

export class FakeTws {
  readonly account: FakeAccount;
  readonly requests: LoggedRequest[] = [];
  /** Client bytes the fake could not parse; a test suite expects none. */
  readonly protocolErrors: string[] = [];
  readonly sessions = new Set<FakeSession>();
  readonly contracts = new Map<number, FakeContract>();
  readonly quotes = new Map<string, FakeQuote>();
  readonly greeks = new Map<number, FakeGreeks>();
  readonly historicalBars = new Map<string, readonly FakeBar[]>();
  orderPolicy: OrderPolicy = { type: "work" };
  marketDataMode: "live" | "delayed" = "live";
  withholdNextValidId = false;
  /** Live fills report the commission before the execution (TWS sends them in either order). */
  commissionBeforeExecution = false;
  /** Live commissions (after their execution) wait for releaseCommissions(): TWS computes them a moment later. */
  withholdLiveCommissions = false;
  /**
   * Where a reqExecutions answer puts the commissions: behind each execution (usual); right behind
   * execDetailsEnd in the same socket write; or held back until releaseCommissions() (TWS
   * computes a commission a moment after the execution, so it can come after the answer ended).
   */
  commissionsOfExecutionsAnswer: "with_each_execution" | "after_end_same_write" | "withheld" = "with_each_execution";
  private readonly withheldCommissions: { readonly session: FakeSession; readonly message: WireField[] }[] = [];
  /** Pause inside every position dump, after its first position (0 = none). */
  positionDumpPauseMs = 0;
  /** Request types the fake answers with this error (sent with the request's id) instead of data. */
  readonly refusedRequests = new Map<ClientRequest["type"], { readonly code: number; readonly message: string }>();
  /** Request types the fake logs but never answers (a hung TWS), to exercise request timeouts. */
  readonly silentRequests = new Set<ClientRequest["type"]>();
  /** Client ids some other (imaginary) application holds: START_API with one gets 326. */
  readonly clientIdsInUse = new Set<number>();
  /** The lowest order id TWS hands out (nextValidId); each client's own orders push its ids higher. */
  nextOrderId: number;
  readonly now: () => number;
  private server: Server | null = null;
  private boundPort = 0;
  private sessionSeq = 0;
  private nextConId = 100_000;
  private readonly requestListeners = new Set<(entry: LoggedRequest) => void>();

  constructor(options: FakeTwsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.account = new FakeAccount(options.accounts ?? ["DU1234567"], this.now);
    this.nextOrderId = options.firstOrderId ?? 1;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Listens on loopback; on a restart, on the same port as before. */
  async start(port = this.boundPort): Promise<number> {
    const server = createServer((socket) => {
      const session = new FakeSession(
        ++this.sessionSeq, socket, (s, r) => this.receive(s, r), (s) => this.sessions.delete(s), (message) => this.protocolErrors.push(message),
      );
      this.sessions.add(session);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, HOST, () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === "object" && address ? address.port : port;
    this.server = server;
    return this.boundPort;
  }

  /** Closes the listener and every connection (TWS shut down). Account state is kept. */
  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start(this.boundPort);
  }

  dropConnections(): void {
    for (const session of [...this.sessions]) session.destroy();
  }

  // ---- scripting: connectivity ----

  /** Sends an error/info message with id -1 to every API session. */
  sendInfo(code: number, message = `fake TWS message ${code}`): void {
    for (const session of this.apiSessions()) session.send(errorMessage(-1, code, message));
  }

  connectivityLost(): void {
    this.sendInfo(1100, "Connectivity between IB and Trader Workstation has been lost.");
  }

  /** 1101 drops every market data subscription (the client must renew them); 1102 keeps them. */
  connectivityRestored(dataLost: boolean): void {
    if (dataLost) for (const session of this.sessions) session.marketData.clear();
    this.sendInfo(
      dataLost ? 1101 : 1102,
      dataLost ? "Connectivity between IB and TWS has been restored - data lost." : "Connectivity between IB and TWS has been restored - data maintained.",
    );
  }

  releaseNextValidId(): void {
    this.withholdNextValidId = false;
    for (const session of this.sessions) {
      if (session.owesNextValidId) {
        session.owesNextValidId = false;
        handleRequest(this, session, { type: "req_ids" });
      }
    }
  }

  // ---- scripting: instruments and market data ----

  stockContract(symbol: string): FakeContract {
    const existing = [...this.contracts.values()].find((c) => c.secType === "STK" && c.symbol === symbol);
    return existing ?? this.register(stock(symbol, this.nextConId++));
  }

  optionContract(symbol: string, expiryYmd: string, strike: number, right: "C" | "P"): FakeContract {
    const existing = [...this.contracts.values()].find(
      (c) => c.secType === "OPT" && c.symbol === symbol && c.lastTradeDate === expiryYmd && c.strike === strike && c.right === right,
    );
    return existing ?? this.register(option(symbol, expiryYmd, strike, right, this.nextConId++));
  }

  /** The registered contract a request names; stock is created on first use, unknown options are not. */
  resolve(requested: RequestedContract): FakeContract | null {
    const found = [...this.contracts.values()].find((c) => matchesRequest(c, requested));
    if (found) return found;
    return requested.secType === "STK" && requested.symbol !== "" ? this.stockContract(requested.symbol) : null;
  }

  setQuote(symbol: string, quote: FakeQuote): void {
    const merged = { ...this.quotes.get(symbol), ...quote };
    this.quotes.set(symbol, merged);
    const contract = this.stockContract(symbol);
    this.forEachSubscriber(contract, (session, reqId) => this.sendQuote(session, reqId, quote));
  }

  setGreeks(contract: FakeContract, greeks: FakeGreeks): void {
    this.greeks.set(contract.conId, greeks);
    this.forEachSubscriber(contract, (session, reqId) => this.sendGreeks(session, reqId, greeks));
  }

  sendQuote(session: FakeSession, reqId: number, quote: FakeQuote): void {
    const delayed = this.marketDataMode === "delayed";
    const size = 100;
    if (quote.bid !== undefined) session.send(tickPrice(reqId, delayed ? TICK.DELAYED_BID : TICK.BID, quote.bid, size));
    if (quote.ask !== undefined) session.send(tickPrice(reqId, delayed ? TICK.DELAYED_ASK : TICK.ASK, quote.ask, size));
    if (quote.last !== undefined) session.send(tickPrice(reqId, delayed ? TICK.DELAYED_LAST : TICK.LAST, quote.last, size));
  }

  sendGreeks(session: FakeSession, reqId: number, greeks: FakeGreeks): void {
    const tickType = this.marketDataMode === "delayed" ? TICK.DELAYED_MODEL_OPTION : TICK.MODEL_OPTION;
    session.send(tickOptionComputation(reqId, tickType, greeks));
  }

  marketDataTypeCode(): number {
    return this.marketDataMode === "delayed" ? MARKET_DATA_TYPE.DELAYED : MARKET_DATA_TYPE.LIVE;
  }

  // ---- scripting: account ----

  /** A position change made outside the API (a manual trade in TWS): streamed to position subscribers. */
  setPosition(contract: FakeContract, quantity: number, avgCost: number, account = this.account.defaultAccount): void {
    this.publishPosition(this.account.setPosition(account, contract, quantity, avgCost));
  }

  publishPosition(p: FakePosition): void {
    for (const session of this.apiSessions()) {
      if (session.positionsSubscribed) session.send(positionMessage(p.account, p.contract, p.quantity, p.avgCost));
    }
  }

  orderByRef(orderRef: string): FakeOrderView | undefined {
    return this.account.orders().find((o) => o.orderRef === orderRef);
  }

  /**
   * Executes part or all of a working order and reports it like TWS: execDetails, orderStatus,
   * commissionReport, position. `clientId` names the order when several clients have that id.
   */
  fillOrder(orderId: number, shares: number, price: number, commission = 1, clientId?: number): void {
    const { order, execution, position } = this.account.fill(orderId, shares, price, commission, clientId);
    for (const session of this.sessionsOfClient(order.clientId)) {
      const commissionMessage = commissionReport(execution.execId, commission, order.contract.currency);
      if (this.commissionBeforeExecution) session.send(commissionMessage);
      session.send(execDetails(-1, execution));
      session.send(orderStatus(order));
      if (!this.commissionBeforeExecution) this.sendLiveCommission(session, commissionMessage);
    }
    this.publishPosition(position);
  }

  /** Sends an execution report again, as TWS does after reconnects; clients must dedupe by exec id. */
  resendExecution(execId: string): void {
    const execution = this.account.executions().find((e) => e.execId === execId);
    if (!execution) throw new Error(`fake TWS has no execution ${execId}`);
    for (const session of this.sessionsOfClient(execution.clientId)) {
      session.send(execDetails(-1, execution));
      session.send(commissionReport(execution.execId, execution.commission, execution.contract.currency));
    }
  }

  /**
   * Publishes a correction of an execution as TWS does: the same report with the exec id's last
   * number bumped ("….01" -> "….02") and the corrected shares, price and commission; the account
   * keeps both (reqExecutions lists them) and its position moves by the difference.
   */
  correctExecution(execId: string, corrected: { readonly price?: number; readonly shares?: number; readonly commission?: number }): FakeExecution {
    const { execution, position } = this.account.correct(execId, corrected);
    for (const session of this.sessionsOfClient(execution.clientId)) {
      session.send(execDetails(-1, execution));
      this.sendLiveCommission(session, commissionReport(execution.execId, execution.commission, execution.contract.currency));
    }
    if (position) this.publishPosition(position);
    return execution;
  }

  /** Sends the commissions that reqExecutions answers held back (commissionsOfExecutionsAnswer = "withheld"). */
  releaseCommissions(): void {
    for (const { session, message } of this.withheldCommissions.splice(0)) session.send(message);
  }

  private sendLiveCommission(session: FakeSession, message: WireField[]): void {
    if (this.withholdLiveCommissions) this.withholdCommission(session, message);
    else session.send(message);
  }

  withholdCommission(session: FakeSession, message: WireField[]): void {
    this.withheldCommissions.push({ session, message });
  }

  rejectOrder(orderId: number, message = "Order rejected - reason: fake TWS rejects this order", clientId?: number): void {
    const order = this.account.setStatus(orderId, "Inactive", clientId);
    for (const session of this.sessionsOfClient(order.clientId)) {
      session.send(errorMessage(orderId, 201, message));
      session.send(orderStatus(order));
    }
  }

  /**
   * TWS holds a working order while it locates shares to short: status PreSubmitted (or Inactive,
   * which TWS also shows for such orders), whyHeld "locate", and error 404.
   */
  holdOrderForLocate(orderId: number, clientId?: number, shownAs: HeldOrderStatus = "PreSubmitted"): void {
    const order = this.account.hold(orderId, "locate", shownAs, clientId);
    for (const session of this.sessionsOfClient(order.clientId)) {
      session.send(orderStatus(order));
      session.send(errorMessage(orderId, 404, "Order held while securities are located."));
    }
  }

  cancelOrderFromTws(orderId: number, clientId?: number): void {
    const order = this.account.setStatus(orderId, "Cancelled", clientId);
    for (const session of this.sessionsOfClient(order.clientId)) {
      session.send(errorMessage(orderId, 202, "Order Canceled - reason:"));
      session.send(orderStatus(order));
    }
  }

  workingOrders(): FakeOrderView[] {
    return this.account.orders().filter(isWorking);
  }

  // ---- observing what the client sent ----

  onRequest(listener: (entry: LoggedRequest) => void): () => void {
    this.requestListeners.add(listener);
    return () => this.requestListeners.delete(listener);
  }

  requestsOf<T extends ClientRequest["type"]>(type: T): (LoggedRequest & { request: Extract<ClientRequest, { type: T }> })[] {
    return this.requests.filter((e): e is LoggedRequest & { request: Extract<ClientRequest, { type: T }> } => e.request.type === type);
  }

  /** Resolves with the first request (already logged or still to come) that matches. */
  waitForRequest<T extends ClientRequest["type"]>(
    type: T,
    predicate: (request: Extract<ClientRequest, { type: T }>) => boolean = () => true,
    fromIndex = 0,
    timeoutMs = 5_000,
  ): Promise<Extract<ClientRequest, { type: T }>> {
    const matches = (e: LoggedRequest): e is LoggedRequest & { request: Extract<ClientRequest, { type: T }> } =>
      e.request.type === type && predicate(e.request as Extract<ClientRequest, { type: T }>);
    const seen = this.requests.slice(fromIndex).find(matches);
    if (seen) return Promise.resolve(seen.request);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`fake TWS: no ${type} request within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onRequest((e) => {
        if (!matches(e)) return;
        clearTimeout(timer);
        stop();
        resolve(e.request);
      });
    });
  }

  // ---- internals shared with the request handlers ----

  apiSessions(): FakeSession[] {
    return [...this.sessions].filter((s) => s.clientId !== null && s.isOpen);
  }

  sessionsOfClient(clientId: number): FakeSession[] {
    return this.apiSessions().filter((s) => s.clientId === clientId);
  }

  private forEachSubscriber(contract: FakeContract, send: (session: FakeSession, reqId: number) => void): void {
    for (const session of this.apiSessions()) {
      for (const [reqId, sub] of session.marketData) if (sub.contract.conId === contract.conId) send(session, reqId);
    }
  }

  private register(contract: FakeContract): FakeContract {
    this.contracts.set(contract.conId, contract);
    return contract;
  }

  private receive(session: FakeSession, request: ClientRequest): void {
    const entry = { sessionId: session.id, clientId: session.clientId, atMs: this.now(), receivedAtPerfMs: performance.now(), request };
    this.requests.push(entry);
    const refusal = this.refusedRequests.get(request.type);
    if (refusal && "reqId" in request) session.send(errorMessage(request.reqId, refusal.code, refusal.message));
    else if (!this.silentRequests.has(request.type)) handleRequest(this, session, request);
    for (const listener of [...this.requestListeners]) listener(entry);
  }
}
