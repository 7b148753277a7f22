// The fake's request parser against @stoqey/ib's own Encoder (server version 193) as the
// oracle: what the real client writes must parse back to what it was asked to send.
import { describe, expect, test } from "bun:test";
import { OptionType, OrderAction, OrderType, SecType, TimeInForce } from "@stoqey/ib";
import type { Contract } from "@stoqey/ib";
import { Encoder } from "@stoqey/ib/dist/core/io/encoder";
import type { EncoderCallbacks } from "@stoqey/ib/dist/core/io/encoder";
import { SERVER_VERSION } from "./messages/connection.ts";
import { parseClientRequest } from "./requests.ts";

/** What Socket.send puts on the wire: nested arrays flattened, booleans as 1/0, undefined as "". */
function wireFields(tokens: readonly unknown[]): string[] {
  return tokens.flat(Number.POSITIVE_INFINITY).map((t) => (t === true ? "1" : t === false ? "0" : t === undefined || t === null ? "" : String(t)));
}

function encode(send: (encoder: Encoder) => void): string[] {
  const sent: string[][] = [];
  const errors: string[] = [];
  const callbacks: EncoderCallbacks = {
    serverVersion: SERVER_VERSION,
    sendMsg: (...tokens) => void sent.push(wireFields(tokens)),
    emitError: (message) => void errors.push(message),
  };
  send(new Encoder(callbacks));
  expect(errors).toEqual([]);
  expect(sent.length).toBe(1);
  return sent[0] ?? [];
}

const SPY: Contract = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const CALL: Contract = { conId: 9001, symbol: "SPY", secType: SecType.OPT, exchange: "SMART", currency: "USD", lastTradeDateOrContractMonth: "20260116", strike: 600, right: OptionType.Call, multiplier: 100 };

describe("client requests as the real encoder writes them", () => {
  test("placeOrder: contract, side, quantity, type, limit, tif, account, orderRef", () => {
    const fields = encode((e) => e.placeOrder(42, SPY, {
      action: OrderAction.SELL, totalQuantity: 35, orderType: OrderType.LMT, lmtPrice: 600.25, tif: TimeInForce.DAY,
      orderRef: "gs:d1:SPY:9", account: "DU7", transmit: true,
    }));
    expect(parseClientRequest(fields)).toEqual({
      type: "place_order", orderId: 42,
      contract: { conId: 0, symbol: "SPY", secType: "STK", lastTradeDate: "", strike: 0, right: "", multiplier: "", exchange: "SMART", currency: "USD" },
      action: "SELL", totalQuantity: 35, orderType: "LMT", limitPrice: 600.25, tif: "DAY", account: "DU7", orderRef: "gs:d1:SPY:9",
    });
  });

  test("a market order has no limit price", () => {
    const fields = encode((e) => e.placeOrder(43, SPY, { action: OrderAction.BUY, totalQuantity: 1, orderType: OrderType.MKT, transmit: true }));
    expect(parseClientRequest(fields)).toMatchObject({ type: "place_order", action: "BUY", orderType: "MKT", limitPrice: null });
  });

  test("cancelOrder", () => {
    const fields = encode((e) => e.cancelOrder(42, { manualOrderCancelTime: undefined, extOperator: "", manualOrderIndicator: undefined }));
    expect(parseClientRequest(fields)).toEqual({ type: "cancel_order", orderId: 42 });
  });

  test("reqMktData for an option, streaming and snapshot", () => {
    const streaming = parseClientRequest(encode((e) => e.reqMktData(7, CALL, "", false, false)));
    expect(streaming).toEqual({
      type: "req_mkt_data", reqId: 7, snapshot: false,
      contract: { conId: 9001, symbol: "SPY", secType: "OPT", lastTradeDate: "20260116", strike: 600, right: "C", multiplier: "100", exchange: "SMART", currency: "USD" },
    });
    expect(parseClientRequest(encode((e) => e.reqMktData(8, SPY, "", true, false)))).toMatchObject({ type: "req_mkt_data", reqId: 8, snapshot: true });
  });

  test("reqExecutions with a time filter", () => {
    const fields = encode((e) => e.reqExecutions(5, { time: "20260105-14:30:00", acctCode: "DU7" }));
    expect(parseClientRequest(fields)).toEqual({
      type: "req_executions", reqId: 5, filter: { clientId: 0, account: "DU7", time: "20260105-14:30:00", symbol: "", secType: "", side: "" },
    });
  });

  test("reqContractDetails, reqHistoricalData, market data type, positions, open orders, ids", () => {
    expect(parseClientRequest(encode((e) => e.reqContractDetails(3, CALL)))).toMatchObject({ type: "req_contract_details", reqId: 3, contract: { conId: 9001, strike: 600, right: "C" } });
    expect(parseClientRequest(encode((e) => e.reqHistoricalData(4, SPY, "", "1 D", "5 mins" as Parameters<Encoder["reqHistoricalData"]>[4], "TRADES", 1, 2, false)))).toMatchObject({
      type: "req_historical_data", reqId: 4, duration: "1 D", barSize: "5 mins", whatToShow: "TRADES", regularHoursOnly: true, formatDate: 2,
    });
    expect(parseClientRequest(encode((e) => e.reqMarketDataType(3)))).toEqual({ type: "req_market_data_type", marketDataType: 3 });
    expect(parseClientRequest(encode((e) => e.reqPositions()))).toEqual({ type: "req_positions" });
    expect(parseClientRequest(encode((e) => e.cancelPositions()))).toEqual({ type: "cancel_positions" });
    expect(parseClientRequest(encode((e) => e.reqAllOpenOrders()))).toEqual({ type: "req_open_orders", scope: "all" });
    expect(parseClientRequest(encode((e) => e.reqOpenOrders()))).toEqual({ type: "req_open_orders", scope: "client" });
    expect(parseClientRequest(encode((e) => e.reqIds(1)))).toEqual({ type: "req_ids" });
  });

  test("a message the fake does not model is kept as unknown, not misread", () => {
    expect(parseClientRequest(encode((e) => e.reqCurrentTime()))).toEqual({ type: "unknown", messageId: 49, fields: ["49", "1"] });
  });
});
