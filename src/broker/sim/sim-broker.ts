// The simulated broker: the same Broker port as IB, backed by an in-memory account and
// a quote the market feed (or a test) pushes in. It only simulates the venue: quotes,
// acks, fills, commissions, positions. Hedge logic never lives here.
import type { Contract, OptionContract, Position } from "../../core/instrument.ts";
import { contractKey } from "../../core/instrument.ts";
import type { CommissionReport, ExecutionReport, HedgeOrder, OpenOrder } from "../../core/order.ts";
import type { Broker, BrokerConnectionInfo, BrokerEvent, BrokerEventListener } from "../port.ts";
import { BrokerError } from "../port.ts";
import type { SimExecutionCosts, SimTouch } from "./sim-fills.ts";
import { commissionUsd, limitFillPrice, marketableFillPrice, quoteAround } from "./sim-fills.ts";

/** Wall-clock timers plus "now" in market time; tests inject a fake one. */
export interface SimClock {
  nowMs(): number;
  setTimer(delayMs: number, run: () => void): () => void;
}

export interface OptionMark {
  readonly price: number;
  readonly impliedVol: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

/** Prices an option off the underlying; the factory wires core's Black-Scholes and an IV series. */
export type OptionMarker = (option: OptionContract, spot: number, tsMs: number) => OptionMark | null;

export interface SimBrokerOptions {
  readonly symbol: string;
  readonly account: string;
  readonly clock: SimClock;
  readonly costs: SimExecutionCosts;
  readonly halfSpreadBps: number;
  /** Delay from placeOrder to the "submitted" ack. */
  readonly ackLatencyMs: number;
  /** Delay from placeOrder to the execution report. */
  readonly fillLatencyMs: number;
  /** Delay from cancelOrder to the "cancelled" report. */
  readonly cancelLatencyMs: number;
  /** Delay of the commission report after its execution (IB sends it separately); 0 = at once. */
  readonly commissionLatencyMs?: number;
  /**
   * Delay of the execution report after the order's status (IB may report "Filled" before its
   * execDetails); 0 = the execution first, then the status.
   */
  readonly executionReportLatencyMs?: number;
  readonly markOption: OptionMarker;
  readonly initialAccount: SimAccountState;
}

/** Everything the venue remembers; serialisable so a daemon restart finds the same account. */
export interface SimAccountState {
  readonly positions: readonly Position[];
  readonly executions: readonly { execution: ExecutionReport; commission: CommissionReport }[];
  readonly nextOrderId: number;
}

/** What the venue does with the next order (tests script partial fills, rejects, stuck orders). */
export type SimOrderScript =
  | { readonly type: "fill" }
  | { readonly type: "partial"; readonly fillShares: number }
  /** Filled in full, in two executions: `firstShares`, then the rest. */
  | { readonly type: "split"; readonly firstShares: number }
  | { readonly type: "reject"; readonly reason: string }
  /** placeOrder itself throws (the order never reaches the venue). */
  | { readonly type: "refuse_send"; readonly reason: string }
  | { readonly type: "hold" };

/** The account queries a reconciliation makes. */
export type SimAccountQuery = "openOrders" | "executionsSince" | "positions";

interface WorkingOrder {
  readonly order: HedgeOrder;
  readonly brokerOrderId: number;
  filledShares: number;
  status: OpenOrder["status"];
  readonly cancelTimers: (() => void)[];
}

export class SimBroker implements Broker {
  readonly name = "sim" as const;
  readonly capabilities = { modelGreeks: true, partialFills: true, historicalBars: false } as const;

  private readonly listeners = new Set<BrokerEventListener>();
  private readonly subscribed = new Map<string, Contract>();
  private readonly working = new Map<string, WorkingOrder>();
  private readonly scripts: SimOrderScript[] = [];
  private readonly beforeAnswers = new Map<SimAccountQuery, () => void>();
  private defaultScript: SimOrderScript = { type: "fill" };
  private readonly positionBook = new Map<string, Position>();
  private readonly executions: { execution: ExecutionReport; commission: CommissionReport }[];
  private nextOrderId: number;
  private connected = false;
  private refusing = false;
  private touch: SimTouch | null = null;
  private mid: number | null = null;

  constructor(private readonly options: SimBrokerOptions) {
    for (const position of options.initialAccount.positions) this.positionBook.set(contractKey(position.contract), position);
    this.executions = [...options.initialAccount.executions];
    this.nextOrderId = options.initialAccount.nextOrderId;
  }

  // --- test and feed controls --------------------------------------------------------
  /** While true, connect() rejects as if the gateway were down. */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  /** Simulates losing the gateway: orders are refused until connect() succeeds again. */
  dropConnection(): void {
    if (!this.connected) return;
    this.connected = false;
    this.emit({ type: "connection", state: "lost", dataLost: true, code: 1100, message: "sim connection dropped", tsEventMs: this.nowMs() });
  }

  /** Queues what the venue does with the next orders, in order; unscripted orders fill in full. */
  scriptNextOrder(script: SimOrderScript): void {
    this.scripts.push(script);
  }

  /** Every later unscripted order gets this treatment (e.g. hold: orders stay working). */
  setDefaultScript(script: SimOrderScript): void {
    this.defaultScript = script;
  }

  /** The venue ends a working order on its own (TWS cancels a held order): reported cancelled with `reason`. */
  cancelAtVenue(orderRef: string, reason: string): void {
    const working = this.working.get(orderRef);
    if (working) this.cancelWorking(working, reason);
  }

  /** The rest of a working (held) order fills now, reported like every other fill. */
  fillWorkingOrder(orderRef: string): void {
    const working = this.working.get(orderRef);
    if (working) this.fillShares(working, working.order.quantityShares - working.filledShares);
  }

  /** Runs `happen` the next time the account is asked `query`, before it answers (the venue moving while gs reconciles). */
  beforeNextAnswer(query: SimAccountQuery, happen: () => void): void {
    this.beforeAnswers.set(query, happen);
  }

  /** New mid price of the underlying at market time `tsMs`, quoted with the configured spread. */
  pushPrice(mid: number, tsMs: number = this.nowMs()): void {
    this.pushQuote(quoteAround(mid, this.options.halfSpreadBps), tsMs);
  }

  /** An exact quote of the underlying: streamed to subscribers with the option greeks. */
  pushQuote(touch: SimTouch, tsMs: number = this.nowMs()): void {
    this.touch = touch;
    this.mid = (touch.bid + touch.ask) / 2;
    if (!this.connected) return;
    // Option greeks first: the quote that triggers a decision then meets greeks at this price.
    for (const contract of this.subscribed.values()) if (contract.secType === "OPT") this.emitMarketData(contract, tsMs);
    for (const contract of this.subscribed.values()) if (contract.secType === "STK") this.emitMarketData(contract, tsMs);
  }

  /** A trade made outside gs (by hand at the venue): the position changes and is reported once. */
  setPosition(position: Position): void {
    this.positionBook.set(contractKey(position.contract), position);
    if (this.connected) this.emit({ type: "position", position, tsEventMs: this.nowMs() });
  }

  accountState(): SimAccountState {
    return { positions: [...this.positionBook.values()], executions: [...this.executions], nextOrderId: this.nextOrderId };
  }

  // --- Broker port ---------------------------------------------------------------------
  async connect(): Promise<BrokerConnectionInfo> {
    if (this.refusing) throw new BrokerError("temporary", "sim broker refused the connection (gateway down)", 502);
    this.connected = true;
    this.emit({ type: "connection", state: "connected", dataLost: false, code: null, message: "sim connected", tsEventMs: this.nowMs() });
    return { clientId: 0, serverVersion: null, accounts: [this.options.account] };
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.emit({ type: "connection", state: "disconnected", dataLost: false, code: null, message: "sim disconnected", tsEventMs: this.nowMs() });
  }

  isConnected(): boolean {
    return this.connected;
  }

  onEvent(listener: BrokerEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeMarketData(contracts: readonly Contract[]): void {
    for (const contract of contracts) this.subscribed.set(contractKey(contract), contract);
    if (this.mid !== null && this.connected) for (const contract of contracts) this.emitMarketData(contract, this.nowMs());
  }

  unsubscribeMarketData(contracts: readonly Contract[]): void {
    for (const contract of contracts) this.subscribed.delete(contractKey(contract));
  }

  async positions(): Promise<Position[]> {
    this.answering("positions");
    this.emit({ type: "positions_end", tsEventMs: this.nowMs() });
    return [...this.positionBook.values()].filter((position) => position.quantity !== 0);
  }

  async openOrders(): Promise<OpenOrder[]> {
    this.answering("openOrders");
    return [...this.working.values()].map((working) => ({
      orderRef: working.order.orderRef,
      brokerOrderId: working.brokerOrderId,
      symbol: working.order.symbol,
      side: working.order.side,
      quantityShares: working.order.quantityShares,
      filledShares: working.filledShares,
      status: working.status,
    }));
  }

  async executionsSince(sinceMs: number): Promise<{ execution: ExecutionReport; commission: CommissionReport | null }[]> {
    this.answering("executionsSince");
    return this.executions.filter((entry) => entry.execution.tsEventMs >= sinceMs);
  }

  placeOrder(order: HedgeOrder): number {
    this.requireConnected();
    if (!Number.isInteger(order.quantityShares) || order.quantityShares <= 0) {
      throw new BrokerError("operational", `order quantity was ${order.quantityShares}, expected a positive whole number of shares`);
    }
    if (this.working.has(order.orderRef)) {
      throw new BrokerError("operational", `orderRef was ${order.orderRef}, expected one not already working`);
    }
    const script = this.scripts.shift() ?? this.defaultScript;
    if (script.type === "refuse_send") throw new BrokerError("temporary", script.reason);
    const brokerOrderId = this.nextOrderId++;
    const working: WorkingOrder = { order, brokerOrderId, filledShares: 0, status: "pending_submit", cancelTimers: [] };
    this.working.set(order.orderRef, working);
    const { clock } = this.options;
    working.cancelTimers.push(clock.setTimer(this.options.ackLatencyMs, () => this.acknowledge(working, script)));
    working.cancelTimers.push(clock.setTimer(Math.max(this.options.ackLatencyMs, this.options.fillLatencyMs), () => this.execute(working, script)));
    return brokerOrderId;
  }

  cancelOrder(orderRef: string): void {
    this.requireConnected();
    const working = this.working.get(orderRef);
    if (!working) return;
    this.options.clock.setTimer(this.options.cancelLatencyMs, () => {
      if (this.working.has(orderRef)) this.cancelWorking(working, null);
    });
  }

  // --- venue internals -------------------------------------------------------------------
  private cancelWorking(working: WorkingOrder, reason: string | null): void {
    for (const cancel of working.cancelTimers) cancel();
    this.working.delete(working.order.orderRef);
    working.status = "cancelled";
    this.emitStatus(working, reason);
  }

  private answering(query: SimAccountQuery): void {
    this.requireConnected();
    const happen = this.beforeAnswers.get(query);
    this.beforeAnswers.delete(query);
    happen?.();
  }

  private acknowledge(working: WorkingOrder, script: SimOrderScript): void {
    if (script.type === "reject") {
      this.working.delete(working.order.orderRef);
      working.status = "rejected";
      this.emitStatus(working, script.reason);
      return;
    }
    working.status = "submitted";
    this.emitStatus(working, null);
  }

  private execute(working: WorkingOrder, script: SimOrderScript): void {
    if (!this.working.has(working.order.orderRef) || !this.touch) return;
    switch (script.type) {
      case "reject":
      case "hold":
      case "refuse_send":
        return;
      case "partial":
        this.fillShares(working, Math.min(script.fillShares, working.order.quantityShares - 1));
        return;
      case "split":
        this.fillShares(working, Math.min(script.firstShares, working.order.quantityShares - 1));
        this.fillShares(working, working.order.quantityShares - working.filledShares);
        return;
      case "fill":
        this.fillShares(working, working.order.quantityShares - working.filledShares);
        return;
      default: {
        const unreachable: never = script;
        throw new Error(`unknown sim order script ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private fillShares(working: WorkingOrder, shares: number): void {
    const { order } = working;
    const touch = this.touch;
    if (shares <= 0 || !touch) return;
    const price =
      order.orderType === "limit" && order.limitPrice !== undefined
        ? limitFillPrice(order.side, order.limitPrice, touch, this.options.costs)
        : marketableFillPrice(order.side, touch, this.options.costs);
    if (price === null) return;
    const tsEventMs = this.nowMs();
    working.filledShares += shares;
    const done = working.filledShares >= order.quantityShares;
    working.status = done ? "filled" : "partially_filled";
    if (done) this.working.delete(order.orderRef);
    const execId = `sim.${working.brokerOrderId}.${working.filledShares}`;
    const execution: ExecutionReport = {
      execId,
      orderRef: order.orderRef,
      brokerOrderId: working.brokerOrderId,
      symbol: order.symbol,
      side: order.side,
      shares,
      price,
      cumulativeShares: working.filledShares,
      tsEventMs,
    };
    const commission: CommissionReport = { execId, commissionUsd: commissionUsd(shares, this.options.costs), tsEventMs };
    this.executions.push({ execution, commission });
    this.bookStock(order.symbol, order.side === "BUY" ? shares : -shares, price);
    const executionLatencyMs = this.options.executionReportLatencyMs ?? 0;
    if (executionLatencyMs > 0) {
      this.emitStatus(working, null);
      this.options.clock.setTimer(executionLatencyMs, () => this.reportExecution(execution, commission));
      return;
    }
    this.reportExecution(execution, commission);
    this.emitStatus(working, null);
  }

  private reportExecution(execution: ExecutionReport, commission: CommissionReport): void {
    this.emit({ type: "execution", execution });
    const commissionLatencyMs = this.options.commissionLatencyMs ?? 0;
    if (commissionLatencyMs > 0) this.options.clock.setTimer(commissionLatencyMs, () => this.emit({ type: "commission", commission }));
    else this.emit({ type: "commission", commission });
  }

  private bookStock(symbol: string, signedShares: number, price: number): void {
    const contract: Contract = { secType: "STK", symbol };
    const key = contractKey(contract);
    const before = this.positionBook.get(key);
    const quantity = (before?.quantity ?? 0) + signedShares;
    const growing = before === undefined || Math.sign(before.quantity) !== Math.sign(quantity) || Math.abs(quantity) > Math.abs(before.quantity);
    const avgCost = quantity === 0 ? 0 : growing && before && Math.sign(before.quantity) === Math.sign(quantity)
      ? (before.avgCost * before.quantity + price * signedShares) / quantity
      : growing ? price : (before?.avgCost ?? price);
    const position: Position = { contract, quantity, avgCost, account: this.options.account };
    this.positionBook.set(key, position);
    this.emit({ type: "position", position, tsEventMs: this.nowMs() });
  }

  private emitMarketData(contract: Contract, tsMs: number): void {
    const touch = this.touch;
    const mid = this.mid;
    if (!touch || mid === null) return;
    if (contract.secType === "STK") {
      if (contract.symbol !== this.options.symbol) return;
      this.emit({ type: "quote", symbol: contract.symbol, bid: touch.bid, ask: touch.ask, last: mid, kind: "live", tsEventMs: tsMs });
      return;
    }
    const mark = this.options.markOption(contract, mid, tsMs);
    this.emit({
      type: "option_greeks",
      contractKey: contractKey(contract),
      impliedVol: mark?.impliedVol ?? null,
      delta: mark?.delta ?? null,
      gamma: mark?.gamma ?? null,
      vega: mark?.vega ?? null,
      theta: mark?.theta ?? null,
      optionPrice: mark?.price ?? null,
      underlyingPrice: mid,
      tsEventMs: tsMs,
    });
  }

  private emitStatus(working: WorkingOrder, reason: string | null): void {
    this.emit({
      type: "order_status",
      orderRef: working.order.orderRef,
      brokerOrderId: working.brokerOrderId,
      status: working.status,
      filledShares: working.filledShares,
      remainingShares: working.order.quantityShares - working.filledShares,
      reason,
      tsEventMs: this.nowMs(),
    });
  }

  private requireConnected(): void {
    if (!this.connected) throw new BrokerError("not_connected", "sim broker was disconnected, expected a connection");
  }

  private nowMs(): number {
    return this.options.clock.nowMs();
  }

  private emit(event: BrokerEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
