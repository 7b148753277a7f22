// The Broker port's contract as one suite over a factory: every implementation (IB
// adapter against the fake TWS, sim broker) must pass it. A venue that cannot do
// something says so through its capabilities and the matching tests are skipped.
import { afterEach, describe, expect, test } from "bun:test";
import { BrokerError } from "../../src/broker/port.ts";
import type { Broker, BrokerEvent } from "../../src/broker/port.ts";

export interface VenueCapabilities {
  /** The venue can keep an order working until the test acts (needed for openOrders/cancel tests). */
  readonly holdsOrders: boolean;
  /** The test can cut the connection from the venue side. */
  readonly dropsConnection: boolean;
}

/** A broker plus the levers the contract needs to move its venue. */
export interface BrokerVenue {
  readonly broker: Broker;
  readonly symbol: string;
  readonly capabilities: VenueCapabilities;
  /** Publishes a quote for `symbol` at the venue. */
  quote(bid: number, ask: number): void;
  /** From now on orders stay working (no fill) until cancelled. */
  holdOrders(): void;
  /** Lets the venue deliver whatever is due (a round trip, or clock time for simulated venues). */
  settle(): Promise<void>;
  dropConnection(): Promise<void>;
  close(): Promise<void>;
}

export type VenueFactory = () => Promise<BrokerVenue>;

const MAX_SETTLES = 200;

export function describeBrokerContract(name: string, createVenue: VenueFactory): void {
  describe(`Broker contract: ${name}`, () => {
    let venue: BrokerVenue | null = null;
    let events: BrokerEvent[] = [];

    async function open(): Promise<BrokerVenue> {
      venue = await createVenue();
      events = [];
      venue.broker.onEvent((e) => void events.push(e));
      await venue.broker.connect();
      return venue;
    }

    async function until<T>(v: BrokerVenue, find: () => T | undefined, what: string): Promise<T> {
      for (let i = 0; i < MAX_SETTLES; i++) {
        const found = find();
        if (found !== undefined) return found;
        await v.settle();
      }
      throw new Error(`${name}: ${what} never happened; events were ${JSON.stringify(events.map((e) => e.type))}`);
    }

    const ofType = <T extends BrokerEvent["type"]>(type: T) => events.filter((e): e is Extract<BrokerEvent, { type: T }> => e.type === type);

    afterEach(async () => {
      await venue?.close();
      venue = null;
    });

    test("connects and says so", async () => {
      const v = await open();
      expect(v.broker.isConnected()).toBe(true);
      expect(v.broker.name === "ib" || v.broker.name === "sim").toBe(true);
      const again = await v.broker.connect();
      expect(typeof again.clientId).toBe("number");
      expect(Array.isArray(again.accounts)).toBe(true);
    });

    test("streams quotes for a subscribed stock", async () => {
      const v = await open();
      v.broker.subscribeMarketData([{ secType: "STK", symbol: v.symbol }]);
      await v.settle();
      v.quote(100, 100.1);
      const quote = await until(v, () => ofType("quote").find((q) => q.bid === 100 && q.ask === 100.1), "quote 100/100.1");
      expect(quote.symbol).toBe(v.symbol);
    });

    test("an unsubscribed stock streams no more quotes until subscribed again; unsubscribing what is not streamed is ignored", async () => {
      const v = await open();
      const stock = { secType: "STK", symbol: v.symbol } as const;
      v.broker.unsubscribeMarketData([{ secType: "STK", symbol: "NOT-STREAMED" }]);
      v.broker.subscribeMarketData([stock]);
      v.quote(100, 100.1);
      await until(v, () => ofType("quote").find((q) => q.bid === 100), "quote 100");
      v.broker.unsubscribeMarketData([stock]);
      await v.settle();
      v.quote(102, 102.1);
      for (let i = 0; i < 20; i++) await v.settle();
      expect(ofType("quote").filter((q) => q.bid === 102)).toEqual([]);
      v.broker.subscribeMarketData([stock]);
      v.quote(103, 103.1);
      await until(v, () => ofType("quote").find((q) => q.bid === 103), "quote 103 after subscribing again");
    });

    test("a market order is reported by its execution and commission, under its orderRef", async () => {
      const v = await open();
      v.quote(100, 100.1);
      await v.settle();
      const positionsBefore = await v.broker.positions();
      const orderRef = `gs:contract:${v.symbol}:1`;
      const brokerOrderId = v.broker.placeOrder({ orderRef, symbol: v.symbol, side: "BUY", quantityShares: 10, orderType: "market" });
      const execution = await until(v, () => ofType("execution").find((e) => e.execution.orderRef === orderRef), "execution")
        .then((e) => e.execution);
      expect(execution).toMatchObject({ orderRef, brokerOrderId, symbol: v.symbol, side: "BUY" });
      const filled = await until(v, () => ofType("order_status").find((s) => s.orderRef === orderRef && s.status === "filled"), "filled status");
      expect(filled.filledShares).toBe(10);
      const commission = await until(v, () => ofType("commission").find((c) => c.commission.execId === execution.execId), "commission");
      expect(commission.commission.commissionUsd).toBeGreaterThanOrEqual(0);

      const history = await v.broker.executionsSince(execution.tsEventMs - 1_000);
      expect(history.map((h) => h.execution.execId)).toContain(execution.execId);
      const stockQty = (ps: readonly { contract: { secType: string; symbol: string }; quantity: number }[]) =>
        ps.filter((p) => p.contract.secType === "STK" && p.contract.symbol === v.symbol).reduce((sum, p) => sum + p.quantity, 0);
      expect(stockQty(await v.broker.positions()) - stockQty(positionsBefore)).toBe(10);
    });

    test("a positions answer is marked in the event stream: one positions_end, emitted before the answer resolves", async () => {
      const v = await open();
      await v.settle();
      const before = ofType("positions_end").length;
      const endsWhenAnswered = await v.broker.positions().then(() => ofType("positions_end").length - before);
      await v.settle();
      expect({ endsWhenAnswered, endsAfter: ofType("positions_end").length - before }).toEqual({ endsWhenAnswered: 1, endsAfter: 1 });
    });

    test("orderRefs and broker order ids are unique per order", async () => {
      const v = await open();
      v.quote(100, 100.1);
      const a = v.broker.placeOrder({ orderRef: `gs:contract:${v.symbol}:a`, symbol: v.symbol, side: "BUY", quantityShares: 1, orderType: "market" });
      const b = v.broker.placeOrder({ orderRef: `gs:contract:${v.symbol}:b`, symbol: v.symbol, side: "SELL", quantityShares: 1, orderType: "market" });
      expect(a).not.toBe(b);
    });

    test("a working order is listed by openOrders and can be cancelled by orderRef", async () => {
      const v = await open();
      if (!v.capabilities.holdsOrders) return;
      v.holdOrders();
      v.quote(100, 100.1);
      const orderRef = `gs:contract:${v.symbol}:hold`;
      v.broker.placeOrder({ orderRef, symbol: v.symbol, side: "SELL", quantityShares: 7, orderType: "limit", limitPrice: 150 });
      await until(v, () => ofType("order_status").find((s) => s.orderRef === orderRef && s.status === "submitted"), "submitted status");
      const listed = await v.broker.openOrders();
      expect(listed.map((o) => [o.orderRef, o.side, o.quantityShares])).toContainEqual([orderRef, "SELL", 7]);
      v.broker.cancelOrder(orderRef);
      await until(v, () => ofType("order_status").find((s) => s.orderRef === orderRef && s.status === "cancelled"), "cancelled status");
      expect((await v.broker.openOrders()).map((o) => o.orderRef)).not.toContain(orderRef);
    });

    test("no order while disconnected: placeOrder throws not_connected, never queues", async () => {
      const v = await open();
      if (!v.capabilities.dropsConnection) return;
      await v.dropConnection();
      expect(v.broker.isConnected()).toBe(false);
      let error: unknown = null;
      try {
        v.broker.placeOrder({ orderRef: `gs:contract:${v.symbol}:down`, symbol: v.symbol, side: "BUY", quantityShares: 1, orderType: "market" });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BrokerError);
      expect((error as BrokerError).kind).toBe("not_connected");
      await v.broker.connect();
      expect((await v.broker.openOrders()).map((o) => o.orderRef)).not.toContain(`gs:contract:${v.symbol}:down`);
      expect((await v.broker.executionsSince(0)).map((e) => e.execution.orderRef)).not.toContain(`gs:contract:${v.symbol}:down`);
    });

    test("an unsubscribed listener hears nothing more", async () => {
      const v = await open();
      const heard: BrokerEvent[] = [];
      const off = v.broker.onEvent((e) => void heard.push(e));
      off();
      v.broker.subscribeMarketData([{ secType: "STK", symbol: v.symbol }]);
      v.quote(101, 101.1);
      await until(v, () => ofType("quote").find((q) => q.bid === 101), "quote 101");
      expect(heard).toEqual([]);
    });
  });
}
