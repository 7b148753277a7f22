// The fake's view of an instrument, in the field order TWS puts on the wire.
import type { WireField } from "./framing.ts";

export interface FakeContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: "STK" | "OPT";
  /** `YYYYMMDD` for options, "" for stock. */
  readonly lastTradeDate: string;
  readonly strike: number;
  readonly right: "C" | "P" | "";
  readonly multiplier: number;
  readonly exchange: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
}

/** A request's contract as the client sent it (conId may be 0 = unknown). */
export interface RequestedContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDate: string;
  readonly strike: number;
  readonly right: string;
  readonly multiplier: string;
  readonly exchange: string;
  readonly currency: string;
}

export function stock(symbol: string, conId: number): FakeContract {
  return {
    conId, symbol, secType: "STK", lastTradeDate: "", strike: 0, right: "", multiplier: 1,
    exchange: "SMART", currency: "USD", localSymbol: symbol, tradingClass: symbol,
  };
}

export function option(symbol: string, expiryYmd: string, strike: number, right: "C" | "P", conId: number): FakeContract {
  return {
    conId, symbol, secType: "OPT", lastTradeDate: expiryYmd, strike, right, multiplier: 100,
    exchange: "SMART", currency: "USD", localSymbol: `${symbol} ${expiryYmd.slice(2)}${right}${strike}`, tradingClass: symbol,
  };
}

/** Same instrument? conId wins when the request carries one; otherwise the descriptive fields must agree. */
export function matchesRequest(contract: FakeContract, requested: RequestedContract): boolean {
  if (requested.conId > 0) return requested.conId === contract.conId;
  if (requested.symbol !== contract.symbol || requested.secType !== contract.secType) return false;
  if (contract.secType === "STK") return true;
  return (
    requested.lastTradeDate === contract.lastTradeDate &&
    requested.strike === contract.strike &&
    requested.right === contract.right
  );
}

/** conId, symbol, secType, lastTradeDate, strike, right, multiplier, exchange, currency, localSymbol, tradingClass. */
export function contractWireFields(contract: FakeContract): WireField[] {
  return [
    contract.conId, contract.symbol, contract.secType, contract.lastTradeDate, contract.strike, contract.right,
    contract.multiplier, contract.exchange, contract.currency, contract.localSymbol, contract.tradingClass,
  ];
}
