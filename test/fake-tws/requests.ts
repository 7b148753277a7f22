// Client -> server messages the fake understands, parsed from their wire fields
// (layouts of @stoqey/ib 1.6.10 talking to server version 193).
import type { RequestedContract } from "./contract.ts";

export type ClientRequest =
  | { readonly type: "start_api"; readonly clientId: number }
  | { readonly type: "req_mkt_data"; readonly reqId: number; readonly contract: RequestedContract; readonly snapshot: boolean }
  | { readonly type: "cancel_mkt_data"; readonly reqId: number }
  | {
      readonly type: "place_order";
      readonly orderId: number;
      readonly contract: RequestedContract;
      readonly action: "BUY" | "SELL";
      readonly totalQuantity: number;
      readonly orderType: string;
      readonly limitPrice: number | null;
      readonly tif: string;
      readonly account: string;
      readonly orderRef: string;
    }
  | { readonly type: "cancel_order"; readonly orderId: number }
  | { readonly type: "req_open_orders"; readonly scope: "client" | "all" }
  | { readonly type: "req_executions"; readonly reqId: number; readonly filter: ExecutionFilter }
  | { readonly type: "req_ids" }
  | { readonly type: "req_contract_details"; readonly reqId: number; readonly contract: RequestedContract }
  | {
      readonly type: "req_historical_data";
      readonly reqId: number;
      readonly contract: RequestedContract;
      readonly endDateTime: string;
      readonly barSize: string;
      readonly duration: string;
      readonly regularHoursOnly: boolean;
      readonly whatToShow: string;
      readonly formatDate: number;
    }
  | { readonly type: "req_market_data_type"; readonly marketDataType: number }
  | { readonly type: "req_positions" }
  | { readonly type: "cancel_positions" }
  | { readonly type: "unknown"; readonly messageId: number; readonly fields: readonly string[] };

export interface ExecutionFilter {
  readonly clientId: number;
  readonly account: string;
  /** `yyyymmdd-hh:mm:ss` (UTC) or `yyyymmdd hh:mm:ss`; "" = no time filter. */
  readonly time: string;
  readonly symbol: string;
  readonly secType: string;
  readonly side: string;
}

/** Field reader with errors that name the message and position. */
class Fields {
  constructor(private readonly fields: readonly string[], private readonly what: string) {}
  str(i: number): string {
    const value = this.fields[i];
    if (value === undefined) throw new Error(`${this.what}: field ${i} missing (message has ${this.fields.length} fields)`);
    return value;
  }
  int(i: number): number {
    const text = this.str(i);
    return text === "" ? 0 : Number.parseInt(text, 10);
  }
  num(i: number): number {
    const text = this.str(i);
    return text === "" ? 0 : Number.parseFloat(text);
  }
  optionalNum(i: number): number | null {
    const text = this.str(i);
    return text === "" ? null : Number.parseFloat(text);
  }
  fromEnd(back: number): string {
    return this.str(this.fields.length - back);
  }
  /** conId, symbol, secType, lastTradeDate, strike, right, multiplier, exchange, primaryExchange, currency from index i. */
  contractAt(i: number): RequestedContract {
    return {
      conId: this.int(i), symbol: this.str(i + 1), secType: this.str(i + 2), lastTradeDate: this.str(i + 3),
      strike: this.num(i + 4), right: this.str(i + 5), multiplier: this.str(i + 6), exchange: this.str(i + 7),
      currency: this.str(i + 9),
    };
  }
}

export function parseClientRequest(fields: readonly string[]): ClientRequest {
  const messageId = Number.parseInt(fields[0] ?? "", 10);
  const f = new Fields(fields, `client message ${messageId}`);
  switch (messageId) {
    case 71:
      return { type: "start_api", clientId: f.int(2) };
    case 1: // 1, 11, reqId, contract(conId..tradingClass), deltaNeutral, genericTicks, snapshot, regulatorySnapshot, options
      return { type: "req_mkt_data", reqId: f.int(2), contract: f.contractAt(3), snapshot: f.fromEnd(3) === "1" };
    case 2:
      return { type: "cancel_mkt_data", reqId: f.int(2) };
    case 3: {
      const action = f.str(16);
      if (action !== "BUY" && action !== "SELL") throw new Error(`place order action was ${JSON.stringify(action)}, expected BUY or SELL`);
      return {
        type: "place_order", orderId: f.int(1), contract: f.contractAt(2), action,
        totalQuantity: f.num(17), orderType: f.str(18), limitPrice: f.optionalNum(19), tif: f.str(21),
        account: f.str(23), orderRef: f.str(26),
      };
    }
    case 4:
      return { type: "cancel_order", orderId: f.int(1) };
    case 5:
      return { type: "req_open_orders", scope: "client" };
    case 16:
      return { type: "req_open_orders", scope: "all" };
    case 7:
      return {
        type: "req_executions", reqId: f.int(2),
        filter: { clientId: f.int(3), account: f.str(4), time: f.str(5), symbol: f.str(6), secType: f.str(7), side: f.str(9) },
      };
    case 8:
      return { type: "req_ids" };
    case 9: // 9, 8, reqId, conId, symbol, secType, lastTradeDate, strike, right, multiplier, exchange, primaryExch, currency, ...
      return { type: "req_contract_details", reqId: f.int(2), contract: f.contractAt(3) };
    case 20: // 20, reqId, contract (conId..tradingClass), includeExpired, endDateTime, barSize, duration, useRTH, whatToShow, ...
      return {
        type: "req_historical_data", reqId: f.int(1), contract: f.contractAt(2),
        endDateTime: f.str(15), barSize: f.str(16), duration: f.str(17), regularHoursOnly: f.str(18) === "1", whatToShow: f.str(19),
        formatDate: f.int(20),
      };
    case 59:
      return { type: "req_market_data_type", marketDataType: f.int(2) };
    case 61:
      return { type: "req_positions" };
    case 64:
      return { type: "cancel_positions" };
    default:
      return { type: "unknown", messageId, fields };
  }
}
