// The fake TWS against the real, unmodified @stoqey/ib client over a real socket.
// Any decode problem in the client surfaces as error 505, which must never appear.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { EventName, IBApi, SecType } from "@stoqey/ib";
import type { Contract, Execution, Order } from "@stoqey/ib";
import { FakeTws } from "./index.ts";

const DECODE_ERROR = 505;

let tws: FakeTws;
let api: IBApi;
let errorCodes: number[];

/** The client's emitter without its per-event overloads, for a generic "next event" helper. */
interface PlainEmitter {
  on(name: string, listener: (...args: unknown[]) => void): unknown;
  off(name: string, listener: (...args: unknown[]) => void): unknown;
}

function nextEvent<T extends unknown[]>(name: EventName, predicate: (...args: T) => boolean = () => true): Promise<T> {
  const emitter: PlainEmitter = api;
  return new Promise((resolve) => {
    const listener = (...raw: unknown[]) => {
      const args = raw as T;
      if (!predicate(...args)) return;
      emitter.off(name, listener);
      resolve(args);
    };
    emitter.on(name, listener);
  });
}

async function connect(clientId: number): Promise<number> {
  const ready = nextEvent<[number]>(EventName.nextValidId);
  api.connect(clientId);
  const [orderId] = await ready;
  return orderId;
}

beforeEach(async () => {
  tws = new FakeTws({ firstOrderId: 100 });
  await tws.start(0);
  api = new IBApi({ host: "127.0.0.1", port: tws.port, clientId: 1, maxReqPerSec: 1000 });
  errorCodes = [];
  api.on(EventName.error, (_error: Error, code: number) => void errorCodes.push(code));
});

afterEach(async () => {
  api.disconnect();
  await tws.stop();
  expect(errorCodes).not.toContain(DECODE_ERROR);
  expect(tws.protocolErrors).toEqual([]);
});

describe("fake TWS with the real client", () => {
  test("handshake at 193, managed accounts, nextValidId and farm messages", async () => {
    const server = nextEvent<[number, string]>(EventName.server);
    const accounts = nextEvent<[string]>(EventName.managedAccounts);
    const info = nextEvent<[string, number]>(EventName.info, (_m, code) => code === 2104);
    expect(await connect(7)).toBe(100);
    expect((await server)[0]).toBe(193);
    expect((await accounts)[0]).toBe("DU1234567");
    expect((await info)[1]).toBe(2104);
    expect(tws.requestsOf("start_api")[0]?.request.clientId).toBe(7);
  });

  test("a client id in use gets 326 on the info channel and is disconnected", async () => {
    tws.clientIdsInUse.add(1);
    const info = nextEvent<[string, number]>(EventName.info, (_m, code) => code === 326);
    const disconnected = nextEvent<[]>(EventName.disconnected);
    api.connect(1);
    expect((await info)[1]).toBe(326);
    await disconnected;
  });

  test("market data: quotes and model greeks with sentinels", async () => {
    await connect(1);
    tws.setQuote("SPY", { bid: 600.1, ask: 600.2, last: 600.15 });
    const call = tws.optionContract("SPY", "20260116", 600, "C");
    const bid = nextEvent<[number, number, number]>(EventName.tickPrice, (_r, type) => type === 1);
    api.reqMktData(11, { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" }, "", false, false);
    expect((await bid)[2]).toBe(600.1);
    const greeks = nextEvent<unknown[]>(EventName.tickOptionComputation);
    api.reqMktData(12, { symbol: "SPY", secType: SecType.OPT, exchange: "SMART", currency: "USD", lastTradeDateOrContractMonth: "20260116", strike: 600, right: "C" as Contract["right"], multiplier: 100 }, "", false, false);
    await tws.waitForRequest("req_mkt_data", (r) => r.reqId === 12);
    tws.setGreeks(call, { impliedVol: 0.2, delta: 0.5 });
    const args = await greeks;
    expect(args.slice(0, 5)).toEqual([12, 13, 0, 0.2, 0.5]);
    expect(args[8]).toBeUndefined(); // gamma not computed
  });

  test("an order works, partially fills, fills; executions and open orders are reported", async () => {
    const orderId = await connect(1);
    const order: Order = { action: "BUY" as Order["action"], totalQuantity: 30, orderType: "MKT" as Order["orderType"], orderRef: "gs:t:SPY:1", transmit: true };
    const submitted = nextEvent<[number, string]>(EventName.orderStatus, (_id, status) => status === "Submitted");
    api.placeOrder(orderId, { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" }, order);
    await submitted;
    expect(tws.orderByRef("gs:t:SPY:1")?.totalQuantity).toBe(30);

    const execs: Execution[] = [];
    api.on(EventName.execDetails, (_r: number, _c: Contract, e: Execution) => void execs.push(e));
    const filled = nextEvent<[number, string]>(EventName.orderStatus, (_id, status) => status === "Filled");
    tws.fillOrder(orderId, 10, 600.2, 0.5);
    tws.fillOrder(orderId, 20, 600.3, 1);
    await filled;
    expect(execs.map((e) => [e.shares, e.price, e.cumQty, e.orderRef])).toEqual([[10, 600.2, 10, "gs:t:SPY:1"], [20, 600.3, 30, "gs:t:SPY:1"]]);

    const history: Execution[] = [];
    api.on(EventName.execDetails, (reqId: number, _c: Contract, e: Execution) => void (reqId === 5 && history.push(e)));
    const end = nextEvent<[number]>(EventName.execDetailsEnd);
    api.reqExecutions(5, { time: "20000101-00:00:00" } as Parameters<IBApi["reqExecutions"]>[1]);
    await end;
    expect(history.length).toBe(2);

    const second = orderId + 1;
    const secondSubmitted = nextEvent<[number, string]>(EventName.orderStatus, (id) => id === second);
    api.placeOrder(second, { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" }, { ...order, orderRef: "gs:t:SPY:2" });
    await secondSubmitted;
    const refs: string[] = [];
    api.on(EventName.openOrder, (_id: number, _c: Contract, o: Order) => void refs.push(o.orderRef ?? ""));
    const openEnd = nextEvent<[]>(EventName.openOrderEnd);
    api.reqAllOpenOrders();
    await openEnd;
    expect(refs).toEqual(["gs:t:SPY:2"]);
  });

  test("historical bars end with the finished marker", async () => {
    await connect(1);
    tws.historicalBars.set("SPY", [{ time: "1767623400", open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, wap: 1.2, barCount: 3 }]);
    const dates: string[] = [];
    const done = nextEvent<[number, string]>(EventName.historicalData, (_r, date) => date.startsWith("finished"));
    api.on(EventName.historicalData, (_r: number, date: string) => void dates.push(date));
    api.reqHistoricalData(4, { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" }, "", "1 D", "5 mins" as Parameters<IBApi["reqHistoricalData"]>[4], "TRADES", 1, 2, false);
    await done;
    expect(dates[0]).toBe("1767623400");
    expect(tws.requestsOf("req_historical_data")[0]?.request).toMatchObject({ barSize: "5 mins", duration: "1 D", whatToShow: "TRADES" });
  });
});

describe("fake TWS protocol errors", () => {
  test("bytes that are not the TWS protocol are recorded and the connection dropped", async () => {
    const { connect } = await import("node:net");
    const socket = connect({ host: "127.0.0.1", port: tws.port });
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => undefined);
    socket.write("GET / HTTP/1.1\r\n\r\n");
    await closed;
    expect(tws.protocolErrors).toEqual(['session 1: handshake prefix was "GET ", expected "API\\0"']);
    tws.protocolErrors.length = 0;
  });
});
