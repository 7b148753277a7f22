import { describe, expect, test } from "bun:test";
import { DayPnl } from "../../src/core/day-pnl.ts";
import { type BookedFill, HedgeBook } from "../../src/core/hedge-book.ts";
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

  const fillOf = (signedShares: number, price: number): BookedFill => ({ step: "fill", sign: Math.sign(signedShares), shares: Math.abs(signedShares), price });
  const figures = (book: HedgeBook) => ({ shares: book.shares, avgCostUsd: book.avgCostUsd, realizedUsd: book.realizedPnlTodayUsd });

  // A restated fill of the day leaves the book as if the broker had reported the corrected fill in the first place.
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
    const fill = fillOf(oldSigned, oldPrice);
    restated.takeFill(fill);
    restated.restateFill(fill, Math.abs(newSigned), newPrice);
    const direct = new HedgeBook();
    direct.setPosition(startShares, startCost);
    direct.applyFill(newSigned, newPrice);
    expect(figures(restated)).toEqual(figures(direct));
  });

  // Review 2, U1: the fill corrected was not the day's last; a sell after it closed half the position.
  test("a price correction of a fill followed by other fills leaves the book as the corrected day would", () => {
    const restated = new HedgeBook();
    restated.setPosition(100, 590);
    const fill = fillOf(100, 594);
    restated.takeFill(fill); // 200 @ 592
    restated.takeFill(fillOf(-100, 596)); // realises 400
    restated.restateFill(fill, 100, 593);
    const direct = new HedgeBook();
    direct.setPosition(100, 590);
    direct.applyFill(100, 593); // 200 @ 591.5
    direct.applyFill(-100, 596); // realises 450
    expect(figures(restated)).toEqual({ shares: 100, avgCostUsd: 591.5, realizedUsd: 450 });
    expect(figures(restated)).toEqual(figures(direct));
  });

  // An adopted position after the corrected fill is the broker's, which holds the corrected fill too.
  test("any correction of any fill of a random day leaves the book exactly as the corrected day, with adopted positions and a restored PnL in it", () => {
    const random = seededRandom(11);
    for (let day = 0; day < 200; day++) {
      const steps: (BookedFill | readonly [number, number])[] = [];
      for (let i = 0; i < 12; i++) {
        const shares = Math.round((random() - 0.5) * 200);
        if (random() < 0.1) steps.push([shares, 100 + random() * 5]);
        else if (shares !== 0) steps.push(fillOf(shares, 100 + (random() - 0.5) * 10));
      }
      const fills = steps.filter((step): step is BookedFill => !Array.isArray(step));
      if (fills.length === 0) continue;
      const corrected = fills[Math.floor(random() * fills.length)]!;
      const run = (book: HedgeBook, correctionShares: number) => {
        book.applyFill(-30, 101);
        book.startNewDay();
        book.restoreDay(12.5, 3);
        let shift = 0;
        for (const step of steps) {
          if (Array.isArray(step)) book.setPosition(step[0] + shift, step[1]);
          else book.takeFill(step as BookedFill);
          if (step === corrected) shift = correctionShares;
        }
      };
      const restated = new HedgeBook();
      run(restated, 0);
      const newShares = Math.max(1, corrected.shares + Math.round((random() - 0.5) * 40));
      const newPrice = corrected.price + (random() - 0.5);
      const correctionShares = corrected.sign * (newShares - corrected.shares);
      restated.restateFill(corrected, newShares, newPrice);
      const direct = new HedgeBook();
      corrected.shares = newShares;
      corrected.price = newPrice;
      run(direct, correctionShares);
      expect(figures(restated)).toEqual(figures(direct));
    }
  });

  // Review 2, U2: the book never held the fill (an earlier run's); its last fill closed the short to flat.
  test("a correction of a fill the book never held books the share difference at the corrected price and realises the price difference on the kept shares", () => {
    const book = new HedgeBook();
    book.setPosition(0, 0);
    book.restateFill(fillOf(100, 594), 90, 594);
    expect(figures(book)).toEqual({ shares: -10, avgCostUsd: 594, realizedUsd: 0 });
    const short = new HedgeBook();
    short.setPosition(-200, 600);
    short.restateFill(fillOf(-100, 594), 100, 594.5); // sold the kept 100 at 50 cents more
    expect(figures(short)).toEqual({ shares: -200, avgCostUsd: 600, realizedUsd: 50 });
  });

  test("a day's realised PnL moved by a correction of a fill it never held is kept when a fill of the day is restated later", () => {
    const book = new HedgeBook();
    book.setPosition(-200, 600);
    const today = fillOf(50, 590);
    book.takeFill(today); // realises 500
    book.restateFill(fillOf(-100, 594), 100, 594.5); // +50
    book.restateFill(today, 50, 589); // +50 more
    expect(figures(book)).toEqual({ shares: -150, avgCostUsd: 600, realizedUsd: 600 });
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
