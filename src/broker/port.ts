// The one Broker interface. `sim/` and `ib/` implement it; the daemon and backtest
// only ever talk to this. Nothing outside `broker/ib` imports @stoqey/ib.
import type { OhlcvBar } from "../core/bar.ts";
import type { OptionGreeksInput, QuoteKind } from "../core/hedger-inputs.ts";
import type { Contract, Position } from "../core/instrument.ts";
import type {
  BrokerOrderStatus,
  CommissionReport,
  ExecutionReport,
  HedgeOrder,
  OpenOrder,
} from "../core/order.ts";

export interface BrokerCapabilities {
  /** The broker streams model greeks for options (IB tickOptionComputation). */
  readonly modelGreeks: boolean;
  /** Partial fills can happen. */
  readonly partialFills: boolean;
  /** Historical bars can be requested. */
  readonly historicalBars: boolean;
}

export interface BrokerConnectionInfo {
  readonly clientId: number;
  readonly serverVersion: number | null;
  readonly accounts: readonly string[];
}

/** Market data quality the adapter reports; delayed data is only usable when configured. */
export type MarketDataKind = QuoteKind;

export type BrokerEvent =
  | {
      readonly type: "connection";
      /** lost: socket or TWS<->IB link down (no orders); restored: back up. */
      readonly state: "connected" | "lost" | "restored" | "disconnected";
      /** On "restored": the broker lost data, so subscriptions must be renewed. */
      readonly dataLost: boolean;
      readonly code: number | null;
      readonly message: string;
      readonly tsEventMs: number;
    }
  | {
      readonly type: "market_data_health";
      readonly ok: boolean;
      readonly code: number | null;
      readonly message: string;
      readonly tsEventMs: number;
    }
  | {
      readonly type: "quote";
      readonly symbol: string;
      readonly bid: number | null;
      readonly ask: number | null;
      readonly last: number | null;
      readonly kind: MarketDataKind;
      readonly tsEventMs: number;
    }
  | ({
      readonly type: "option_greeks";
      /** contractKey() of the option. Any greek the broker did not compute is null (IB's -1/-2 sentinels). */
      readonly contractKey: string;
      readonly underlyingPrice: number | null;
    } & OptionGreeksInput)
  | { readonly type: "position"; readonly position: Position; readonly tsEventMs: number }
  | {
      /**
       * A positions() answer is complete: emitted once per answer, synchronously, before its
       * promise resolves and before any later report. The answer holds every position reported
       * before this event and nothing reported after it: a listener handling events in order
       * knows exactly which reports (and executions) are newer than the answer.
       */
      readonly type: "positions_end";
      readonly tsEventMs: number;
    }
  | {
      readonly type: "order_status";
      readonly orderRef: string;
      readonly brokerOrderId: number;
      readonly status: BrokerOrderStatus;
      readonly filledShares: number;
      readonly remainingShares: number;
      /** Broker's error/reject text with its code, when the status is a rejection. */
      readonly reason: string | null;
      readonly tsEventMs: number;
    }
  | {
      /** The broker says something about a working order that does not end it (IB 404: held while shares to short are located). */
      readonly type: "order_warning";
      readonly orderRef: string;
      readonly brokerOrderId: number;
      readonly code: number | null;
      readonly message: string;
      readonly tsEventMs: number;
    }
  | { readonly type: "execution"; readonly execution: ExecutionReport }
  | { readonly type: "commission"; readonly commission: CommissionReport };

export type BrokerEventListener = (event: BrokerEvent) => void;

/** Raised by broker calls; `kind` says what the operator or daemon should do about it. */
export class BrokerError extends Error {
  constructor(
    /** temporary: retry later; operational: stop and page a human; not_connected: wait for the broker. */
    readonly kind: "temporary" | "operational" | "not_connected" | "timeout",
    message: string,
    readonly code: number | null = null,
  ) {
    super(message);
    this.name = "BrokerError";
  }
}

/** One historical-bars request (one IB reqHistoricalData); pacing between requests is the caller's. */
export interface HistoricalBarsRequest {
  readonly symbol: string;
  /** Bar size in seconds (60, 300, ...). */
  readonly barSeconds: number;
  /** The window is [startMs, endMs): bars starting in it, epoch ms UTC. */
  readonly startMs: number;
  readonly endMs: number;
  /** Regular trading hours only (IB useRTH=1). */
  readonly regularHoursOnly: boolean;
  /**
   * What the bars measure: trades of the underlying (default), or the implied volatility of its
   * options (IB whatToShow OPTION_IMPLIED_VOLATILITY; values as fractions, 0.15 = 15 %).
   */
  readonly what?: "trades" | "implied_volatility";
}

/** A historical bar of the underlying, labelled at its start (epoch ms UTC). */
export type HistoricalBar = OhlcvBar;

export interface Broker {
  readonly name: "sim" | "ib";
  readonly capabilities: BrokerCapabilities;
  /** Resolves once the broker accepts orders; rejects with BrokerError (timeout, refused, ...). */
  connect(): Promise<BrokerConnectionInfo>;
  disconnect(): Promise<void>;
  /** True only while an order placed now would reach the market now. */
  isConnected(): boolean;
  onEvent(listener: BrokerEventListener): () => void;
  /** Stream quotes (stock) and greeks (options); renewed by the adapter after a reconnect. */
  subscribeMarketData(contracts: readonly Contract[]): void;
  /**
   * Stop streaming these contracts (legs no longer held: IB caps a session's market data
   * lines, so a daemon that rolls for months must give them back); not renewed after a
   * reconnect. Contracts not subscribed are ignored.
   */
  unsubscribeMarketData(contracts: readonly Contract[]): void;
  /** The account's positions now (none with quantity 0); emits `positions_end` where the answer is taken. */
  positions(): Promise<Position[]>;
  openOrders(): Promise<OpenOrder[]>;
  /** Executions since `sinceMs` (with their commissions when known), for reconciliation. */
  executionsSince(sinceMs: number): Promise<{ execution: ExecutionReport; commission: CommissionReport | null }[]>;
  /** Sends the order now or throws BrokerError("not_connected"); never queues it for later. */
  placeOrder(order: HedgeOrder): number;
  cancelOrder(orderRef: string): void;
  /**
   * Historical bars of the underlying (trades, or its options' implied vol) for one window;
   * present when capabilities.historicalBars.
   * Rejects with BrokerError (timeout, pacing violation as "temporary", no permission).
   */
  historicalBars?(request: HistoricalBarsRequest): Promise<HistoricalBar[]>;
}
