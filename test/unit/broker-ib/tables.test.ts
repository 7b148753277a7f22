// The IB adapter's pure translation tables.
import { describe, expect, test } from "bun:test";
import { fromIbContract, sideOfIbWord, toIbContract } from "../../../src/broker/ib/contract-mapping.ts";
import { FarmHealth } from "../../../src/broker/ib/farm-health.ts";
import { OrderBook } from "../../../src/broker/ib/order-book.ts";
import { toIbOrder, validateHedgeOrder } from "../../../src/broker/ib/hedge-order-mapping.ts";
import { barSizeSetting, durationFor, historicalRefusal, parseBarTime } from "../../../src/broker/ib/historical-bars.ts";
import { formatExecutionFilterTime, parseTwsTime } from "../../../src/broker/ib/ib-time.ts";
import { classifyIbMessage } from "../../../src/broker/ib/message-codes.ts";
import { isTerminalStatus, mapTwsOrderStatus } from "../../../src/broker/ib/order-status-table.ts";
import { kindOfMarketDataType, marketDataTypeRequest, modelOptionTickKind, priceOrNull, quoteFieldOfTick } from "../../../src/broker/ib/tick-table.ts";
import { SecType, OptionType } from "@stoqey/ib";

describe("message codes", () => {
  test.each([
    [326, { type: "client_id_in_use" }],
    [1100, { type: "connectivity", state: "lost" }],
    [2110, { type: "connectivity", state: "lost" }],
    [1101, { type: "connectivity", state: "restored_data_lost" }],
    [1102, { type: "connectivity", state: "restored_data_kept" }],
    [2103, { type: "farm", farm: "market_data", ok: false }],
    [2104, { type: "farm", farm: "market_data", ok: true }],
    [2105, { type: "farm", farm: "historical_data", ok: false }],
    [2106, { type: "farm", farm: "historical_data", ok: true }],
    [2157, { type: "farm", farm: "security_definition", ok: false }],
    [2158, { type: "farm", farm: "security_definition", ok: true }],
    [201, { type: "order_rejected" }],
    [404, { type: "order_held" }],
    [202, { type: "order_cancelled" }],
    [10148, { type: "cancel_refused" }],
    [354, { type: "market_data_unavailable" }],
    [10167, { type: "delayed_data_notice" }],
    [200, { type: "no_security_definition" }],
    [502, { type: "socket_failure" }],
    [505, { type: "decode_failure" }],
    [399, { type: "warning" }],
    [2109, { type: "warning" }],
  ])("code %i", (code, expected) => {
    expect(classifyIbMessage(code)).toEqual(expected as ReturnType<typeof classifyIbMessage>);
  });
});

describe("order status table", () => {
  test.each([
    ["ApiPending", "", 0, 10, "pending_submit"],
    ["PendingSubmit", "", 0, 10, "pending_submit"],
    ["PreSubmitted", "", 0, 10, "submitted"],
    ["PreSubmitted", "locate", 0, 10, "submitted"],
    ["Submitted", "", 0, 10, "submitted"],
    ["Submitted", "", 4, 6, "partially_filled"],
    ["PendingCancel", "", 4, 6, "partially_filled"],
    ["Cancelled", "", 4, 6, "cancelled"],
    ["ApiCancelled", "", 0, 10, "cancelled"],
    ["Filled", "", 10, 0, "filled"],
    ["Inactive", "", 0, 10, "rejected"],
    ["Inactive", "locate", 0, 10, "submitted"], // a short sale waiting for shares to borrow: still live at IB
    ["Inactive", "locate", 4, 6, "partially_filled"],
    ["Inactive", "child,locate", 0, 10, "submitted"],
    ["Inactive", "child", 0, 10, "rejected"],
    ["Cancelled", "locate", 0, 10, "cancelled"],
    ["Unknown", "", 0, 10, null],
    ["submitted", "", 0, 10, null], // case matters: TWS words are exact
  ] as const)("%s (whyHeld %j) filled %i remaining %i -> %s", (word, whyHeld, filled, remaining, expected) => {
    expect(mapTwsOrderStatus(word, whyHeld, filled, remaining)).toBe(expected);
  });

  test("terminal statuses", () => {
    expect(["filled", "cancelled", "rejected"].every((s) => isTerminalStatus(s as "filled"))).toBe(true);
    expect(["pending_submit", "submitted", "partially_filled"].some((s) => isTerminalStatus(s as "submitted"))).toBe(false);
  });
});

describe("ticks", () => {
  test.each([
    [1, { field: "bid", kind: "live" }], [2, { field: "ask", kind: "live" }], [4, { field: "last", kind: "live" }],
    [66, { field: "bid", kind: "delayed" }], [67, { field: "ask", kind: "delayed" }], [68, { field: "last", kind: "delayed" }],
    [9, null], [0, null],
  ])("price tick %i", (tick, expected) => {
    expect(quoteFieldOfTick(tick)).toEqual(expected as ReturnType<typeof quoteFieldOfTick>);
  });

  test("only model computations carry greeks", () => {
    expect([10, 11, 12, 13, 80, 83].map(modelOptionTickKind)).toEqual([null, null, null, "live", null, "delayed"]);
  });

  test("market data types and requests", () => {
    expect([1, 2, 3, 4, 5].map(kindOfMarketDataType)).toEqual(["live", "frozen", "delayed", "delayed", null]);
    expect([marketDataTypeRequest("live"), marketDataTypeRequest("delayed")]).toEqual([1, 3]);
  });

  test("no-price sentinels become null", () => {
    expect([-1, 0, undefined, Number.NaN, 600.5].map(priceOrNull)).toEqual([null, null, null, null, 600.5]);
  });
});

describe("contracts and sides", () => {
  const venue = { exchange: "SMART", currency: "USD" };
  test("an option round-trips through the IB contract shape", () => {
    const call = { secType: "OPT", symbol: "SPY", right: "C", strike: 600, expiryYmd: "20260116", multiplier: 100 } as const;
    const ib = toIbContract(call, venue, 42);
    expect(ib).toMatchObject({ conId: 42, secType: SecType.OPT, right: OptionType.Call, lastTradeDateOrContractMonth: "20260116", exchange: "SMART" });
    expect(fromIbContract(ib)).toEqual(call);
  });

  test("instruments gs does not trade map to null", () => {
    expect(fromIbContract({ symbol: "ES", secType: SecType.FUT })).toBeNull();
    expect(fromIbContract({ symbol: "SPY", secType: SecType.OPT, lastTradeDateOrContractMonth: "2026", strike: 1, right: OptionType.Put })).toBeNull();
  });

  test.each([["BOT", "BUY"], ["SLD", "SELL"], ["BUY", "BUY"], ["SELL", "SELL"], ["SSHORT", null], [undefined, null]])("side %s", (word, side) => {
    expect(sideOfIbWord(word)).toBe(side as "BUY" | "SELL" | null);
  });
});

describe("TWS time", () => {
  test.each([
    ["20260105 10:30:01 US/Eastern", Date.UTC(2026, 0, 5, 15, 30, 1)],
    ["20260705 10:30:01 US/Eastern", Date.UTC(2026, 6, 5, 14, 30, 1)], // daylight saving
    ["20260105  10:30:01", Date.UTC(2026, 0, 5, 10, 30, 1)],
    ["20260105-15:30:01", Date.UTC(2026, 0, 5, 15, 30, 1)],
  ])("%s", (text, utcMs) => {
    expect(parseTwsTime(text)).toBe(utcMs);
  });

  test("bad times name what was expected", () => {
    expect(() => parseTwsTime("yesterday")).toThrow('TWS time was "yesterday", expected');
    expect(() => parseTwsTime("20260105 10:30:01 Mars/Olympus")).toThrow('TWS time zone was "Mars/Olympus"');
  });

  test("execution filter time is UTC with a dash", () => {
    expect(formatExecutionFilterTime(Date.UTC(2026, 0, 5, 9, 5, 7))).toBe("20260105-09:05:07");
  });
});

describe("farm health", () => {
  test("an OK from one farm does not hide another broken one", () => {
    const health = new FarmHealth();
    expect(health.apply("market_data", false, 2103, "Market data farm connection is broken:usfarm")).toBe(true);
    expect(health.apply("market_data", false, 2103, "Market data farm connection is broken:usopt")).toBe(true);
    expect(health.apply("market_data", true, 2104, "Market data farm connection is OK:usfarm")).toBe(true);
    expect(health.brokenFarms()).toEqual(["2103 Market data farm connection is broken:usopt"]);
    expect(health.apply("historical_data", true, 2106, "HMDS data farm connection is OK:ushmds")).toBe(false);
    expect(health.apply("market_data", true, 2104, "Market data farm connection is OK:usopt")).toBe(true);
    expect(health.brokenFarms()).toEqual([]);
  });
});

describe("execution ledger", () => {
  const report = (correctsExecId: string | null) => ({ kind: "report" as const, correctsExecId });

  test("repeats and corrections of an exec id are told apart from new executions", () => {
    const book = new OrderBook();
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.01")).toEqual(report(null));
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.01")).toEqual({ kind: "repeat" });
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.02")).toEqual(report("0000e0d5.6556a4a3.01.01"));
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.03")).toEqual(report("0000e0d5.6556a4a3.01.02"));
    expect(book.classifyExecution("0000e0d5.6556a4a3.02.01")).toEqual(report(null));
    expect(book.classifyExecution("plain-id")).toEqual(report(null));
    expect(["0000e0d5.6556a4a3.01.01", "0000e0d5.6556a4a3.01.02"].map((id) => book.commissionDue(id))).toEqual([true, true]);
  });

  test("a correction whose corrected execution this process never saw names it by IB's numbering", () => {
    const book = new OrderBook();
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.02")).toEqual(report("0000e0d5.6556a4a3.01.01"));
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.01")).toEqual(report(null)); // a lower number never corrects a higher one
  });

  test("an execution an executions request returned: its commission is due, it is not seen, its correction is a correction", () => {
    const book = new OrderBook();
    expect(book.noteAnsweredExecution("0000e0d5.6556a4a3.01.01")).toBeNull();
    expect(book.noteAnsweredExecution("0000e0d5.6556a4a3.01.02")).toBe("0000e0d5.6556a4a3.01.01");
    expect(book.commissionDue("0000e0d5.6556a4a3.01.01")).toBe(true);
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.01")).toEqual(report(null)); // the caller may have dropped the answer
    expect(book.classifyExecution("0000e0d5.6556a4a3.01.02")).toEqual(report("0000e0d5.6556a4a3.01.01"));
  });
});

describe("hedge orders", () => {
  const base = { orderRef: "gs:d1:SPY:3", symbol: "SPY", side: "SELL", quantityShares: 40, orderType: "market" } as const;

  test("market and limit orders map to DAY orders carrying the orderRef and account", () => {
    expect(toIbOrder(base, "DU1")).toEqual({ action: "SELL", totalQuantity: 40, orderType: "MKT", lmtPrice: undefined, tif: "DAY", orderRef: "gs:d1:SPY:3", account: "DU1", transmit: true } as ReturnType<typeof toIbOrder>);
    expect(toIbOrder({ ...base, side: "BUY", orderType: "limit", limitPrice: 600.5 }, "DU1")).toMatchObject({ action: "BUY", orderType: "LMT", lmtPrice: 600.5 });
  });

  test.each([
    [{ ...base, quantityShares: 0 }, "quantityShares was 0, expected a positive whole number"],
    [{ ...base, quantityShares: 2.5 }, "quantityShares was 2.5"],
    [{ ...base, orderType: "limit" as const }, "limitPrice was undefined, expected a positive price"],
    [{ ...base, orderType: "limit" as const, limitPrice: -1 }, "limitPrice was -1"],
    [{ ...base, orderRef: "" }, "orderRef was empty"],
  ])("refused: %o", (order, message) => {
    expect(() => validateHedgeOrder(order)).toThrow(message);
  });
});

describe("historical bars wording", () => {
  test.each([[60, "1 min"], [300, "5 mins"], [3600, "1 hour"], [86400, "1 day"], [420, null]])("bar of %i s -> %s", (seconds, setting) => {
    expect(barSizeSetting(seconds)).toBe(setting);
  });

  test("durations: seconds up to a day, else whole days covering the window", () => {
    expect(durationFor(0, 1_800_000)).toBe("1800 S");
    expect(durationFor(0, 86_400_000)).toBe("86400 S");
    expect(durationFor(0, 86_400_001)).toBe("2 D");
    expect(durationFor(0, 4.3 * 86_400_000)).toBe("5 D");
  });

  test("bar times: epoch seconds, or a daily bar's date at the New York open", () => {
    expect(parseBarTime("1711459800")).toBe(1_711_459_800_000);
    expect(parseBarTime("20240326")).toBe(Date.UTC(2024, 2, 26, 13, 30));
  });

  test.each([
    [162, "API historical data query cancelled: pacing violation", "retry"],
    [162, "HMDS query returned no data: SPY@SMART Trades", "empty"],
    [162, "No market data permissions for ARCA STK", "fail"],
    [366, "No historical data query found for ticker id:5", "retry"],
    [321, "Error validating request", "fail"],
  ])("refusal %i %s -> %s", (code, message, type) => {
    expect(historicalRefusal(code, message).type).toBe(type as "retry");
  });
});
