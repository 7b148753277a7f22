import { describe, expect, test } from "bun:test";
import { daysToExpiry, legRejection, selectLegs } from "../../src/core/legs.ts";
import { parseDay } from "../../src/core/civil-date.ts";
import { MONDAY_10AM, option, optionPosition, STRATEGY, stockPosition, straddle } from "./core-fixtures.ts";

describe("legRejection: which options may become legs", () => {
  test.each([
    ["ATM call in the window", option("C", 590), 5, 590, null],
    ["strike just inside the band (2.99%)", option("C", 607.64), 5, 590, null],
    ["strike on the band edge (3%) is outside: the band is strict", option("C", 607.7), 5, 590, "outside_band"],
    ["strike below the band", option("P", 570), 5, 590, "outside_band"],
    ["other underlying", option("C", 590, "20250404", "QQQ"), 5, 590, "other_symbol"],
    ["flat position", option("C", 590), 0, 590, "flat"],
    ["month-only expiry", option("C", 590, "202504"), 5, 590, "bad_expiry"],
    ["20 DTE is below min 21", option("C", 590, "20250323"), 5, 590, "outside_dte"],
    ["21 DTE is the minimum", option("C", 590, "20250324"), 5, 590, null],
    ["35 DTE is the maximum", option("C", 590, "20250407"), 5, 590, null],
    ["36 DTE is above max 35", option("C", 590, "20250408"), 5, 590, "outside_dte"],
    ["short leg counts too", option("P", 590), -3, 590, null],
  ] as const)("%s", (_name, contract, quantity, spot, expected) => {
    expect(legRejection(contract, quantity, spot, MONDAY_10AM, STRATEGY)).toBe(expected);
  });

  test("DTE counts New York calendar days (late evening UTC is still the New York day)", () => {
    const expiry = parseDay("20250404")!;
    expect(daysToExpiry(expiry, MONDAY_10AM)).toBe(32);
    expect(daysToExpiry(expiry, Date.parse("2025-03-04T04:59:00Z"))).toBe(32);
    expect(daysToExpiry(expiry, Date.parse("2025-03-04T05:00:00Z"))).toBe(31);
  });
});

describe("selectLegs: latched selection", () => {
  test("selects qualifying options of the symbol and ignores everything else", () => {
    const positions = [
      ...straddle(),
      optionPosition("C", 650, 2),
      optionPosition("C", 590, 1, "20250620"),
      stockPosition(100),
      { ...stockPosition(50, 400, "QQQ") },
    ];
    const legs = selectLegs([], positions, 590, MONDAY_10AM, STRATEGY);
    expect(legs.map((l) => l.contractKey)).toEqual(["SPY|OPT|20250404|590|C", "SPY|OPT|20250404|590|P"]);
    expect(legs[0]!.expiryMs).toBe(Date.parse("2025-04-04T20:00:00Z"));
  });

  test("a held leg stays selected after the spot leaves the band (no hedge toward zero)", () => {
    const first = selectLegs([], straddle(), 590, MONDAY_10AM, STRATEGY);
    const later = selectLegs(first, straddle(), 640, MONDAY_10AM + 86_400_000, STRATEGY);
    expect(later.map((l) => l.contractKey)).toEqual(first.map((l) => l.contractKey));
  });

  test("a latched leg keeps its place with the new quantity and drops out when closed", () => {
    const first = selectLegs([], straddle(5), 590, MONDAY_10AM, STRATEGY);
    const partly = selectLegs(first, [optionPosition("C", 590, 3), optionPosition("P", 590, 0)], 640, MONDAY_10AM, STRATEGY);
    expect(partly.map((l) => [l.contractKey, l.quantity])).toEqual([["SPY|OPT|20250404|590|C", 3]]);
  });

  test("a new option joins only if it qualifies at that moment (a roll)", () => {
    const first = selectLegs([], straddle(5, 590), 590, MONDAY_10AM, STRATEGY);
    const rolled = selectLegs(first, [...straddle(0, 590), ...straddle(5, 640), optionPosition("C", 700, 1)], 640, MONDAY_10AM, STRATEGY);
    expect(rolled.map((l) => l.contractKey)).toEqual(["SPY|OPT|20250404|640|C", "SPY|OPT|20250404|640|P"]);
  });
});
