// The hedge stock book: average-cost accounting of the hedge shares. Realised PnL is booked
// when a fill reduces the position (or flips it), commissions separately; the day's totals
// reset at the trading-day rollover while the position and its average cost carry over.

export class HedgeBook {
  shares = 0;
  /** Average entry price of the open shares, USD; 0 when flat. */
  avgCostUsd = 0;
  realizedPnlTodayUsd = 0;
  commissionsTodayUsd = 0;

  /** Adopts a broker-reported position (start, or a settled manual change). */
  setPosition(shares: number, avgCostUsd: number): void {
    this.shares = shares;
    this.avgCostUsd = shares === 0 ? 0 : avgCostUsd;
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

  addCommission(usd: number): void {
    this.commissionsTodayUsd += usd;
  }

  unrealizedPnlUsd(spot: number): number {
    return this.shares === 0 ? 0 : this.shares * (spot - this.avgCostUsd);
  }

  startNewDay(): void {
    this.realizedPnlTodayUsd = 0;
    this.commissionsTodayUsd = 0;
  }
}
