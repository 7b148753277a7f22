import { describe, expect, test } from "bun:test";
import { DayPnl } from "../../src/core/day-pnl.ts";
import { HedgeBook } from "../../src/core/hedge-book.ts";
import { RealizedVolEstimator } from "../../src/core/realized-vol.ts";
import { seededRandom } from "./core-fixtures.ts";

describe("hedge book (average cost)", () => {
  test.each([
    ["open short, cover at a profit", [[-100, 600], [100, 590]], 0, 0, 1000],
    ["add to a long, then reduce", [[100, 100], [100, 110], [-50, 120]], 150, 105, 750],
    ["flip from long to short at one price", [[100, 100], [-150, 90]], -50, 90, -1000],
    ["flat at the end", [[30, 10], [-30, 12]], 0, 0, 60],
  ] as const)("%s", (_name, fills, shares, avgCost, realized) => {
    const book = new HedgeBook();
    for (const [q, p] of fills) book.applyFill(q, p);
    expect(book.shares).toBe(shares);
    expect(book.avgCostUsd).toBeCloseTo(avgCost, 10);
    expect(book.realizedPnlTodayUsd).toBeCloseTo(realized, 10);
  });

  test("realised + unrealised equals the cash flow mark-to-market for random fills", () => {
    const random = seededRandom(3);
    const book = new HedgeBook();
    let cash = 0;
    for (let i = 0; i < 500; i++) {
      const q = Math.round((random() - 0.5) * 200);
      const p = 100 + (random() - 0.5) * 10;
      if (q === 0) continue;
      book.applyFill(q, p);
      cash -= q * p;
    }
    const mark = 101;
    expect(book.realizedPnlTodayUsd + book.unrealizedPnlUsd(mark)).toBeCloseTo(cash + book.shares * mark, 6);
  });

  test("a new day resets realised PnL and commissions but keeps the position", () => {
    const book = new HedgeBook();
    book.applyFill(-100, 600);
    book.applyFill(50, 590);
    book.addCommission(1.5);
    book.startNewDay();
    expect([book.shares, book.avgCostUsd, book.realizedPnlTodayUsd, book.commissionsTodayUsd]).toEqual([-50, 600, 0, 0]);
  });
});

describe("day PnL", () => {
  test("scalping, option MTM and total against the day's baselines", () => {
    const book = new HedgeBook();
    book.setPosition(-100, 600);
    const pnl = new DayPnl();
    expect(pnl.total(book, 600, 10_000)).toBeNull();
    pnl.setBaselines(10_000, book.unrealizedPnlUsd(600));
    book.applyFill(50, 590); // +500 realised
    book.addCommission(2);
    expect(pnl.scalpingUsd(book, 590)).toBeCloseTo(1000, 10); // 500 realised + 500 on the remaining 50
    expect(pnl.optionMtmUsd(9_400)).toBe(-600);
    expect(pnl.total(book, 590, 9_400)).toBeCloseTo(398, 10);
    pnl.shiftOptionBaseline(5_000); // bought more options at their mark: not PnL
    expect(pnl.optionMtmUsd(14_400)).toBe(-600);
  });
});

describe("realised vol estimator", () => {
  test("recovers the vol of a simulated one-minute path", () => {
    const random = seededRandom(5);
    const vol = 0.25;
    const minuteYears = 1 / (252 * 390);
    const est = new RealizedVolEstimator();
    let price = 100;
    let t = 0;
    for (let i = 0; i < 390 * 20; i++) {
      // Box-Muller normal draw.
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      price *= Math.exp(vol * Math.sqrt(minuteYears) * z);
      t += 60_000;
      est.add(price, t);
    }
    expect(est.annualized()!).toBeGreaterThan(0.23);
    expect(est.annualized()!).toBeLessThan(0.27);
  });

  test("samples at most once a minute and needs two samples", () => {
    const est = new RealizedVolEstimator();
    expect(est.annualized()).toBeNull();
    est.add(100, 0);
    est.add(101, 30_000); // ignored: inside the sampling interval
    expect(est.annualized()).toBeNull();
    est.add(101, 60_000);
    expect(est.sampleCount).toBe(2);
    const expected = Math.sqrt((0.01 ** 2 / 60_000) * 252 * 6.5 * 3_600_000);
    expect(est.annualized()!).toBeCloseTo(expected, 12);
    est.reset();
    expect(est.annualized()).toBeNull();
    est.add(0, 1);
    expect(est.sampleCount).toBe(0);
  });
});
