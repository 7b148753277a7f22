// Today's PnL as the circuit breaker judges it: trades are never PnL. Options enter at their
// first trustworthy mark (a roll's new legs at their first broker price, not the fallback
// vol's guess); hedge shares are marked to market, so the broker's average cost (which
// blends in shares outside the strategy) and shares changed outside gs change nothing.
import { describe, expect, test } from "bun:test";
import { blackScholes } from "../../src/core/greeks.ts";
import { Hedger } from "../../src/core/hedger.ts";
import type { HedgerParams } from "../../src/core/hedger-params.ts";
import { contractKey, type Position } from "../../src/core/instrument.ts";
import { YEAR_MS } from "../../src/core/leg-book.ts";
import { exchangeDayAt } from "../../src/core/nyse-calendar.ts";
import { OrderRefSequence } from "../../src/core/order-ref-sequence.ts";
import { hedgerParams, MONDAY_10AM, option, optionPosition, stockPosition, STRATEGY } from "./core-fixtures.ts";

const OLD_EXPIRY = "20250328";
const NEW_EXPIRY = "20250404";

/** A Hedger fed the way the daemon feeds it: quotes, broker greeks at a market IV, position reports. */
class Desk {
  readonly hedger: Hedger;
  nowMs = MONDAY_10AM;
  spot = 590;

  constructor(params: HedgerParams = hedgerParams()) {
    this.hedger = new Hedger(params);
    this.hedger.setBrokerConnected(true, this.nowMs);
  }

  quote(spot = this.spot, advanceMs = 1000): this {
    this.nowMs += advanceMs;
    this.spot = spot;
    this.hedger.onQuote({ bid: spot - 0.01, ask: spot + 0.01, last: spot, tsEventMs: this.nowMs });
    return this;
  }

  /** The broker's greeks and price of the 590 straddle expiring `expiryYmd`, at `iv`. */
  greeks(expiryYmd: string, iv: number): this {
    const expiryMs = Date.parse(`${expiryYmd.slice(0, 4)}-${expiryYmd.slice(4, 6)}-${expiryYmd.slice(6)}T20:00:00Z`);
    for (const right of ["C", "P"] as const) {
      const g = blackScholes(right, this.spot, 590, (expiryMs - this.nowMs) / YEAR_MS, STRATEGY.riskFreeRate, STRATEGY.dividendYield, iv);
      this.hedger.onOptionGreeks(contractKey(option(right, 590, expiryYmd)), {
        impliedVol: iv,
        delta: g.delta,
        gamma: g.gamma,
        vega: g.vega / 100,
        theta: g.theta / 365,
        optionPrice: g.price,
        underlyingPrice: this.spot,
        tsEventMs: this.nowMs,
      });
    }
    return this;
  }

  positions(positions: readonly Position[]): this {
    this.hedger.setPositions(positions, this.nowMs);
    return this;
  }

  pnl(): number {
    return this.hedger.dailyPnlUsd(this.nowMs)!;
  }
}

const straddleOf = (lots: number, expiryYmd: string): Position[] => [optionPosition("C", 590, lots, expiryYmd), optionPosition("P", 590, lots, expiryYmd)];
/** The old straddle closed (reported flat) and the new one opened. */
const rolled = (lots: number): Position[] => [...straddleOf(0, OLD_EXPIRY), ...straddleOf(lots, NEW_EXPIRY)];

describe("option PnL: each leg enters at its first trustworthy mark", () => {
  test.each([
    ["market IV below the fallback vol (was a fake loss that tripped the breaker)", 0.2, 0.13, 10],
    ["market IV above the fallback vol (was a fake gain hiding losses)", 0.35, 0.2, 5],
  ])("an intraday roll, spot unchanged: %s", (_name, fallbackVol, iv, lots) => {
    const desk = new Desk(hedgerParams({ strategy: { fallbackVol } }));
    desk.quote().positions(straddleOf(lots, OLD_EXPIRY)).greeks(OLD_EXPIRY, iv);
    desk.hedger.evaluate(desk.nowMs);
    expect(desk.pnl()).toBeCloseTo(0, 6);
    // The position reports come first; the new legs' market data a moment later.
    desk.quote().positions(rolled(lots));
    desk.hedger.evaluate(desk.nowMs);
    expect(Math.abs(desk.pnl())).toBeLessThan(1);
    desk.quote(desk.spot, 500).greeks(NEW_EXPIRY, iv);
    desk.hedger.evaluate(desk.nowMs);
    expect(Math.abs(desk.pnl())).toBeLessThan(1);
    expect(desk.hedger.circuitBreakerTripped).toBe(false);
    // From then on the new legs' price moves are PnL.
    desk.quote().greeks(NEW_EXPIRY, iv - 0.01);
    expect(desk.pnl()).toBeLessThan(-lots * 100);
  });

  test("the day's first marks wait for the broker's prices (legs held before their market data)", () => {
    const desk = new Desk(hedgerParams({ strategy: { brokerGreeksGraceMs: 5000 } }));
    desk.quote().positions(straddleOf(10, NEW_EXPIRY));
    expect(desk.hedger.evaluate(desk.nowMs)).toMatchObject({ type: "hold", reason: "awaiting_broker_greeks" });
    desk.quote().greeks(NEW_EXPIRY, 0.13);
    desk.hedger.evaluate(desk.nowMs);
    expect(Math.abs(desk.pnl())).toBeLessThan(1);
    expect(desk.hedger.circuitBreakerTripped).toBe(false);
  });

  test("a leg closed intraday leaves its PnL at its last mark; contracts added enter at the mark", () => {
    const desk = new Desk();
    desk.quote().positions(straddleOf(5, NEW_EXPIRY)).greeks(NEW_EXPIRY, 0.2);
    desk.hedger.evaluate(desk.nowMs);
    desk.quote().greeks(NEW_EXPIRY, 0.18);
    const lost = desk.pnl();
    expect(lost).toBeLessThan(-500);
    desk.positions(straddleOf(10, NEW_EXPIRY)); // bought 5 more lots at the mark
    expect(desk.pnl()).toBeCloseTo(lost, 6);
    desk.positions(straddleOf(0, NEW_EXPIRY)); // closed everything
    expect(desk.pnl()).toBeCloseTo(lost, 6);
    desk.quote(600).greeks(NEW_EXPIRY, 0.3); // nothing held moves it
    expect(desk.pnl()).toBeCloseTo(lost, 6);
  });
});

describe("restart: today's PnL goes on from the saved marks", () => {
  /** A day with the old straddle 0.5 vol points down, saved. */
  function savedDay(lots: number) {
    const desk = new Desk();
    desk.quote().positions(straddleOf(lots, OLD_EXPIRY)).greeks(OLD_EXPIRY, 0.2);
    desk.hedger.evaluate(desk.nowMs);
    desk.quote().greeks(OLD_EXPIRY, 0.195);
    desk.hedger.evaluate(desk.nowMs);
    return { desk, pnl: desk.pnl(), saved: desk.hedger.dailyState(desk.nowMs) };
  }

  /** As the daemon restarts: the saved day restored before the first positions, the default 5 s grace for broker greeks. */
  function restarted(desk: Desk, saved: ReturnType<Hedger["dailyState"]>): Desk {
    const next = new Desk(hedgerParams({ strategy: { brokerGreeksGraceMs: 5000 } }));
    next.nowMs = desk.nowMs + 60_000;
    next.hedger.restoreDailyState(saved, next.nowMs);
    return next;
  }

  test("the legs still held keep their baselines, at their saved marks until the broker's price", () => {
    const { desk, pnl, saved } = savedDay(5);
    expect(pnl).toBeLessThan(-50);
    const next = restarted(desk, saved);
    next.quote().positions(straddleOf(5, OLD_EXPIRY));
    next.hedger.evaluate(next.nowMs);
    expect(next.pnl()).toBeCloseTo(pnl, 6);
    next.quote().greeks(OLD_EXPIRY, 0.195);
    expect(next.pnl()).toBeLessThan(pnl); // a minute and a half of theta more
    expect(next.pnl()).toBeGreaterThan(pnl - 50);
  });

  test("restored after the legs were selected (positions reported first): the same", () => {
    const { desk, pnl, saved } = savedDay(5);
    const next = new Desk();
    next.nowMs = desk.nowMs + 60_000;
    next.quote().positions(straddleOf(5, OLD_EXPIRY)).greeks(OLD_EXPIRY, 0.195);
    next.hedger.evaluate(next.nowMs);
    next.hedger.restoreDailyState(saved, next.nowMs);
    expect(next.pnl()).toBeLessThan(pnl);
    expect(next.pnl()).toBeGreaterThan(pnl - 50);
  });

  test("a roll while gs was down: the old legs close at their saved marks, the new ones enter at their first", () => {
    const { desk, pnl, saved } = savedDay(10);
    const next = restarted(desk, saved);
    next.quote().positions(straddleOf(10, NEW_EXPIRY));
    next.hedger.evaluate(next.nowMs);
    expect(next.pnl()).toBeCloseTo(pnl, 6);
    next.quote().greeks(NEW_EXPIRY, 0.13);
    next.hedger.evaluate(next.nowMs);
    expect(next.pnl()).toBeCloseTo(pnl, 6);
    expect(next.hedger.circuitBreakerTripped).toBe(false);
  });

  test("lots bought while gs was down enter at the first mark since the restart, not at the saved one", () => {
    const { desk, saved } = savedDay(5);
    // What a desk that never stopped gets: the saved lots move with spot, the 5 bought enter at the mark.
    desk.quote(600, 60_000).greeks(OLD_EXPIRY, 0.195);
    desk.positions(straddleOf(10, OLD_EXPIRY));
    desk.hedger.evaluate(desk.nowMs);
    const next = restarted(desk, saved);
    next.nowMs = desk.nowMs - 1000;
    next.quote(600).positions(straddleOf(10, OLD_EXPIRY)).greeks(OLD_EXPIRY, 0.195);
    next.hedger.evaluate(next.nowMs);
    expect(next.pnl()).toBeCloseTo(desk.pnl(), 6);
  });

  test("every leg closed while gs was down: their PnL at the saved marks stays in the day", () => {
    const { desk, pnl, saved } = savedDay(10);
    expect(pnl).toBeLessThan(-100);
    const next = restarted(desk, saved);
    next.quote().positions([]);
    next.hedger.evaluate(next.nowMs);
    expect(next.pnl()).toBeCloseTo(pnl, 6);
    expect(next.hedger.dailyState(next.nowMs).pnlMarks?.legBaselines).toEqual([]);
  });

  test("greeks_source model: the options' move while gs was down counts once their implied vol arrives, as the hedge's does", () => {
    const params = hedgerParams({ strategy: { greeksSource: "model", fallbackVol: 0.2, brokerGreeksGraceMs: 5000 } });
    const book = (): Position[] => [...straddleOf(10, NEW_EXPIRY), stockPosition(-500)];
    const desk = new Desk(params);
    desk.quote().positions(book()).greeks(NEW_EXPIRY, 0.13);
    desk.hedger.evaluate(desk.nowMs);
    const saved = desk.hedger.dailyState(desk.nowMs);
    // What a desk that never stopped gets: spot 590 -> 600 in two minutes, the market's IV unchanged.
    desk.quote(600, 120_000).greeks(NEW_EXPIRY, 0.13);
    desk.hedger.evaluate(desk.nowMs);
    const next = new Desk(params);
    next.nowMs = desk.nowMs - 1000;
    next.hedger.restoreDailyState(saved, next.nowMs);
    next.quote(600).positions(book());
    next.hedger.evaluate(next.nowMs); // the options' IV not here yet: the fallback's guess waits
    next.greeks(NEW_EXPIRY, 0.13);
    next.hedger.evaluate(next.nowMs);
    expect(next.pnl()).toBeCloseTo(desk.pnl(), 6);
  });

  test("paused across midnight: the new day's first quote opens it for status and the breaker, with no evaluation", () => {
    const desk = new Desk(hedgerParams({ guards: { maxDailyLossUsd: 1000 } }));
    desk.quote().positions([...straddleOf(10, NEW_EXPIRY), stockPosition(-2000)]).greeks(NEW_EXPIRY, 0.2);
    desk.hedger.evaluate(desk.nowMs);
    desk.hedger.setPaused(true); // from now on the daemon only tick()s and reads status
    desk.quote(590, 24 * 3_600_000).greeks(NEW_EXPIRY, 0.2); // Tuesday 10:00
    desk.hedger.tick(desk.nowMs);
    expect(desk.hedger.snapshot(desk.nowMs).dailyPnlUsd).toBeCloseTo(0, 6);
    desk.quote(600).greeks(NEW_EXPIRY, 0.2); // short 2,000 shares, +10: the hedge loses 20,000
    desk.hedger.tick(desk.nowMs);
    expect(desk.hedger.snapshot(desk.nowMs).dailyPnlUsd).toBeLessThan(-1000);
    expect(desk.hedger.circuitBreakerTripped).toBe(true);
  });

  test("a status read at midnight does not open the new day on yesterday's quote", () => {
    const desk = new Desk();
    desk.quote().positions(straddleOf(5, NEW_EXPIRY)).greeks(NEW_EXPIRY, 0.2);
    desk.hedger.evaluate(desk.nowMs);
    const midnight = exchangeDayAt(desk.nowMs).endMs;
    desk.nowMs = midnight + 1000;
    expect(desk.hedger.snapshot(desk.nowMs).dailyPnlUsd).toBeNull();
    expect(desk.hedger.pnl.hedgeOpenValueUsd).toBeNull();
  });
});

describe("a guess at the fallback vol is a valuation, not a price: switching to the market's mark is no PnL", () => {
  const MODEL = hedgerParams({ strategy: { greeksSource: "model", fallbackVol: 0.2 } });

  test("greeks_source model: an intraday roll whose legs' prices come after their positions", () => {
    const desk = new Desk(MODEL);
    desk.quote().positions(straddleOf(10, OLD_EXPIRY)).greeks(OLD_EXPIRY, 0.13);
    desk.hedger.evaluate(desk.nowMs);
    desk.quote().positions(rolled(10));
    desk.hedger.evaluate(desk.nowMs);
    desk.quote(desk.spot, 500).greeks(NEW_EXPIRY, 0.13);
    desk.hedger.evaluate(desk.nowMs);
    expect(Math.abs(desk.pnl())).toBeLessThan(1);
    expect(desk.hedger.circuitBreakerTripped).toBe(false);
  });

  test("greeks_source model: the day's first marks before the broker's prices", () => {
    const desk = new Desk(MODEL);
    desk.quote().positions(straddleOf(10, NEW_EXPIRY));
    desk.hedger.evaluate(desk.nowMs);
    desk.quote().greeks(NEW_EXPIRY, 0.13);
    desk.hedger.evaluate(desk.nowMs);
    expect(Math.abs(desk.pnl())).toBeLessThan(1);
    // The market's moves count from there.
    desk.quote().greeks(NEW_EXPIRY, 0.12);
    expect(desk.pnl()).toBeLessThan(-1000);
  });

  test("greeks_source broker with no option data past the grace: the legs are valued on the fallback vol, theta shows", () => {
    const desk = new Desk(hedgerParams({ strategy: { brokerGreeksGraceMs: 5000 } }));
    desk.quote().positions(straddleOf(50, NEW_EXPIRY));
    desk.hedger.evaluate(desk.nowMs);
    expect(desk.hedger.snapshot(desk.nowMs).optionMtmPnlUsd).toBeNull(); // waiting: unknown, not $0
    for (let minute = 0; minute < 120; minute++) {
      desk.quote(desk.spot, 60_000);
      desk.hedger.evaluate(desk.nowMs);
    }
    expect(desk.hedger.snapshot(desk.nowMs).optionMtmPnlUsd).toBeLessThan(-100);
  });
});

describe("hedge PnL is marked to market, not taken from the broker's average cost", () => {
  const EXTERNAL = 1000;
  const params = hedgerParams({ externalShares: EXTERNAL, guards: { cooldownMs: 0, minPriceMoveFraction: 0 } });

  /** 1000 shares bought long ago at 400 outside the strategy; gs sells a hedge at 594. IB keeps the average cost at 400 on a sale. */
  function hedgedAt594(): { desk: Desk; hedgeShares: number } {
    const desk = new Desk(params);
    desk.quote(590).positions([...straddleOf(5, NEW_EXPIRY), stockPosition(EXTERNAL, 400)]).greeks(NEW_EXPIRY, 0.2);
    desk.hedger.evaluate(desk.nowMs);
    desk.quote(594).greeks(NEW_EXPIRY, 0.2);
    const decision = desk.hedger.evaluate(desk.nowMs);
    if (decision.type !== "hedge") throw new Error(`expected a hedge, was ${JSON.stringify(decision)}`);
    const order = desk.hedger.createOrder(decision, desk.nowMs, new OrderRefSequence("gs:test:SPY:"));
    desk.hedger.onOrderAccepted(order.orderRef, 1, desk.nowMs);
    const signed = order.side === "BUY" ? order.quantityShares : -order.quantityShares;
    const execution = { execId: "e1", orderRef: order.orderRef, brokerOrderId: 1, symbol: "SPY", side: order.side, shares: order.quantityShares, price: 594, cumulativeShares: order.quantityShares, tsEventMs: desk.nowMs };
    desk.hedger.onExecution(execution);
    desk.hedger.onOrderStatus({ orderRef: order.orderRef, status: "filled", filledShares: order.quantityShares, tsEventMs: desk.nowMs });
    desk.positions([...straddleOf(5, NEW_EXPIRY), stockPosition(EXTERNAL + signed, 400)]);
    return { desk, hedgeShares: signed };
  }

  test("a same-day restart with external shares: the day's PnL does not jump", () => {
    const { desk, hedgeShares } = hedgedAt594();
    expect(hedgeShares).toBeLessThan(-50);
    const before = desk.pnl();
    const restarted = new Desk(params);
    restarted.nowMs = desk.nowMs;
    restarted.hedger.restoreDailyState(desk.hedger.dailyState(desk.nowMs), restarted.nowMs);
    restarted.quote(594, 0).positions([...straddleOf(5, NEW_EXPIRY), stockPosition(EXTERNAL + hedgeShares, 400)]).greeks(NEW_EXPIRY, 0.2);
    restarted.hedger.evaluate(restarted.nowMs);
    expect(restarted.pnl()).toBeCloseTo(before, 6);
    expect(restarted.hedger.circuitBreakerTripped).toBe(false);
  });

  test("an adopted manual trade with external shares enters at the mark: no PnL", () => {
    const { desk, hedgeShares } = hedgedAt594();
    const before = desk.pnl();
    // The operator buys 10 shares at 594; IB blends them into the account's average cost.
    const shares = EXTERNAL + hedgeShares + 10;
    desk.quote(594, 60_000).positions([...straddleOf(5, NEW_EXPIRY), stockPosition(shares, ((EXTERNAL + hedgeShares) * 400 + 10 * 594) / shares)]);
    desk.quote(594, 20_000).greeks(NEW_EXPIRY, 0.2);
    desk.hedger.evaluate(desk.nowMs);
    expect(desk.hedger.positions.adoptedCount).toBe(1);
    expect(desk.pnl()).toBeCloseTo(before, 0); // 80 s of theta
    expect(desk.hedger.circuitBreakerTripped).toBe(false);
  });

  test("a restart that finds other hedge shares than were saved enters them at the mark", () => {
    const { desk, hedgeShares } = hedgedAt594();
    const before = desk.pnl();
    const restarted = new Desk(params);
    restarted.nowMs = desk.nowMs;
    restarted.hedger.restoreDailyState(desk.hedger.dailyState(desk.nowMs), restarted.nowMs);
    restarted.quote(594, 0).positions([...straddleOf(5, NEW_EXPIRY), stockPosition(EXTERNAL + hedgeShares - 30, 400)]).greeks(NEW_EXPIRY, 0.2);
    restarted.hedger.evaluate(restarted.nowMs);
    expect(restarted.pnl()).toBeCloseTo(before, 6);
    restarted.quote(595).greeks(NEW_EXPIRY, 0.2);
    // The 30 shares found short count from the restart's mark on.
    const pnl = restarted.pnl();
    expect(pnl - restarted.hedger.pnl.optionMtmUsd).toBeCloseTo((hedgeShares - 30) * 1, 6);
  });
});
