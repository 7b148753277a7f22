// Saved PnL marks read back from daily_state: a damaged or foreign value is unknown (null),
// so a restart starts today's PnL at its first marks instead of failing to start.
import { describe, expect, test } from "bun:test";
import { type DayPnlMarks, dayPnlMarksFrom } from "../../src/core/day-pnl.ts";

const MARKS: DayPnlMarks = {
  hedgeOpenValueUsd: -47_200,
  hedgeCashUsd: 1_180.5,
  hedgeShares: -80,
  optionClosedPnlUsd: -12.25,
  legBaselines: [{ contractKey: "SPY|OPT|20250404|590|C", units: 500, baselinePriceUsd: 10.1, markPriceUsd: 9.8, markOnFallback: false }],
};

describe("dayPnlMarksFrom", () => {
  test("reads what dailyStateOf writes, as JSON text (SQLite) or a parsed value (PostgreSQL JSONB)", () => {
    expect(dayPnlMarksFrom(JSON.stringify(MARKS))).toEqual(MARKS);
    expect(dayPnlMarksFrom(structuredClone(MARKS))).toEqual(MARKS);
    expect(dayPnlMarksFrom({ ...MARKS, hedgeOpenValueUsd: null, legBaselines: [] })).toEqual({ ...MARKS, hedgeOpenValueUsd: null, legBaselines: [] });
  });

  test("rows written before markOnFallback was kept read as market marks", () => {
    const { markOnFallback: _dropped, ...older } = MARKS.legBaselines[0]!;
    expect(dayPnlMarksFrom({ ...MARKS, legBaselines: [older] })?.legBaselines[0]?.markOnFallback).toBe(false);
  });

  test.each([
    ["absent", null],
    ["not JSON", "{hedgeOpen"],
    ["an empty object", {}],
    ["legs not a list", { ...MARKS, legBaselines: 5 }],
    ["a leg without its key", { ...MARKS, legBaselines: [{ units: 500, baselinePriceUsd: 10, markPriceUsd: 10 }] }],
    ["a number as text", { ...MARKS, hedgeCashUsd: "1180.5" }],
    ["a non-finite number", { ...MARKS, hedgeShares: Number.NaN }],
  ])("%s: null", (_name, value) => {
    expect(dayPnlMarksFrom(value)).toBeNull();
  });
});
