import { describe, expect, test } from "bun:test";
import { allDenials, firstDenial, type GuardState } from "../../src/core/guard-chain.ts";
import {
  brokerConnectedGuard,
  buildGuardChain,
  circuitBreakerGuard,
  cooldownGuard,
  earningsBlackoutDays,
  earningsBlackoutGuard,
  hardBlockGuard,
  maxDailyHedgesGuard,
  maxPositionGuard,
  minPriceMoveGuard,
  pausedGuard,
  spreadGuard,
  staleDataGuard,
  delayedDataGuard,
  tradingHoursGuard,
} from "../../src/core/guards.ts";
import { formatDay, parseDay } from "../../src/core/civil-date.ts";
import { CompiledGuardChain } from "../../src/core/compiled-guard-chain.ts";
import { explainDenial } from "../../src/core/guard-explain.ts";
import type { Guard } from "../../src/core/guard-chain.ts";
import { allowingGuardState, GUARDS, MONDAY_10AM, seededRandom } from "./core-fixtures.ts";

const denies = (guard: Guard, overrides: Partial<GuardState>): boolean => guard.check(allowingGuardState(overrides)) !== null;

describe("each guard, on both sides of its boundary", () => {
  test.each([
    // [guard, allowed state, denied state]
    ["hard_block", hardBlockGuard, {}, { hardBlock: { code: "reconcile_mismatch", message: "book 100, broker 0" } }],
    ["paused", pausedGuard, { paused: false }, { paused: true }],
    ["broker_not_connected", brokerConnectedGuard, { brokerConnected: true }, { brokerConnected: false }],
    ["stale_data at the limit / 1 ms past", staleDataGuard(5000), { quoteTsMs: MONDAY_10AM - 5000 }, { quoteTsMs: MONDAY_10AM - 5001 }],
    ["stale_data without any quote", staleDataGuard(5000), { quoteTsMs: MONDAY_10AM }, { quoteTsMs: null }],
    ["delayed_data on a delayed quote", delayedDataGuard, { quoteKind: "live" }, { quoteKind: "delayed" }],
    ["delayed_data on a frozen quote", delayedDataGuard, { quoteKind: "live" }, { quoteKind: "frozen" }],
    ["circuit_breaker above / at the loss limit", circuitBreakerGuard(5000), { dailyPnlUsd: -4999.99 }, { dailyPnlUsd: -5000 }],
    ["circuit_breaker latched even after recovery", circuitBreakerGuard(5000), { dailyPnlUsd: 100 }, { dailyPnlUsd: 100, circuitBreakerTripped: true }],
    ["outside_trading_hours open / 16:00", tradingHoursGuard, { nowMs: Date.parse("2025-03-03T20:59:59.999Z") }, { nowMs: Date.parse("2025-03-03T21:00:00Z") }],
    ["outside_trading_hours early close", tradingHoursGuard, { nowMs: Date.parse("2025-11-28T17:59:00Z") }, { nowMs: Date.parse("2025-11-28T18:00:00Z") }],
    ["outside_trading_hours holiday", tradingHoursGuard, { nowMs: Date.parse("2025-01-08T15:00:00Z") }, { nowMs: Date.parse("2025-01-09T15:00:00Z") }],
    ["max_daily_hedges below / at the limit", maxDailyHedgesGuard(50), { dailyHedgeCount: 49 }, { dailyHedgeCount: 50 }],
    ["max_position at / above the limit", maxPositionGuard(2000), { hedgeShares: -1900, orderShares: -100 }, { hedgeShares: -1900, orderShares: -101 }],
    ["max_position counts pending shares", maxPositionGuard(2000), { hedgeShares: -1800, pendingShares: -100, orderShares: -100 }, { hedgeShares: -1800, pendingShares: -101, orderShares: -100 }],
    ["spread_too_wide at / above the limit", spreadGuard(0.005), { bid: 99.75, ask: 100.25 }, { bid: 99.74, ask: 100.26 }],
    ["spread_too_wide without a two-sided quote", spreadGuard(0.005), { bid: 99.9, ask: 100.1 }, { bid: null, ask: 100.1 }],
    ["cooldown elapsed / 1 ms short", cooldownGuard(60_000), { lastHedgeTsMs: MONDAY_10AM - 60_000 }, { lastHedgeTsMs: MONDAY_10AM - 59_999 }],
    ["min_price_move at / below the minimum", minPriceMoveGuard(0.002), { spot: 100.2, lastHedgePrice: 100 }, { spot: 100.1999, lastHedgePrice: 100 }],
    ["min_price_move downwards", minPriceMoveGuard(0.002), { spot: 99.8, lastHedgePrice: 100 }, { spot: 99.81, lastHedgePrice: 100 }],
  ] as const)("%s", (code, guard, allowed, denied) => {
    expect(denies(guard, allowed)).toBe(false);
    const context = guard.check(allowingGuardState(denied));
    expect(context).not.toBeNull();
    expect(String(guard.code)).toBe(code.split(" ")[0]!);
    expect(explainDenial(guard.code, context!)).not.toContain("unknown");
  });

  test("max_position lets an order that shrinks an oversized position through", () => {
    expect(denies(maxPositionGuard(2000), { hedgeShares: 2500, orderShares: -100 })).toBe(false);
    expect(denies(maxPositionGuard(2000), { hedgeShares: 2500, orderShares: 100 })).toBe(true);
    expect(denies(maxPositionGuard(2000), { hedgeShares: 2500, orderShares: -5100 })).toBe(true);
  });

  test("forced hedges skip cooldown and min price move only", () => {
    expect(denies(cooldownGuard(60_000), { lastHedgeTsMs: MONDAY_10AM - 1, forced: true })).toBe(false);
    expect(denies(minPriceMoveGuard(0.002), { spot: 100, lastHedgePrice: 100, forced: true })).toBe(false);
    expect(denies(maxPositionGuard(2000), { hedgeShares: 1990, orderShares: 100, forced: true })).toBe(true);
    expect(denies(pausedGuard, { paused: true, forced: true })).toBe(true);
  });

  test("denials carry the judged numbers as context", () => {
    expect(cooldownGuard(60_000).check(allowingGuardState({ lastHedgeTsMs: MONDAY_10AM - 1000 }))).toEqual({
      elapsedMs: 1000,
      cooldownMs: 60_000,
    });
  });
});

describe("explainDenial", () => {
  test.each([
    [staleDataGuard(5000), { quoteTsMs: MONDAY_10AM - 6000 }, "quote age was 6000 ms, limit 5000 ms"],
    [staleDataGuard(5000), { quoteTsMs: null }, "no quote yet"],
    [delayedDataGuard, { quoteKind: "delayed" }, "market data is delayed, expected live (set ib.accept_delayed = true to hedge on delayed data)"],
    [circuitBreakerGuard(5000), { dailyPnlUsd: -5123.456 }, "circuit breaker tripped: daily PnL was -5123.46 USD, loss limit 5000 USD"],
    [tradingHoursGuard, { nowMs: Date.parse("2025-01-09T15:00:00Z") }, "market closed (2025-01-09 National Day of Mourning (Jimmy Carter))"],
    [tradingHoursGuard, { nowMs: Date.parse("2025-03-08T15:00:00Z") }, "market closed (2025-03-08 weekend)"],
    [maxPositionGuard(2000), { hedgeShares: 1950, orderShares: 100 }, "position after the order would be 2050 shares, limit 2000"],
    [spreadGuard(0.005), { bid: 99, ask: 101 }, "spread was 2.000% of mid, limit 0.500%"],
    [minPriceMoveGuard(0.002), { spot: 100.1, lastHedgePrice: 100 }, "price moved 0.1000% since the last hedge at 100, minimum 0.2000%"],
    [hardBlockGuard, { hardBlock: { code: "reconcile_mismatch", message: "broker 100, book 0" } }, "blocked (reconcile_mismatch): broker 100, book 0"],
  ] as const)("%#: %s", (guard, state, expected) => {
    expect(explainDenial(guard.code, guard.check(allowingGuardState(state))!)).toBe(expected);
  });
});

describe("earnings blackout", () => {
  test("covers trading days before and after, and the calendar days between", () => {
    const blocked = [...earningsBlackoutDays(["2025-01-13"], 2, 1).keys()].map(formatDay);
    // Two trading days before Monday 2025-01-13 skip the weekend and the 2025-01-09 closure.
    expect(blocked).toEqual(["2025-01-08", "2025-01-09", "2025-01-10", "2025-01-11", "2025-01-12", "2025-01-13", "2025-01-14"]);
  });
  test("boundary days", () => {
    const guard = earningsBlackoutGuard(["2025-03-05"], 1, 1);
    const at = (day: string): boolean => denies(guard, { nowMs: Date.parse(`${day}T15:00:00Z`) });
    expect([at("2025-03-03"), at("2025-03-04"), at("2025-03-05"), at("2025-03-06"), at("2025-03-07")]).toEqual([false, true, true, true, false]);
  });
  test("a malformed date is a clear error at construction", () => {
    expect(() => earningsBlackoutGuard(["2025-3-5"], 1, 1)).toThrow('earnings date was "2025-3-5", expected YYYY-MM-DD');
  });
  test("zero days before and after blocks the date only", () => {
    expect([...earningsBlackoutDays(["2025-03-05"], 0, 0).keys()]).toEqual([parseDay("2025-03-05")!]);
  });
});

describe("the chain", () => {
  const chain = buildGuardChain(GUARDS);

  test("has the documented order and the optional guards when configured", () => {
    expect(chain.map((g) => g.code)).toEqual([
      "hard_block",
      "paused",
      "broker_not_connected",
      "stale_data",
      "delayed_data",
      "circuit_breaker",
      "outside_trading_hours",
      "max_daily_hedges",
      "max_position",
      "spread_too_wide",
      "cooldown",
      "min_price_move",
    ]);
    const minimal = buildGuardChain({ ...GUARDS, maxDailyLossUsd: null, tradingHoursOnly: false, maxSpreadFraction: null, minPriceMoveFraction: 0, earningsDates: ["2025-03-05"], acceptDelayedData: true });
    expect(minimal.map((g) => g.code)).toEqual(["hard_block", "paused", "broker_not_connected", "stale_data", "earnings_blackout", "max_daily_hedges", "max_position", "cooldown"]);
  });

  test("the first denial wins; allDenials lists them all in order", () => {
    const state = allowingGuardState({ paused: true, brokerConnected: false, dailyHedgeCount: 99 });
    expect(firstDenial(chain, state)?.code).toBe("paused");
    expect(allDenials(chain, state).map((d) => d.code)).toEqual(["paused", "broker_not_connected", "max_daily_hedges"]);
    expect(firstDenial(chain, allowingGuardState())).toBeNull();
  });

  test("property: guards are monotone in their limits (a looser limit never denies what a tighter one allowed)", () => {
    const random = seededRandom(11);
    for (let i = 0; i < 5000; i++) {
      const state = allowingGuardState({
        quoteTsMs: MONDAY_10AM - Math.floor(random() * 10_000),
        dailyPnlUsd: (random() - 0.7) * 10_000,
        dailyHedgeCount: Math.floor(random() * 100),
        hedgeShares: Math.round((random() - 0.5) * 5000),
        pendingShares: Math.round((random() - 0.5) * 500),
        orderShares: Math.round((random() - 0.5) * 1000),
        bid: 100 - random(),
        ask: 100 + random(),
        lastHedgeTsMs: MONDAY_10AM - Math.floor(random() * 120_000),
        lastHedgePrice: 100 * (1 + (random() - 0.5) * 0.01),
        spot: 100,
      });
      const tight = random();
      const loose = tight + random();
      const pairs: [Guard, Guard][] = [
        [staleDataGuard(10_000 * tight), staleDataGuard(10_000 * loose)],
        [circuitBreakerGuard(5000 * tight), circuitBreakerGuard(5000 * loose)],
        [maxDailyHedgesGuard(Math.floor(100 * tight)), maxDailyHedgesGuard(Math.floor(100 * loose))],
        [maxPositionGuard(3000 * tight), maxPositionGuard(3000 * loose)],
        [spreadGuard(0.02 * tight), spreadGuard(0.02 * loose)],
        // For cooldown and min price move the tighter rule is the LONGER wait / larger move.
        [cooldownGuard(120_000 * loose), cooldownGuard(120_000 * tight)],
        [minPriceMoveGuard(0.005 * loose), minPriceMoveGuard(0.005 * tight)],
      ];
      for (const [strict, lenient] of pairs) {
        if (strict.check(state) === null) expect(lenient.check(state)).toBeNull();
      }
    }
  });

  test("property: the Hedger's compiled chain gives the list's first denial, context included, for every chain the params can build", () => {
    const random = seededRandom(23);
    const maybe = <T>(value: T): T | null => (random() < 0.3 ? null : value);
    for (let c = 0; c < 40; c++) {
      const params = {
        ...GUARDS,
        maxDailyLossUsd: maybe(2000 * random()),
        tradingHoursOnly: random() < 0.7,
        acceptDelayedData: random() < 0.3,
        maxSpreadFraction: maybe(0.01 * random()),
        minPriceMoveFraction: random() < 0.3 ? 0 : 0.004 * random(),
        earningsDates: random() < 0.5 ? [] : ["2025-03-05"],
        cooldownMs: 90_000 * random(),
        maxDailyHedges: Math.floor(60 * random()),
        maxPositionShares: 3000 * random(),
      };
      const list = buildGuardChain(params);
      const compiled = new CompiledGuardChain(list);
      for (let i = 0; i < 500; i++) {
        const nowMs = MONDAY_10AM + Math.floor((random() - 0.5) * 4 * 86_400_000);
        const state = allowingGuardState({
          nowMs,
          hardBlock: random() < 0.03 ? { code: "reconcile_mismatch", message: "book 100, broker 0" } : null,
          paused: random() < 0.03,
          brokerConnected: random() > 0.03,
          quoteTsMs: random() < 0.05 ? null : nowMs - Math.floor(random() * 8000),
          quoteKind: random() < 0.05 ? "delayed" : "live",
          circuitBreakerTripped: random() < 0.03,
          dailyPnlUsd: random() < 0.1 ? null : (random() - 0.7) * 5000,
          dailyHedgeCount: Math.floor(random() * 70),
          hedgeShares: Math.round((random() - 0.5) * 5000),
          pendingShares: Math.round((random() - 0.5) * 500),
          orderShares: Math.round((random() - 0.5) * 1000),
          bid: random() < 0.05 ? null : 100 - random() * 0.5,
          ask: 100 + random() * 0.5,
          spot: 100 + (random() - 0.5) * 2,
          lastHedgeTsMs: random() < 0.1 ? null : nowMs - Math.floor(random() * 120_000),
          lastHedgePrice: random() < 0.1 ? null : 100 * (1 + (random() - 0.5) * 0.01),
          forced: random() < 0.1,
        });
        expect(compiled.firstDenial(state)).toEqual(firstDenial(list, state));
      }
    }
  });

  test("the compiled chain refuses guards out of chain order", () => {
    expect(() => new CompiledGuardChain([pausedGuard, hardBlockGuard])).toThrow("guard hard_block is out of chain order");
    expect(() => new CompiledGuardChain([pausedGuard, pausedGuard])).toThrow("out of chain order");
  });
});
