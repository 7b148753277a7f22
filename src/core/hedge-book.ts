// The hedge stock book: average-cost accounting of the hedge shares. Realised PnL is booked
// when a fill reduces the position (or flips it), commissions separately; the day's totals
// reset at the trading-day rollover while the position and its average cost carry over.

/** A fill as the book took it: of its shares, closedShares closed a position held at closedCostUsd; the rest opened or added to one. */
export interface BookedFill {
  shares: number;
  price: number;
  closedShares: number;
  closedCostUsd: number;
}

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

  /**
   * Restates `fill`, which this book took (`sign` +1 bought, -1 sold), as the broker's correction
   * has it, and updates `fill`. Undoing it with applyFill at the old price is no inverse once a
   * position was open (average cost and realised PnL would move), so: a price change on shares
   * that closed a position is realised, on shares that added to one it moves the average cost
   * (realised once they are closed); shares dropped go from those that added first, then
   * reopen what they closed at its cost; shares added follow the fill.
   */
  restateFill(sign: number, fill: BookedFill, newShares: number, newPriceUsd: number): void {
    const oldShares = fill.shares;
    const oldPriceUsd = fill.price;
    const changeUsd = newPriceUsd - oldPriceUsd;
    const keptShares = Math.min(oldShares, newShares);
    const keptClosed = Math.min(keptShares, fill.closedShares);
    this.realizedPnlTodayUsd -= sign * keptClosed * changeUsd;
    this.moveOpenedCost(sign, keptShares - keptClosed, changeUsd);
    fill.shares = newShares;
    fill.price = newPriceUsd;
    if (newShares > oldShares) {
      const closable = Math.sign(this.shares) === -sign ? Math.abs(this.shares) : 0;
      if (keptClosed === 0 && closable > 0) fill.closedCostUsd = this.avgCostUsd;
      fill.closedShares = keptClosed + Math.min(newShares - oldShares, closable);
      this.applyFill(sign * (newShares - oldShares), newPriceUsd);
      return;
    }
    const droppedShares = oldShares - newShares;
    const stillOpen = Math.sign(this.shares) === sign ? Math.abs(this.shares) : 0;
    const droppedOpened = Math.min(droppedShares, oldShares - fill.closedShares, stillOpen);
    if (droppedOpened > 0) this.removeOpened(sign, droppedOpened, oldPriceUsd);
    const droppedClosed = droppedShares - droppedOpened;
    if (droppedClosed > 0) this.reopen(sign, droppedClosed, oldPriceUsd, fill.closedCostUsd);
    fill.closedShares = keptClosed;
  }

  addCommission(usd: number): void {
    this.commissionsTodayUsd += usd;
  }

  unrealizedPnlUsd(spot: number): number {
    return this.shares === 0 ? 0 : this.shares * (spot - this.avgCostUsd);
  }

  /** Shares that opened at one price but stand at another: the cost of the open ones, or PnL once closed. */
  private moveOpenedCost(sign: number, openedShares: number, changeUsd: number): void {
    if (openedShares === 0 || changeUsd === 0) return;
    const stillOpen = Math.sign(this.shares) === sign ? Math.min(openedShares, Math.abs(this.shares)) : 0;
    if (stillOpen > 0) this.avgCostUsd += (stillOpen * changeUsd) / Math.abs(this.shares);
    this.realizedPnlTodayUsd -= sign * (openedShares - stillOpen) * changeUsd;
  }

  /** Takes back shares that were added at priceUsd: the rest keep their cost, nothing is realised. */
  private removeOpened(sign: number, shares: number, priceUsd: number): void {
    const after = this.shares - sign * shares;
    this.avgCostUsd = after === 0 ? 0 : (this.avgCostUsd * Math.abs(this.shares) - priceUsd * shares) / Math.abs(after);
    this.shares = after;
  }

  /** Takes back shares that closed part of a position held at costUsd: their PnL is no longer realised and the position is open again. */
  private reopen(sign: number, shares: number, priceUsd: number, costUsd: number): void {
    if (Math.sign(this.shares) === sign) {
      // The fill's own opened shares were closed since: too far along to restate, taken back as a fill.
      this.applyFill(-sign * shares, priceUsd);
      return;
    }
    this.realizedPnlTodayUsd -= shares * (sign < 0 ? priceUsd - costUsd : costUsd - priceUsd);
    const open = Math.abs(this.shares);
    this.avgCostUsd = (this.avgCostUsd * open + costUsd * shares) / (open + shares);
    this.shares -= sign * shares;
  }

  startNewDay(): void {
    this.realizedPnlTodayUsd = 0;
    this.commissionsTodayUsd = 0;
  }
}
