import { describe, expect, test } from "bun:test";
import { GuardAudit } from "../../../src/backtest/guard-audit.ts";
import type { OrderContext } from "../../../src/backtest/guard-audit.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";

const PARAMS = hedgerParamsFromConfig(defaultConfig());
const DAY = 19_800; // 2024-03-18, a Monday
const OPEN = Date.parse("2024-03-18T13:30:00Z");
const MINUTE = 60_000;

function order(overrides: Partial<OrderContext> = {}): OrderContext {
  return { nowMs: OPEN + 30 * MINUTE, dayNumber: DAY, side: "BUY", quantityShares: 50, forced: false, spot: 500, bid: 499.99, ask: 500.01, ...overrides };
}

function auditWith(guards: Partial<typeof PARAMS.guards> = {}): GuardAudit {
  return new GuardAudit({ ...PARAMS.guards, ...guards }, PARAMS.hedge);
}

describe("guard audit invariants", () => {
  test("a clean sequence of orders has no violation and counts each check", () => {
    const audit = auditWith();
    audit.onOrder(order());
    audit.onPosition(OPEN + 30 * MINUTE, 50);
    audit.onOrder(order({ nowMs: OPEN + 40 * MINUTE, spot: 502, side: "SELL" }));
    const report = audit.report();
    expect(report.violations).toEqual([]);
    expect(report.checkedOrders).toBe(2);
    expect(report.checks.cooldown).toBe(1);
    expect(report.checks.max_position).toBe(1);
  });

  test.each([
    ["cooldown", [order(), order({ nowMs: OPEN + 30 * MINUTE + 10_000, spot: 510 })]],
    ["min_price_move", [order(), order({ nowMs: OPEN + 60 * MINUTE, spot: 500.5 })]],
    ["trading_hours", [order({ nowMs: OPEN - MINUTE })]],
    ["max_spread", [order({ bid: 495, ask: 505 })]],
    ["max_shares_per_order", [order({ quantityShares: PARAMS.hedge.maxSharesPerOrder + 1 })]],
    ["min_shares", [order({ quantityShares: PARAMS.hedge.minShares - 1 })]],
  ] as const)("%s is caught", (invariant, orders) => {
    const audit = auditWith();
    for (const o of orders) audit.onOrder(o);
    expect(audit.report().violations.map((v) => v.invariant)).toEqual([invariant]);
  });

  test("forced hedges may skip the cooldown and the price-move minimum, nothing else", () => {
    const audit = auditWith();
    audit.onOrder(order());
    audit.onOrder(order({ nowMs: OPEN + 30 * MINUTE + 1000, spot: 500.01, forced: true }));
    expect(audit.report().violations).toEqual([]);
    expect(audit.report().forcedHedges).toBe(1);
  });

  test("max daily hedges counts per trading day", () => {
    const audit = auditWith({ maxDailyHedges: 2, cooldownMs: 0, minPriceMoveFraction: 0 });
    for (let k = 0; k < 3; k++) audit.onOrder(order({ nowMs: OPEN + k * MINUTE }));
    audit.onOrder(order({ dayNumber: DAY + 1, nowMs: OPEN + 86_400_000 }));
    expect(audit.report().violations.map((v) => v.invariant)).toEqual(["max_daily_hedges"]);
  });

  test("no order after the day's loss reached the circuit breaker limit", () => {
    const audit = auditWith({ maxDailyLossUsd: 1000 });
    audit.onDailyPnl(DAY, -999);
    audit.onOrder(order());
    audit.onDailyPnl(DAY, -1001);
    audit.onOrder(order({ nowMs: OPEN + 90 * MINUTE, spot: 510 }));
    audit.onOrder(order({ dayNumber: DAY + 1, nowMs: OPEN + 86_400_000, spot: 520 }));
    expect(audit.report().violations.map((v) => v.invariant)).toEqual(["circuit_breaker"]);
  });

  test("no order inside an earnings blackout", () => {
    const audit = auditWith({ earningsDates: ["2024-03-19"], earningsBlackoutDaysBefore: 1, earningsBlackoutDaysAfter: 0 });
    audit.onOrder(order());
    expect(audit.report().violations.map((v) => v.invariant)).toEqual(["earnings_blackout"]);
  });

  test("the hedge position limit is checked after every fill", () => {
    const audit = auditWith();
    audit.onPosition(OPEN, PARAMS.guards.maxPositionShares);
    audit.onPosition(OPEN, -PARAMS.guards.maxPositionShares - 1);
    expect(audit.report().violations.map((v) => v.invariant)).toEqual(["max_position"]);
  });

  test("binding guards: evaluations, episodes and days per code", () => {
    const audit = auditWith();
    const deny = { type: "deny", code: "cooldown", message: "", context: {}, deltaShares: 30, wantedShares: -30, forced: false } as const;
    const hold = { type: "hold", reason: "in_band", deltaShares: 1 } as const;
    for (const decision of [deny, deny, hold, deny]) audit.onDecision(decision, DAY);
    audit.onDecision(deny, DAY + 1);
    const report = audit.report();
    expect(report.binding).toEqual([{ code: "cooldown", deniedEvaluations: 4, episodes: 2, days: 2 }]);
    expect(report.holds).toEqual({ in_band: 1 });
  });
});
