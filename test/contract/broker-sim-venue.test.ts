// The simulated venue beyond the port contract: its prices, costs, scripted outcomes,
// replay clock and the opening straddle.
import { describe, expect, test } from "bun:test";
import { commissionUsd, limitFillPrice, marketableFillPrice, quoteAround } from "../../src/broker/sim/sim-fills.ts";
import type { BrokerEvent } from "../../src/broker/port.ts";
import { barsToPath, SimFeed } from "../../src/broker/sim/sim-feed.ts";
import { atmStraddle, straddleExpiryYmd } from "../../src/broker/sim/sim-straddle.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { testSimBroker } from "../support/sim-broker.ts";

const COSTS = { slippageBps: 10, commissionPerShareUsd: 0.005, minCommissionUsd: 1 };
const START_MS = Date.UTC(2024, 2, 26, 14, 0, 0);

describe("sim fills", () => {
  test.each([
    ["BUY", 100.1 + 0.1001] as const,
    ["SELL", 100 - 0.1] as const,
  ])("a marketable %s crosses the spread and slips", (side, expected) => {
    expect(marketableFillPrice(side, { bid: 100, ask: 100.1 }, COSTS)).toBeCloseTo(expected, 4);
  });

  test("a limit order fills only when marketable", () => {
    expect(limitFillPrice("BUY", 99, { bid: 100, ask: 100.1 }, COSTS)).toBeNull();
    expect(limitFillPrice("SELL", 150, { bid: 100, ask: 100.1 }, COSTS)).toBeNull();
    expect(limitFillPrice("BUY", 101, { bid: 100, ask: 100.1 }, COSTS)).toBeCloseTo(100.2001, 4);
  });

  test.each([
    [10, 1],
    [1000, 5],
  ])("commission on %i shares is %d USD (per share, with a minimum)", (shares, usd) => {
    expect(commissionUsd(shares, COSTS)).toBe(usd);
  });

  test("quotes are symmetric around mid with at least a cent each side", () => {
    expect(quoteAround(500, 0)).toEqual({ bid: 499.99, ask: 500.01 });
    expect(quoteAround(500, 2)).toEqual({ bid: 499.9, ask: 500.1 });
  });
});

function venue() {
  const clock = new FakeClock(START_MS);
  const broker = testSimBroker(clock, { costs: COSTS });
  const events: BrokerEvent[] = [];
  broker.onEvent((event) => void events.push(event));
  return { clock, broker, events };
}

describe("sim broker", () => {
  test("refuses connections on demand and never fills on send", async () => {
    const { clock, broker, events } = venue();
    broker.refuseConnections(true);
    await expect(broker.connect()).rejects.toMatchObject({ kind: "temporary" });
    broker.refuseConnections(false);
    await broker.connect();
    broker.pushPrice(500);
    broker.placeOrder({ orderRef: "gs:t:SPY:1", symbol: "SPY", side: "BUY", quantityShares: 10, orderType: "market" });
    expect(events.filter((event) => event.type === "execution")).toEqual([]);
    await clock.advance(20);
    expect(events.filter((event) => event.type === "execution")).toHaveLength(1);
  });

  test("scripted partial fill leaves the rest working; scripted reject fills nothing", async () => {
    const { clock, broker, events } = venue();
    await broker.connect();
    broker.pushPrice(500);
    broker.scriptNextOrder({ type: "partial", fillShares: 4 });
    broker.scriptNextOrder({ type: "reject", reason: "201 no" });
    broker.placeOrder({ orderRef: "gs:t:SPY:1", symbol: "SPY", side: "BUY", quantityShares: 10, orderType: "market" });
    broker.placeOrder({ orderRef: "gs:t:SPY:2", symbol: "SPY", side: "BUY", quantityShares: 10, orderType: "market" });
    await clock.advance(50);
    const statuses = events.flatMap((event) => (event.type === "order_status" ? [[event.orderRef, event.status, event.filledShares]] : []));
    expect(statuses).toContainEqual(["gs:t:SPY:1", "partially_filled", 4]);
    expect(statuses).toContainEqual(["gs:t:SPY:2", "rejected", 0]);
    expect((await broker.openOrders()).map((order) => [order.orderRef, order.filledShares])).toEqual([["gs:t:SPY:1", 4]]);
    expect((await broker.positions())[0]?.quantity).toBe(4);
  });
});

describe("sim feed", () => {
  test("replays bars at speed and skips the night", async () => {
    const clock = new FakeClock(0);
    const bar = (tsMs: number, price: number) => ({ tsMs, barSeconds: 300, open: price, high: price, low: price, close: price });
    const evening = START_MS + 6 * 3_600_000;
    const nextMorning = START_MS + 24 * 3_600_000;
    const prices: [number, number][] = [];
    const feed = new SimFeed({
      path: barsToPath([bar(START_MS, 500), bar(START_MS + 300_000, 501), bar(evening, 502), bar(nextMorning, 510)]),
      speed: 60,
      maxGapMs: 30 * 60_000,
      tickWallMs: 1_000,
      wallClock: clock,
      onPrice: (price, marketTsMs) => void prices.push([price, marketTsMs]),
      onEnd: () => {},
    });
    expect(feed.marketClock.nowMs()).toBe(START_MS);
    feed.start();
    await clock.advance(5_000); // 5 wall seconds = 5 market minutes
    expect(feed.marketClock.nowMs()).toBe(START_MS + 300_000);
    // The bar's last point is its close at +225 s market (3.75 s wall); then a 6-hour gap
    // follows, which is skipped: market time jumps to the evening bar instead of replaying it.
    await clock.advance(5_000);
    expect(prices.at(-1)?.[0]).toBe(502);
    expect(prices.at(-1)?.[1]).toBeGreaterThanOrEqual(evening);
    expect(prices.at(-1)?.[1]).toBeLessThan(evening + 300_000);
    await clock.advance(10_000);
    expect(prices.at(-1)?.[0]).toBe(510);
    expect(feed.marketClock.nowMs()).toBeLessThan(nextMorning + 15 * 60_000);
    feed.stop();
  });
});

describe("opening straddle", () => {
  test("expires on a Friday 21..35 days out, at the strike nearest spot", () => {
    const [call, put] = atmStraddle("SPY", 521.4, START_MS);
    expect(call.strike).toBe(521);
    expect(put.right).toBe("P");
    const expiry = straddleExpiryYmd(START_MS);
    const expiryMs = Date.UTC(Number(expiry.slice(0, 4)), Number(expiry.slice(4, 6)) - 1, Number(expiry.slice(6, 8)));
    const dte = Math.round((expiryMs - Date.UTC(2024, 2, 26)) / 86_400_000);
    expect(dte).toBeGreaterThanOrEqual(21);
    expect(dte).toBeLessThanOrEqual(35);
    expect(new Date(expiryMs).getUTCDay()).toBe(5);
  });
});
