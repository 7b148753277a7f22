// The IB adapter with the real @stoqey/ib client against the fake TWS over loopback.
import { describe, expect, test } from "bun:test";
import { contractKey } from "../../src/core/instrument.ts";
import type { OptionContract } from "../../src/core/instrument.ts";
import type { HedgeOrder } from "../../src/core/order.ts";
import { BrokerError } from "../../src/broker/port.ts";
import { harnessPerTest } from "../fake-tws/ib-harness.ts";

const SPY = { secType: "STK", symbol: "SPY" } as const;
const CALL: OptionContract = { secType: "OPT", symbol: "SPY", right: "C", strike: 600, expiryYmd: "20260116", multiplier: 100 };

const { start: started, connected } = harnessPerTest();

function hedge(seq: number, side: "BUY" | "SELL" = "SELL", quantityShares = 30): HedgeOrder {
  return { orderRef: `gs:test:SPY:${seq}`, symbol: "SPY", side, quantityShares, orderType: "market" };
}

async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("connecting", () => {
  test("connects with the explicit client id and reports version and accounts", async () => {
    const h = await started();
    const info = await h.broker.connect();
    expect(info).toEqual({ clientId: 7, serverVersion: 193, accounts: ["DU1234567"] });
    expect(h.broker.isConnected()).toBe(true);
    expect(h.eventsOf("connection")).toMatchObject([{ state: "connected", message: expect.stringContaining("client id 7 (server version 193)") }]);
    expect(h.tws.requestsOf("start_api").map((r) => r.request.clientId)).toEqual([7]);
    const positionsStream = await h.tws.waitForRequest("req_positions");
    expect(positionsStream.type).toBe("req_positions");
  });

  test("client id in use (326): retries the next id and reports the id in use", async () => {
    const h = await started();
    h.tws.clientIdsInUse.add(7);
    const info = await h.broker.connect();
    expect(info.clientId).toBe(8);
    expect(h.tws.requestsOf("start_api").map((r) => r.request.clientId)).toEqual([7, 8]);
    expect(h.logs.some((l) => l.level === "warn" && l.message.includes("connected as client id 8"))).toBe(true);
  });

  test("every id in the range in use: a named operational error, no endless retry", async () => {
    const h = await started({ clientIdMaxTries: 2 });
    h.tws.clientIdsInUse.add(7).add(8);
    const error = await thrown(() => h.broker.connect());
    expect(error).toBeInstanceOf(BrokerError);
    expect(error).toMatchObject({ kind: "operational", code: 326 });
    expect((error as Error).message).toContain("client ids 7..8 are all in use");
  });

  test("TWS down at start: refused with a temporary error, then connects once it is up", async () => {
    const h = await started();
    const port = h.tws.port;
    await h.tws.stop();
    const error = await thrown(() => h.broker.connect());
    expect(error).toMatchObject({ kind: "temporary", code: 502 });
    expect((error as Error).message).toContain(`cannot reach TWS at 127.0.0.1:${port}`);
    expect(h.broker.isConnected()).toBe(false);
    await h.tws.start(port);
    expect((await h.broker.connect()).clientId).toBe(7);
    expect(h.broker.isConnected()).toBe(true);
  });

  test("no nextValidId: the attempt times out by name, and a later attempt succeeds", async () => {
    const h = await started({ connectTimeoutMs: 300 });
    h.tws.withholdNextValidId = true;
    const error = await thrown(() => h.broker.connect());
    expect(error).toMatchObject({ kind: "timeout" });
    expect((error as Error).message).toContain("no API handshake");
    h.tws.withholdNextValidId = false;
    await h.broker.connect(); // a fresh client: the abandoned socket cannot interfere
    expect(h.broker.isConnected()).toBe(true);
  });

  test("disconnect() during a connect attempt ends the attempt at once", async () => {
    const h = await started({ connectTimeoutMs: 10_000 });
    h.tws.withholdNextValidId = true;
    const attempt = h.broker.connect();
    await h.tws.waitForRequest("start_api");
    await h.broker.disconnect();
    await expect(attempt).rejects.toMatchObject({ kind: "not_connected" });
    expect(h.broker.isConnected()).toBe(false);
  });
});

describe("market data", () => {
  test("underlying quotes and option model greeks, with IB's not-computed sentinels as null", async () => {
    const h = await connected();
    h.tws.setQuote("SPY", { bid: 600.1, ask: 600.2, last: 600.15 });
    const call = h.tws.optionContract("SPY", "20260116", 600, "C");
    h.broker.subscribeMarketData([SPY, CALL]);
    const quote = await h.waitFor("quote", (q) => q.bid !== null && q.ask !== null && q.last !== null);
    expect(quote).toMatchObject({ symbol: "SPY", bid: 600.1, ask: 600.2, last: 600.15, kind: "live" });
    await h.tws.waitForRequest("req_mkt_data", (r) => r.contract.secType === "OPT");
    h.tws.setGreeks(call, { impliedVol: 0.18, delta: 0.52, optionPrice: 9.1, underlyingPrice: 600.15 });
    const greeks = await h.waitFor("option_greeks");
    expect(greeks).toMatchObject({ contractKey: contractKey(CALL), impliedVol: 0.18, delta: 0.52, optionPrice: 9.1, underlyingPrice: 600.15, gamma: null, vega: null, theta: null });
  });

  test("subscribing twice does not request twice", async () => {
    const h = await connected();
    h.broker.subscribeMarketData([SPY]);
    h.broker.subscribeMarketData([SPY]);
    await h.tws.waitForRequest("req_mkt_data");
    await h.broker.positions(); // a round trip: anything sent before it has arrived
    expect(h.tws.requestsOf("req_mkt_data").length).toBe(1);
  });

  test("delayed data is flagged on every quote", async () => {
    const h = await connected({ marketDataType: "delayed" });
    expect((await h.tws.waitForRequest("req_market_data_type")).marketDataType).toBe(3);
    h.tws.marketDataMode = "delayed";
    h.broker.subscribeMarketData([SPY]);
    await h.tws.waitForRequest("req_mkt_data");
    h.tws.setQuote("SPY", { bid: 500, ask: 500.1 });
    const quote = await h.waitFor("quote", (q) => q.ask !== null);
    expect(quote).toMatchObject({ bid: 500, ask: 500.1, kind: "delayed" });
  });

  test("a farm broken in one session is not held against the next", async () => {
    const h = await connected();
    h.tws.sendInfo(2103, "Market data farm connection is broken:usfarm");
    await h.waitFor("market_data_health", (e) => !e.ok);
    const from = h.events.length;
    h.tws.dropConnections();
    await h.waitFor("connection", (e) => e.state === "disconnected", from);
    await h.broker.connect();
    expect((await h.waitFor("market_data_health", () => true, from)).ok).toBe(true);
  });

  test("market data farm broken (2103) then OK (2104) flips market_data_health", async () => {
    const h = await connected();
    const from = h.events.length;
    h.tws.sendInfo(2103, "Market data farm connection is broken:usfarm");
    expect(await h.waitFor("market_data_health", (e) => !e.ok, from)).toMatchObject({ ok: false, code: 2103 });
    h.tws.sendInfo(2106, "HMDS data farm connection is OK:ushmds");
    h.tws.sendInfo(2104, "Market data farm connection is OK:usfarm");
    const ok = await h.waitFor("market_data_health", (e) => e.ok, from);
    expect(ok.code).toBe(2104);
    expect(h.eventsOf("market_data_health").slice(-2).map((e) => e.ok)).toEqual([false, true]);
  });
});

describe("orders and fills", () => {
  test("a hedge partially then fully filled: fills at the execution prices with commissions", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(1));
    const placed = await h.tws.waitForRequest("place_order");
    expect(placed).toMatchObject({ orderId, action: "SELL", totalQuantity: 30, orderType: "MKT", orderRef: "gs:test:SPY:1", account: "DU1234567" });
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.tws.fillOrder(orderId, 10, 600.21, 0.35);
    await h.waitFor("order_status", (e) => e.status === "partially_filled");
    h.tws.fillOrder(orderId, 20, 600.19, 0.7);
    await h.waitFor("order_status", (e) => e.status === "filled");
    await h.waitFor("commission", (c) => c.commission.commissionUsd === 0.7);
    const fills = h.eventsOf("execution").map((e) => e.execution);
    expect(fills.map((f) => [f.orderRef, f.brokerOrderId, f.side, f.shares, f.price, f.cumulativeShares])).toEqual([
      ["gs:test:SPY:1", orderId, "SELL", 10, 600.21, 10],
      ["gs:test:SPY:1", orderId, "SELL", 20, 600.19, 30],
    ]);
    const commissions = [0.35, 0.7];
    expect(h.eventsOf("commission").map((c) => [c.commission.execId, c.commission.commissionUsd])).toEqual(fills.map((f, i) => [f.execId, commissions[i] ?? -1]));
    expect(h.eventsOf("order_status").map((e) => [e.status, e.filledShares, e.remainingShares])).toEqual([
      ["submitted", 0, 30], ["partially_filled", 10, 20], ["filled", 30, 0],
    ]);
    expect(Math.abs(Date.now() - (fills[0]?.tsEventMs ?? 0))).toBeLessThan(60_000); // exec time parsed from TWS's zoned text
  });

  test("a resent execution is reported once", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(2, "BUY", 5));
    await h.tws.waitForRequest("place_order");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2);
    const first = await h.waitFor("commission");
    h.tws.resendExecution(first.commission.execId);
    await h.broker.positions(); // round trip after the resend
    expect(h.eventsOf("execution").length).toBe(1);
    expect(h.eventsOf("commission").length).toBe(1);
  });

  test("a commission TWS sends before its execution is reported once, after the execution", async () => {
    const h = await connected();
    h.tws.commissionBeforeExecution = true;
    const orderId = h.broker.placeOrder(hedge(4, "BUY", 5));
    await h.tws.waitForRequest("place_order");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2);
    await h.waitFor("commission");
    await h.broker.positions(); // round trip: nothing more comes
    expect(h.events.filter((e) => e.type === "execution" || e.type === "commission").map((e) => e.type)).toEqual(["execution", "commission"]);
    expect(h.eventsOf("commission").map((e) => e.commission.commissionUsd)).toEqual([0.2]);
  });

  test("an execution first found by executionsSince is still reported when TWS resends it live: the caller may have dropped that answer", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(3, "BUY", 5));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.tws.dropConnections();
    await h.waitFor("connection", (e) => e.state === "disconnected");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2);
    await h.broker.connect();
    const [found] = await h.broker.executionsSince(Date.now() - 60_000);
    h.tws.resendExecution(found?.execution.execId ?? "missing");
    await h.broker.positions(); // round trip after the resend
    expect(h.eventsOf("execution").map((e) => e.execution.execId)).toEqual([found?.execution.execId ?? "missing"]);
    expect(h.eventsOf("commission").map((e) => e.commission.commissionUsd)).toEqual([0.2]);
  });

  test.each(["withheld", "after_end_same_write"] as const)("a fill found by executionsSince whose commission TWS sends after execDetailsEnd (%s): the commission is reported once", async (placement) => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(11, "BUY", 5));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.tws.dropConnections();
    await h.waitFor("connection", (e) => e.state === "disconnected");
    h.tws.fillOrder(orderId, 5, 600.3, 0.2); // filled while gs was away
    await h.broker.connect();
    h.tws.commissionsOfExecutionsAnswer = placement;
    const found = await h.broker.executionsSince(Date.now() - 60_000);
    expect(found.map((f) => [f.execution.orderRef, f.commission])).toEqual([["gs:test:SPY:11", null]]);
    h.tws.releaseCommissions();
    await h.waitFor("commission");
    h.tws.resendExecution(found[0]?.execution.execId ?? "missing"); // with its commission again
    await h.broker.positions(); // round trip: nothing more comes
    expect(h.eventsOf("commission").map((e) => [e.commission.execId, e.commission.commissionUsd])).toEqual([[found[0]?.execution.execId ?? "missing", 0.2]]);
  });

  test("a rejected order (201) ends as rejected with TWS's reason", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(3));
    await h.tws.waitForRequest("place_order");
    h.tws.rejectOrder(orderId, "Order rejected - reason: insufficient margin");
    const rejected = await h.waitFor("order_status", (e) => e.status === "rejected");
    expect(rejected).toMatchObject({ orderRef: "gs:test:SPY:3", brokerOrderId: orderId, reason: "201 Order rejected - reason: insufficient margin" });
    await h.broker.positions();
    expect(h.eventsOf("order_status").filter((e) => e.status === "rejected").length).toBe(1);
  });

  test("a short sale TWS shows as Inactive while it locates shares (whyHeld locate) is still working: warned once, never rejected; it fills", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(9, "SELL", 30));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.tws.holdOrderForLocate(orderId, undefined, "Inactive");
    await h.waitFor("order_warning", (e) => e.code === 404);
    const open = await h.broker.openOrders(); // TWS lists it with its orderStatus (Inactive, locate)
    expect(open.map((o) => [o.orderRef, o.status])).toEqual([["gs:test:SPY:9", "submitted"]]);
    expect(h.eventsOf("order_warning").map((e) => [e.code, e.message])).toEqual([
      [null, "TWS reports the order Inactive, held (whyHeld locate) while shares to short are located; it stays working and may fill"],
      [404, "Order held while securities are located."],
    ]);
    h.tws.fillOrder(orderId, 10, 600.1, 0.1); // shares located
    await h.waitFor("order_status", (e) => e.status === "partially_filled");
    h.tws.fillOrder(orderId, 20, 600.1, 0.2);
    await h.waitFor("order_status", (e) => e.status === "filled");
    expect(h.eventsOf("order_status").map((e) => e.status)).toEqual(["submitted", "partially_filled", "filled"]);
    expect(h.logs.some((l) => l.level === "warn" && l.message.includes("gs:test:SPY:9: TWS reports the order Inactive"))).toBe(true);
  });

  test("cancelOrder by orderRef: TWS confirms with 202 and the order ends cancelled", async () => {
    const h = await connected();
    h.broker.placeOrder(hedge(4));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.broker.cancelOrder("gs:test:SPY:4");
    const cancelled = await h.waitFor("order_status", (e) => e.status === "cancelled");
    expect(cancelled.reason).toContain("202");
    expect(() => h.broker.cancelOrder("gs:test:SPY:unknown")).toThrow("unknown");
  });

  test("bad orders are refused before anything is sent", async () => {
    const h = await connected();
    expect(() => h.broker.placeOrder({ ...hedge(5), quantityShares: 0 })).toThrow("quantityShares was 0, expected a positive whole number");
    expect(() => h.broker.placeOrder({ ...hedge(6), orderType: "limit" })).toThrow("limitPrice was undefined");
    h.broker.placeOrder(hedge(7));
    expect(() => h.broker.placeOrder(hedge(7))).toThrow("orderRef gs:test:SPY:7 was already used");
    await h.broker.positions();
    expect(h.tws.requestsOf("place_order").map((r) => r.request.orderRef)).toEqual(["gs:test:SPY:7"]);
  });
});

describe("connectivity", () => {
  test("1100 during a working order: no order while down, 1101 renews subscriptions, then orders flow", async () => {
    const h = await connected();
    h.broker.subscribeMarketData([SPY, CALL]);
    h.tws.optionContract("SPY", "20260116", 600, "C");
    await h.tws.waitForRequest("req_mkt_data", (r) => r.contract.secType === "OPT");
    h.broker.placeOrder(hedge(10));
    await h.waitFor("order_status", (e) => e.status === "submitted");

    h.tws.connectivityLost();
    await h.waitFor("connection", (e) => e.state === "lost");
    expect(h.broker.isConnected()).toBe(false);
    const error = await thrown(() => h.broker.placeOrder(hedge(11)));
    expect(error).toMatchObject({ kind: "not_connected" });
    expect((error as Error).message).toContain("1100");
    await expect(h.broker.connect()).rejects.toMatchObject({ kind: "temporary", code: 1100 });

    const requestsBefore = h.tws.requests.length;
    h.tws.connectivityRestored(true);
    const restored = await h.waitFor("connection", (e) => e.state === "restored");
    expect(restored).toMatchObject({ dataLost: true, code: 1101 });
    await h.tws.waitForRequest("req_mkt_data", (r) => r.contract.secType === "OPT", requestsBefore);
    const renewed = h.tws.requests.slice(requestsBefore).filter((e) => e.request.type === "req_mkt_data");
    expect(renewed.length).toBe(2);
    expect([...h.tws.sessions][0]?.marketData.size).toBe(2);

    h.broker.placeOrder(hedge(12));
    await h.tws.waitForRequest("place_order", (r) => r.orderRef === "gs:test:SPY:12");
    expect(h.tws.requestsOf("place_order").map((r) => r.request.orderRef)).toEqual(["gs:test:SPY:10", "gs:test:SPY:12"]);
  });

  test("1102 restores without renewing subscriptions", async () => {
    const h = await connected();
    h.broker.subscribeMarketData([SPY]);
    await h.tws.waitForRequest("req_mkt_data");
    h.tws.connectivityLost();
    await h.waitFor("connection", (e) => e.state === "lost");
    h.tws.connectivityRestored(false);
    expect(await h.waitFor("connection", (e) => e.state === "restored")).toMatchObject({ dataLost: false, code: 1102 });
    expect(h.broker.isConnected()).toBe(true);
    expect((await h.broker.connect()).clientId).toBe(7);
    await h.broker.positions();
    expect(h.tws.requestsOf("req_mkt_data").length).toBe(1);
  });

  test("socket drop with an order working: no stale order after reconnect; the order is adopted and cancellable", async () => {
    const h = await connected();
    h.broker.subscribeMarketData([SPY]);
    h.broker.placeOrder(hedge(20));
    await h.waitFor("order_status", (e) => e.status === "submitted");

    h.tws.dropConnections();
    await h.waitFor("connection", (e) => e.state === "disconnected");
    expect(h.broker.isConnected()).toBe(false);
    const error = await thrown(() => h.broker.placeOrder(hedge(21)));
    expect(error).toMatchObject({ kind: "not_connected" });
    await expect(h.broker.positions()).rejects.toMatchObject({ kind: "not_connected" });

    const sessionRequests = h.tws.requests.length;
    await h.broker.connect();
    await h.tws.waitForRequest("req_mkt_data", () => true, sessionRequests);
    const open = await h.broker.openOrders();
    expect(open).toEqual([{ orderRef: "gs:test:SPY:20", brokerOrderId: expect.any(Number), symbol: "SPY", side: "SELL", quantityShares: 30, filledShares: 0, status: "submitted" }]);
    expect(h.tws.requestsOf("place_order").map((r) => r.request.orderRef)).toEqual(["gs:test:SPY:20"]);
    expect(h.tws.requestsOf("req_mkt_data").length).toBe(2); // one per session, none doubled
    h.broker.cancelOrder("gs:test:SPY:20");
    await h.waitFor("order_status", (e) => e.orderRef === "gs:test:SPY:20" && e.status === "cancelled");
  });

  test("TWS restarts: disconnected, then a fresh session finds the account as it was", async () => {
    const h = await connected();
    h.broker.placeOrder(hedge(25, "BUY", 12));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    const from = h.events.length;
    await h.tws.restart();
    await h.waitFor("connection", (e) => e.state === "disconnected", from);
    const info = await h.broker.connect();
    expect(info.clientId).toBe(7);
    expect((await h.broker.openOrders()).map((o) => [o.orderRef, o.quantityShares])).toEqual([["gs:test:SPY:25", 12]]);
    const nextId = h.broker.placeOrder(hedge(26, "BUY", 1));
    const ids = h.tws.requestsOf("place_order").map((r) => r.request.orderId);
    expect(nextId).toBeGreaterThan(ids[0] ?? Number.POSITIVE_INFINITY); // order ids keep rising across sessions
  });
});

describe("another API client's orders (order ids are numbered per client id)", () => {
  /** Client 8 (say a gs daemon for QQQ) has its own order with the same number as ours, 100 of 200 filled. */
  function theirOrderWithOurId(h: Awaited<ReturnType<typeof connected>>, orderId: number): void {
    h.tws.account.addOrder({
      orderId, clientId: 8, contract: h.tws.stockContract("QQQ"), action: "BUY", totalQuantity: 200, orderType: "MKT",
      limitPrice: null, tif: "DAY", account: h.tws.account.defaultAccount, orderRef: "gs:other:QQQ:1",
    });
    h.tws.fillOrder(orderId, 100, 480, 1, 8);
  }

  test("openOrders() lists both orders with the same id; the other's status is never taken for ours; cancel reaches ours only", async () => {
    const h = await connected();
    const orderId = h.broker.placeOrder(hedge(40));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    theirOrderWithOurId(h, orderId);
    const open = await h.broker.openOrders();
    expect(open.map((o) => [o.orderRef, o.brokerOrderId, o.symbol, o.quantityShares, o.filledShares]).sort()).toEqual([
      ["gs:other:QQQ:1", orderId, "QQQ", 200, 100],
      ["gs:test:SPY:40", orderId, "SPY", 30, 0],
    ]);
    const ours = h.eventsOf("order_status").filter((e) => e.orderRef === "gs:test:SPY:40");
    expect(ours.map((e) => [e.status, e.filledShares])).toEqual([["submitted", 0]]);
    h.broker.cancelOrder("gs:test:SPY:40");
    await h.waitFor("order_status", (e) => e.orderRef === "gs:test:SPY:40" && e.status === "cancelled");
    expect(h.tws.account.order(orderId, 7)?.status).toBe("Cancelled");
    expect(h.tws.account.order(orderId, 8)?.status).toBe("Submitted");
  });

  test("an order adopted from another client id cannot be cancelled by this one: a named error, nothing sent", async () => {
    const h = await connected();
    theirOrderWithOurId(h, 1);
    await h.broker.openOrders();
    const error = await thrown(() => h.broker.cancelOrder("gs:other:QQQ:1"));
    expect(error).toMatchObject({ kind: "operational" });
    expect((error as Error).message).toContain("placed by API client id 8 and gs is connected as client id 7");
    expect(h.tws.requestsOf("cancel_order")).toEqual([]);
  });

  test("after openOrders() listed another client's order, this client's new order ids are above it (IB requires it after reqAllOpenOrders)", async () => {
    const h = await connected();
    theirOrderWithOurId(h, 103);
    await h.broker.openOrders();
    const orderId = h.broker.placeOrder(hedge(42));
    expect(orderId).toBe(104);
    await h.waitFor("order_status", (e) => e.orderRef === "gs:test:SPY:42" && e.status === "submitted");
  });

  test("the fake TWS numbers order ids per client: nextValidId is above this client's orders only", async () => {
    const h = await started();
    theirOrderWithOurId(h as Awaited<ReturnType<typeof connected>>, 103);
    await h.broker.connect();
    const orderId = h.broker.placeOrder(hedge(41));
    expect(orderId).toBe(1);
  });
});

describe("reconciliation and positions", () => {
  test("openOrders and executionsSince return what TWS has, with commissions", async () => {
    const h = await connected();
    const filledId = h.broker.placeOrder(hedge(30, "BUY", 15));
    h.broker.placeOrder(hedge(31, "SELL", 5));
    await h.tws.waitForRequest("place_order", (r) => r.orderRef === "gs:test:SPY:31");
    h.tws.fillOrder(filledId, 15, 599.9, 0.45);
    await h.waitFor("order_status", (e) => e.status === "filled");

    const open = await h.broker.openOrders();
    expect(open.map((o) => [o.orderRef, o.side, o.quantityShares, o.status])).toEqual([["gs:test:SPY:31", "SELL", 5, "submitted"]]);
    const executions = await h.broker.executionsSince(Date.now() - 60_000);
    expect(executions.map((e) => [e.execution.orderRef, e.execution.shares, e.execution.price, e.commission?.commissionUsd])).toEqual([["gs:test:SPY:30", 15, 599.9, 0.45]]);
    expect(await h.broker.executionsSince(Date.now() + 60_000)).toEqual([]);
    expect(h.tws.requestsOf("req_executions").at(-1)?.request.filter.time).toMatch(/^\d{8}-\d{2}:\d{2}:\d{2}$/);
  });

  test("positions come back as core positions; a manual trade in TWS arrives as a position event", async () => {
    const h = await connected();
    const call = h.tws.optionContract("SPY", "20260116", 600, "C");
    h.tws.setPosition(call, 2, 912.5);
    h.tws.setPosition(h.tws.stockContract("SPY"), -40, 600.1);
    const positions = await h.broker.positions();
    expect(positions).toContainEqual({ contract: CALL, quantity: 2, avgCost: 912.5, account: "DU1234567" });
    expect(positions).toContainEqual({ contract: SPY, quantity: -40, avgCost: 600.1, account: "DU1234567" });

    const from = h.events.length;
    h.tws.setPosition(h.tws.stockContract("SPY"), 60, 601); // the trader bought 100 shares by hand
    const update = await h.waitFor("position", () => true, from);
    expect(update.position).toEqual({ contract: SPY, quantity: 60, avgCost: 601, account: "DU1234567" });
  });

  test("positions() asked while another position dump is arriving returns its own complete answer", async () => {
    const h = await started();
    const call = h.tws.optionContract("SPY", "20260116", 600, "C");
    h.tws.setPosition(call, 2, 912.5);
    h.tws.setPosition(h.tws.stockContract("SPY"), -40, 600.1);
    h.tws.positionDumpPauseMs = 100;
    const from = h.events.length;
    await h.broker.connect(); // starts the position stream: a dump that pauses after its first position
    await h.waitFor("position", () => true, from);
    const positions = await h.broker.positions();
    expect(positions.map((p) => [p.contract.secType, p.quantity]).sort()).toEqual([["OPT", 2], ["STK", -40]]);
    expect(h.tws.requestsOf("req_positions").length).toBe(2);
  });

  test("a request TWS refuses with an error fails at once with TWS's code", async () => {
    const h = await connected({ requestTimeoutMs: 10_000 });
    h.tws.refusedRequests.set("req_executions", { code: 321, message: "Error validating request.-'bW' : cause - Invalid time format" });
    const error = await thrown(() => h.broker.executionsSince(Date.now()));
    expect(error).toMatchObject({ kind: "operational", code: 321 });
    expect((error as Error).message).toContain("refused by TWS: 321 Error validating request");
  });

  test("requests time out by name when TWS never answers", async () => {
    const h = await connected({ requestTimeoutMs: 200 });
    h.tws.silentRequests.add("req_open_orders");
    const error = await thrown(() => h.broker.openOrders());
    expect(error).toMatchObject({ kind: "timeout" });
    expect((error as Error).message).toBe("open orders (reqAllOpenOrders) got no answer from TWS within 0.2s (ib.request_timeout_s)");
  });

  test("after a request TWS never answered, the next openOrders() asks again and gets its answer", async () => {
    const h = await connected({ requestTimeoutMs: 300 });
    const orderId = h.broker.placeOrder(hedge(5));
    await h.waitFor("order_status", (e) => e.status === "submitted");
    h.tws.silentRequests.add("req_open_orders");
    await expect(h.broker.openOrders()).rejects.toMatchObject({ kind: "timeout" });
    h.tws.silentRequests.delete("req_open_orders");
    const open = await h.broker.openOrders();
    expect(open.map((o) => [o.orderRef, o.brokerOrderId])).toEqual([["gs:test:SPY:5", orderId]]);
    expect(h.tws.requestsOf("req_open_orders")).toHaveLength(2);
  });

  test("after a position request TWS never answered, the next positions() asks again and gets every position", async () => {
    const h = await connected({ requestTimeoutMs: 300 });
    h.tws.setPosition(h.tws.stockContract("SPY"), -40, 600);
    await h.tws.waitForRequest("req_positions");
    await h.waitFor("position");
    h.tws.silentRequests.add("req_positions");
    await expect(h.broker.positions()).rejects.toMatchObject({ kind: "timeout" });
    h.tws.silentRequests.delete("req_positions");
    const positions = await h.broker.positions();
    expect(positions.map((p) => [p.contract.symbol, p.quantity])).toEqual([["SPY", -40]]);
    expect(h.tws.requestsOf("req_positions")).toHaveLength(3); // the stream's, the lost one, the fresh one
  });
});
