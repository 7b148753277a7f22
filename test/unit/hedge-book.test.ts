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

  // A restated fill leaves the book as if the broker had reported the corrected fill in the first place.
  test.each([
    ["a buy that added to a long, price up", [100, 590], [10, 594], [10, 594.5]],
    ["a sell that added to a short, price down", [-100, 590], [-10, 594], [-10, 593]],
    ["a sell that closed part of a long, price up", [100, 590], [-10, 594], [-10, 594.5]],
    ["a sell that flipped a long, price up", [10, 590], [-30, 594], [-30, 595]],
    ["a buy from flat, size down", [0, 0], [30, 594], [20, 594.2]],
    ["a buy that added to a long, size down", [100, 590], [30, 594], [20, 594]],
    ["a sell that closed part of a long, size down", [100, 590], [-30, 594], [-20, 594.1]],
    ["a sell that flipped a long, size down to a close", [10, 590], [-30, 594], [-8, 594]],
    ["a buy that closed part of a short, size up past flat", [-10, 590], [5, 594], [25, 593]],
  ] as const)("restating %s is as if the fill had been the corrected one", (_name, [startShares, startCost], [oldSigned, oldPrice], [newSigned, newPrice]) => {
    const restated = new HedgeBook();
    restated.setPosition(startShares, startCost);
    const closedShares = Math.sign(startShares) === -Math.sign(oldSigned) ? Math.min(Math.abs(oldSigned), Math.abs(startShares)) : 0;
    const fill = { shares: Math.abs(oldSigned), price: oldPrice, closedShares, closedCostUsd: restated.avgCostUsd };
    restated.applyFill(oldSigned, oldPrice);
    restated.restateFill(Math.sign(oldSigned), fill, Math.abs(newSigned), newPrice);
    const direct = new HedgeBook();
    direct.setPosition(startShares, startCost);
    direct.applyFill(newSigned, newPrice);
    expect(restated.shares).toBe(direct.shares);
    expect(restated.avgCostUsd).toBeCloseTo(direct.avgCostUsd, 9);
    expect(restated.realizedPnlTodayUsd).toBeCloseTo(direct.realizedPnlTodayUsd, 9);
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
  test("scalping is marked to market from the day's first mark, whatever the average cost", () => {
    const pnl = new DayPnl();
    expect(pnl.total(600, 0, 0)).toBeNull();
    pnl.openHedge(-100, 600); // short 100 at the first mark: open value -60,000
    pnl.onOwnFill(50, 590); // bought 50 back at 590
    expect(pnl.scalpingUsd(590)).toBeCloseTo(1000, 10); // the 100 shares gained 10 each
    expect(pnl.total(590, -600, 2)).toBeCloseTo(398, 10);
    pnl.enterAtMark(-40, 590); // 10 more bought outside gs: enter at the mark, no PnL
    expect(pnl.scalpingUsd(590)).toBeCloseTo(1000, 10);
    expect(pnl.scalpingUsd(591)).toBeCloseTo(960, 10);
    pnl.startNewDay();
    expect(pnl.scalpingUsd(590)).toBeNull();
  });

  test("an own fill before the day's first mark is taken in by the open value", () => {
    const pnl = new DayPnl();
    pnl.onOwnFill(50, 590);
    pnl.openHedge(50, 592);
    expect(pnl.scalpingUsd(592)).toBe(0);
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
