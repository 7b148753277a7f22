import { describe, expect, test } from "bun:test";
import { atmStrike, chooseExpiryDay, chooseStraddle, rollReason } from "../../../src/backtest/straddle-schedule.ts";
import { formatDay, parseDay } from "../../../src/core/civil-date.ts";

const at = (iso: string): number => Date.parse(iso);
const RULES = { symbol: "SPY", minDte: 21, maxDte: 35, strikeStep: 1, rollBandFraction: 0.03, multiplier: 100 };

describe("straddle schedule", () => {
  test("expiry is the Friday nearest the middle of min..max DTE", () => {
    // Tuesday 2024-03-26: +28 days is Tuesday 04-23; the nearest Friday is 04-26 (31 DTE) vs 04-19 (24 DTE).
    expect(formatDay(chooseExpiryDay(at("2024-03-26T14:00:00Z"), 21, 35))).toBe("2024-04-26");
    expect(formatDay(chooseExpiryDay(at("2024-06-10T14:00:00Z"), 21, 35))).toBe("2024-07-05");
  });

  test("a Friday holiday moves the weekly expiry to Thursday", () => {
    // Good Friday 2024-03-29 is a holiday: the listed expiry is Thursday 03-28.
    expect(formatDay(chooseExpiryDay(at("2024-03-01T15:00:00Z"), 27, 27))).toBe("2024-03-28");
  });

  test("with no Friday in the window any trading day in it serves (SPY lists dailies)", () => {
    expect(formatDay(chooseExpiryDay(at("2024-06-10T14:00:00Z"), 22, 23))).toBe("2024-07-02");
  });

  test("an empty window is a clear error", () => {
    expect(() => chooseExpiryDay(at("2024-06-10T14:00:00Z"), 5, 6)).toThrow("no expiry between 5 and 6 days");
  });

  test.each([
    [521.36, 1, 521],
    [521.5, 1, 522],
    [521.2, 5, 520],
    [523, 2.5, 522.5],
  ])("ATM strike of %d on a %d grid is %d", (spot, step, strike) => {
    expect(atmStrike(spot, step)).toBe(strike);
  });

  test("rolls when DTE falls below the minimum or the strike leaves the band", () => {
    const opened = at("2024-03-26T14:00:00Z");
    const straddle = chooseStraddle(521.36, opened, RULES);
    expect(straddle.call.strike).toBe(521);
    expect(straddle.put).toMatchObject({ right: "P", strike: 521, expiryYmd: "20240426" });
    expect(rollReason(straddle, 521, opened, RULES)).toBeNull();
    expect(rollReason(straddle, 521, at("2024-04-08T14:00:00Z"), RULES)).toBe("dte_below_min");
    expect(rollReason(straddle, 521, at("2024-04-05T14:00:00Z"), RULES)).toBeNull();
    expect(rollReason(straddle, 521 * 1.031, opened, RULES)).toBe("strike_outside_band");
    expect(rollReason(straddle, 521 * 0.975, opened, RULES)).toBeNull();
    expect(parseDay("2024-04-26")).toBe(straddle.expiryDayNumber);
  });
});
