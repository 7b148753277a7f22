// A leg's baseline through quantity changes: the part closed leaves its PnL at the last mark,
// the part added enters at it, so trading options is never PnL.
import { describe, expect, test } from "bun:test";
import { LegBaselines } from "../../src/core/leg-baselines.ts";

const KEY = "SPY|OPT|20250404|590|C";

describe("leg baselines", () => {
  test.each([
    // name, units after, baseline price after, closed PnL
    ["unchanged", 500, 10, 0],
    ["added at the mark: blended", 1000, 11, 0],
    ["reduced: the part closed leaves its PnL", 200, 10, 300 * 2],
    ["closed", 0, 12, 500 * 2],
    ["flipped short: all closed, the rest opens at the mark", -300, 12, 500 * 2],
  ])("long 500 from 10, marked 12, then %s", (_name, units, priceUsd, closedUsd) => {
    const legs = new LegBaselines();
    const baseline = legs.open(KEY, 500, 10, false);
    baseline.markUsd = 12;
    legs.resize(baseline, units);
    legs.keepOnly(new Set([KEY]));
    expect([baseline.units, baseline.priceUsd, legs.closedUsd, legs.valueUsd]).toEqual([units, priceUsd, closedUsd, units * priceUsd]);
    // Whatever happened, PnL at the mark is what it was before the change.
    expect(legs.closedUsd + baseline.units * (baseline.markUsd - baseline.priceUsd)).toBeCloseTo(500 * 2, 9);
  });

  test("a leg no longer held closes at its last mark; a new day forgets everything", () => {
    const legs = new LegBaselines();
    legs.open(KEY, -500, 10, false).markUsd = 9;
    legs.keepOnly(new Set());
    expect([legs.closedUsd, legs.valueUsd, legs.get(KEY)]).toEqual([500, 0, null]);
    legs.startNewDay();
    expect(legs.closedUsd).toBe(0);
  });

  test("a switch between a guess and the market's mark moves the baseline, not the PnL", () => {
    const legs = new LegBaselines();
    const baseline = legs.open(KEY, 500, 10, true);
    baseline.markUsd = 9.5; // the guess fell 0.5 a share: that much PnL
    legs.rebase(baseline, 8 - 9.5); // the market says 8 where the guess now says 9.5
    baseline.markUsd = 8;
    expect(500 * baseline.markUsd - legs.valueUsd).toBeCloseTo(500 * -0.5, 9);
  });

  test("state and restore round-trip", () => {
    const legs = new LegBaselines();
    legs.open(KEY, 500, 10, false).markUsd = 11;
    const restored = new LegBaselines();
    restored.restore(legs.state(), -42);
    // The same leg, waiting for its first mark since the restart.
    expect(restored.get(KEY)).toEqual(Object.assign(Object.create(Object.getPrototypeOf(legs.get(KEY))), { ...legs.get(KEY), restored: true }));
    expect([restored.closedUsd, restored.valueUsd]).toEqual([-42, legs.valueUsd]);
  });
});
