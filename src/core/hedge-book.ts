// The hedge stock book: average-cost accounting of the hedge shares. Realised PnL is booked
// when a fill reduces the position (or flips it), commissions separately; the day's totals
// reset at the trading-day rollover while the position and its average cost carry over.
//
// A broker may correct a fill afterwards. Average cost depends on the order of everything that
// happened since, so the book keeps the day's opening figures and the day's steps in order (its
// fills, positions adopted from the broker, a restored realised PnL) and restates a corrected fill
// of today by replaying them: the result is the book the corrected fill would have made.

/** A fill as the book took it; a correction changes shares and price in place. */
export interface BookedFill {
  readonly step: "fill";
  /** +1 bought, -1 sold. */
  readonly sign: number;
  shares: number;
  price: number;
}

/** The broker's position adopted (a baseline or an outside change): the shares it moved the book by, and its average cost. */
interface PositionStep {
  readonly step: "position";
  readonly deltaShares: number;
  readonly avgCostUsd: number;
}

/** Today's realised PnL moved without a fill (a saved day restored, a correction of a fill not in the day). */
interface RealizedStep {
  readonly step: "realized";
  readonly deltaUsd: number;
}

type DayStep = BookedFill | PositionStep | RealizedStep;

export class HedgeBook {
  shares = 0;
  /** Average entry price of the open shares, USD; 0 when flat. */
  avgCostUsd = 0;
  realizedPnlTodayUsd = 0;
  commissionsTodayUsd = 0;
  private openShares = 0;
  private openAvgCostUsd = 0;
  /** Today's steps since the day opened, oldest first: what a restated fill is replayed over. */
  private readonly today: DayStep[] = [];

  /** Adopts a broker-reported position (start, or a settled manual change). */
  setPosition(shares: number, avgCostUsd: number): void {
    this.today.push({ step: "position", deltaShares: shares - this.shares, avgCostUsd });
    this.takePosition(shares, avgCostUsd);
  }

  /** Today's realised PnL and commissions as a saved day had them. */
  restoreDay(realizedPnlUsd: number, commissionsUsd: number): void {
    const deltaUsd = realizedPnlUsd - this.realizedPnlTodayUsd;
    this.today.push({ step: "realized", deltaUsd });
    this.realizedPnlTodayUsd += deltaUsd; // as the replay adds it
    this.commissionsTodayUsd = commissionsUsd;
  }

  /** Takes an own execution into the book and the day's steps (a correction may restate it). Returns the PnL realised. */
  takeFill(fill: BookedFill): number {
    this.today.push(fill);
    return this.applyFill(fill.sign * fill.shares, fill.price);
  }

  /** Applies one execution: signedShares > 0 bought, < 0 sold, at priceUsd. Returns the PnL realised. */
  applyFill(signedShares: number, priceUsd: number): number {
    const before = this.shares;
    const after = before + signedShares;
    let realized = 0;
    if (before === 0 || before > 0 === signedShares > 0) {
      // Adding to the position (or opening it): blend the average cost.
      this.avgCostUsd = (this.avgCostUsd * Math.abs(before) + priceUsd * Math.abs(signedShares)) / Math.abs(after);
    } else {
      const closed = Math.min(Math.abs(signedShares), Math.abs(before));
      realized = closed * (before > 0 ? priceUsd - this.avgCostUsd : this.avgCostUsd - priceUsd);
      if (after === 0) this.avgCostUsd = 0;
      else if (after > 0 !== before > 0) this.avgCostUsd = priceUsd; // flipped: the rest opens at this price
    }
    this.shares = after;
    this.realizedPnlTodayUsd += realized;
    return realized;
  }

  /**
   * Restates `fill` as the broker's correction has it. A fill of today (taken with takeFill) is
   * changed and the day replayed: exact. Of another (an earlier run's, or before the day rolled)
   * the book holds no history: the share difference is booked as a fill at the corrected price,
   * and the price difference on the kept shares is realised now.
   */
  restateFill(fill: BookedFill, newShares: number, newPriceUsd: number): void {
    if (this.today.includes(fill)) {
      fill.shares = newShares;
      fill.price = newPriceUsd;
      this.replayDay();
      return;
    }
    const deltaShares = newShares - fill.shares;
    const deltaUsd = -fill.sign * Math.min(fill.shares, newShares) * (newPriceUsd - fill.price);
    fill.shares = newShares;
    fill.price = newPriceUsd;
    if (deltaUsd !== 0) {
      this.today.push({ step: "realized", deltaUsd });
      this.realizedPnlTodayUsd += deltaUsd;
    }
    if (deltaShares !== 0) this.takeFill({ step: "fill", sign: deltaShares > 0 ? fill.sign : -fill.sign, shares: Math.abs(deltaShares), price: newPriceUsd });
  }

  addCommission(usd: number): void {
    this.commissionsTodayUsd += usd;
  }

  unrealizedPnlUsd(spot: number): number {
    return this.shares === 0 ? 0 : this.shares * (spot - this.avgCostUsd);
  }

  startNewDay(): void {
    this.realizedPnlTodayUsd = 0;
    this.commissionsTodayUsd = 0;
    this.openShares = this.shares;
    this.openAvgCostUsd = this.avgCostUsd;
    this.today.length = 0;
  }

  private takePosition(shares: number, avgCostUsd: number): void {
    this.shares = shares;
    this.avgCostUsd = shares === 0 ? 0 : avgCostUsd;
  }

  /** The day from its opening figures through its steps, with the same arithmetic in the same order. */
  private replayDay(): void {
    this.shares = this.openShares;
    this.avgCostUsd = this.openAvgCostUsd;
    this.realizedPnlTodayUsd = 0;
    for (const step of this.today) {
      switch (step.step) {
        case "fill":
          this.applyFill(step.sign * step.shares, step.price);
          break;
        case "position":
          this.takePosition(this.shares + step.deltaShares, step.avgCostUsd);
          break;
        case "realized":
          this.realizedPnlTodayUsd += step.deltaUsd;
          break;
        default:
          step satisfies never;
      }
    }
  }
}
