// The fake's encoders, decoded by @stoqey/ib's own Decoder: every layout must read
// back to the values sent, with no decode error (505) and nothing left over.
import { describe, expect, test } from "bun:test";
import { option, stock } from "./contract.ts";
import { encodeFrame, ServerFrameReader, splitFields } from "./framing.ts";
import { position, positionEnd } from "./messages/account.ts";
import { errorMessage, managedAccounts, nextValidId } from "./messages/connection.ts";
import { contractDetails, contractDetailsEnd } from "./messages/contract-details.ts";
import { commissionReport, execDetails, execDetailsEnd } from "./messages/executions.ts";
import type { FakeExecution } from "./messages/executions.ts";
import { historicalData } from "./messages/historical.ts";
import { marketDataType, TICK, tickOptionComputation, tickPrice, tickSize } from "./messages/market-data.ts";
import { openOrder, openOrderEnd, orderStatus } from "./messages/orders.ts";
import type { FakeOrderView } from "./messages/orders.ts";
import { decodeWithClient } from "./oracle.ts";

const SPY = stock("SPY", 756733);
const CALL = option("SPY", "20260116", 600, "C", 9001);

const ORDER: FakeOrderView = {
  orderId: 17, clientId: 3, permId: 555, contract: SPY, action: "SELL", totalQuantity: 40, orderType: "LMT",
  limitPrice: 601.25, tif: "DAY", account: "DU123", orderRef: "gs:d1:SPY:7", status: "Submitted",
  filled: 10, avgFillPrice: 601.2, lastFillPrice: 601.2,
};

const EXECUTION: FakeExecution = {
  execId: "0001f4e8.6570a1b2.01.01", orderId: 17, clientId: 3, permId: 555, contract: SPY,
  time: "20260105 10:30:01 US/Eastern", tsMs: 0, account: "DU123", side: "SLD", shares: 10, price: 601.2,
  cumQty: 10, avgPrice: 601.2, orderRef: "gs:d1:SPY:7", commission: 1.0,
};

function decodeOne(fields: Parameters<typeof decodeWithClient>[0][number]) {
  const result = decodeWithClient([fields]);
  expect(result.errors).toEqual([]);
  return result.events;
}

describe("fake TWS encoders read back through the real client's decoder", () => {
  test("managedAccounts and nextValidId", () => {
    expect(decodeOne(managedAccounts(["DU1", "DU2"]))).toEqual([{ name: "managedAccounts", args: ["DU1,DU2"] }]);
    expect(decodeOne(nextValidId(42))).toEqual([{ name: "nextValidId", args: [42] }]);
  });

  test("an error with id -1 is info, with an id it is an error", () => {
    expect(decodeOne(errorMessage(-1, 1100, "lost"))).toEqual([{ name: "info", args: ["lost", 1100] }]);
    const result = decodeWithClient([errorMessage(17, 201, "Order rejected")]);
    expect(result.errors).toEqual([{ message: "Order rejected", code: 201 }]);
  });

  test("tickPrice emits price then the matching size (not for BID: BID_SIZE is 0, which the client treats as none)", () => {
    expect(decodeOne(tickPrice(5, TICK.ASK, 600.5, 300))).toEqual([
      { name: "tickPrice", args: [5, TICK.ASK, 600.5, false] },
      { name: "tickSize", args: [5, TICK.ASK_SIZE, 300] },
    ]);
    expect(decodeOne(tickPrice(5, TICK.BID, 600.4, 200))).toEqual([{ name: "tickPrice", args: [5, TICK.BID, 600.4, false] }]);
    expect(decodeOne(tickSize(5, TICK.VOLUME, 1234))).toEqual([{ name: "tickSize", args: [5, TICK.VOLUME, 1234] }]);
  });

  test("tickOptionComputation maps every sentinel to undefined", () => {
    const full = decodeOne(tickOptionComputation(9, TICK.MODEL_OPTION, {
      impliedVol: 0.18, delta: 0.52, optionPrice: 7.5, pvDividend: 0.4, gamma: 0.02, vega: 0.6, theta: -0.15, underlyingPrice: 600,
    }));
    expect(full).toEqual([{ name: "tickOptionComputation", args: [9, TICK.MODEL_OPTION, 0, 0.18, 0.52, 7.5, 0.4, 0.02, 0.6, -0.15, 600] }]);
    const empty = decodeOne(tickOptionComputation(9, TICK.MODEL_OPTION, {}));
    expect(empty[0]?.args).toEqual([9, TICK.MODEL_OPTION, 0, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test("marketDataType", () => {
    expect(decodeOne(marketDataType(4, 3))).toEqual([{ name: "marketDataType", args: [4, 3] }]);
  });

  test("position and positionEnd, option contract fields intact", () => {
    const events = decodeOne(position("DU123", CALL, -2, 750.5));
    expect(events[0]?.name).toBe("position");
    const [account, contract, quantity, avgCost] = events[0]?.args ?? [];
    expect([account, quantity, avgCost]).toEqual(["DU123", -2, 750.5]);
    expect(contract).toMatchObject({ conId: 9001, symbol: "SPY", secType: "OPT", lastTradeDateOrContractMonth: "20260116", strike: 600, right: "C", multiplier: 100 });
    expect(decodeOne(positionEnd())).toEqual([{ name: "positionEnd", args: [] }]);
  });

  test("orderStatus", () => {
    expect(decodeOne(orderStatus(ORDER))).toEqual([
      { name: "orderStatus", args: [17, "Submitted", 10, 30, 601.2, 555, 0, 601.2, 3, "", 0] },
    ]);
  });

  test("openOrder (133 fields) decodes with orderRef, quantity and state", () => {
    const fields = openOrder(ORDER);
    expect(fields.length).toBe(133);
    const events = decodeOne(fields);
    expect(events[0]?.name).toBe("openOrder");
    const [orderId, contract, order, state] = events[0]?.args ?? [];
    expect(orderId).toBe(17);
    expect(contract).toMatchObject({ conId: 756733, symbol: "SPY", secType: "STK" });
    expect(order).toMatchObject({ orderId: 17, action: "SELL", totalQuantity: 40, orderType: "LMT", lmtPrice: 601.25, orderRef: "gs:d1:SPY:7", clientId: 3, permId: 555, account: "DU123", manualOrderIndicator: undefined });
    expect(state).toMatchObject({ status: "Submitted" });
    expect(decodeOne(openOrderEnd())).toEqual([{ name: "openOrderEnd", args: [] }]);
  });

  test("execDetails (32 fields) and commissionReport", () => {
    const fields = execDetails(-1, EXECUTION);
    expect(fields.length).toBe(32);
    const events = decodeOne(fields);
    const [reqId, contract, execution] = events[0]?.args ?? [];
    expect(reqId).toBe(-1);
    expect(contract).toMatchObject({ symbol: "SPY", secType: "STK" });
    expect(execution).toMatchObject({ orderId: 17, execId: EXECUTION.execId, time: EXECUTION.time, side: "SLD", shares: 10, price: 601.2, cumQty: 10, orderRef: "gs:d1:SPY:7", acctNumber: "DU123" });
    expect(decodeOne(execDetailsEnd(8))).toEqual([{ name: "execDetailsEnd", args: [8] }]);
    const [report] = decodeOne(commissionReport(EXECUTION.execId, 1.05, "USD"))[0]?.args ?? [];
    expect(report).toEqual({ execId: EXECUTION.execId, commission: 1.05, currency: "USD", realizedPNL: undefined, yield: undefined, yieldRedemptionDate: 0 });
  });

  test("contractDetails (42 fields) keeps multiplier and a plain YYYYMMDD expiry", () => {
    const fields = contractDetails(3, CALL);
    expect(fields.length).toBe(42);
    const [reqId, details] = decodeOne(fields)[0]?.args ?? [];
    expect(reqId).toBe(3);
    expect(details).toMatchObject({ contract: { conId: 9001, lastTradeDateOrContractMonth: "20260116", strike: 600, right: "C", multiplier: 100 } });
    expect(decodeOne(contractDetailsEnd(3))).toEqual([{ name: "contractDetailsEnd", args: [3] }]);
  });

  test("historicalData emits one event per bar then the finished marker", () => {
    const bar = { time: "1767623400", open: 600, high: 601, low: 599.5, close: 600.5, volume: 1000, wap: 600.2, barCount: 12 };
    const events = decodeOne(historicalData(2, "20260105", "20260106", [bar, bar]));
    expect(events.length).toBe(3);
    expect(events[0]?.args).toEqual([2, "1767623400", 600, 601, 599.5, 600.5, 1000, 12, 600.2, undefined]);
    expect(events[2]?.args[1]).toBe("finished-20260105-20260106");
  });
});

describe("framing", () => {
  test("a frame splits back into its fields, empty fields included", () => {
    const frame = encodeFrame([1, "", "x", true, undefined]);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(splitFields(frame.subarray(4))).toEqual(["1", "", "x", "1", ""]);
  });

  test("the server reader parses the raw handshake, then frames split across chunks", () => {
    const reader = new ServerFrameReader();
    const version = Buffer.from("v100..193", "utf8");
    const hello = Buffer.alloc(4 + version.length);
    hello.writeUInt32BE(version.length, 0);
    version.copy(hello, 4);
    const startApi = encodeFrame([71, 2, 7, ""]);
    const all = Buffer.concat([Buffer.from("API\0", "latin1"), hello, startApi]);
    const frames = [...reader.push(all.subarray(0, 6)), ...reader.push(all.subarray(6, 20)), ...reader.push(all.subarray(20))];
    expect(frames).toEqual([
      { type: "handshake", minVersion: 100, maxVersion: 193 },
      { type: "message", fields: ["71", "2", "7", ""] },
    ]);
  });

  test("a bad handshake prefix is refused with what was seen", () => {
    expect(() => new ServerFrameReader().push(Buffer.from("GET / HTTP/1.1"))).toThrow('handshake prefix was "GET ", expected "API\\0"');
  });
});
