// Cash, positions and PnL attribution of a backtest. Equity = cash + stock at mid + options
// at mid. Each bar's equity change is split exactly into:
//   theta   = sum(qty x mult x theta_prev x dt)          (time decay at the previous greeks)
//   vega    = sum(qty x mult x vega_prev x dvol)         (implied vol moves)
//   scalping = option change - theta - vega + stock x dspot  (gamma/delta: what hedging earns)
// and every trade's cost against mid: hedge slippage (stock fills vs mid), option spread at
// opens/rolls/closes (roll costs), commissions. total = scalping + theta + vega - costs.

export interface PnlTotals {
  readonly totalUsd: number;
  readonly scalpingUsd: number;
  readonly thetaUsd: number;
  readonly vegaUsd: number;
  readonly hedgeSlippageUsd: number;
  readonly rollCostsUsd: number;
  readonly stockCommissionsUsd: number;
  readonly optionCommissionsUsd: number;
}

export class PnlLedger {
  cashUsd = 0;
  stockShares = 0;
  scalpingUsd = 0;
  thetaUsd = 0;
  vegaUsd = 0;
  hedgeSlippageUsd = 0;
  rollCostsUsd = 0;
  stockCommissionsUsd = 0;
  optionCommissionsUsd = 0;
  sharesTraded = 0;

  /**
   * One bar of attribution. `optionValueChangeUsd` is the change of the held legs' value at mid
   * since the previous bar (same legs), `thetaPerYearUsd` / `vegaPerUnitUsd` the position's
   * greeks at the previous bar.
   */
  accrue(optionValueChangeUsd: number, thetaPerYearUsd: number, vegaPerUnitUsd: number, dtYears: number, dVol: number, dSpot: number): void {
    const theta = thetaPerYearUsd * dtYears;
    const vega = vegaPerUnitUsd * dVol;
    this.thetaUsd += theta;
    this.vegaUsd += vega;
    this.scalpingUsd += optionValueChangeUsd - theta - vega + this.stockShares * dSpot;
  }

  /** A stock fill: signedShares > 0 bought. */
  stockFill(signedShares: number, priceUsd: number, midUsd: number, commissionUsd: number): void {
    this.cashUsd -= signedShares * priceUsd + commissionUsd;
    this.stockShares += signedShares;
    this.hedgeSlippageUsd += signedShares * (priceUsd - midUsd);
    this.stockCommissionsUsd += commissionUsd;
    this.sharesTraded += Math.abs(signedShares);
  }

  /** An option trade of `signedUnits` option shares (contracts x multiplier). */
  optionTrade(signedUnits: number, priceUsd: number, midUsd: number, commissionUsd: number): void {
    this.cashUsd -= signedUnits * priceUsd + commissionUsd;
    this.rollCostsUsd += signedUnits * (priceUsd - midUsd);
    this.optionCommissionsUsd += commissionUsd;
  }

  equityUsd(spot: number, optionValueUsd: number): number {
    return this.cashUsd + this.stockShares * spot + optionValueUsd;
  }

  totals(spot: number, optionValueUsd: number): PnlTotals {
    return {
      totalUsd: this.equityUsd(spot, optionValueUsd),
      scalpingUsd: this.scalpingUsd,
      thetaUsd: this.thetaUsd,
      vegaUsd: this.vegaUsd,
      hedgeSlippageUsd: this.hedgeSlippageUsd,
      rollCostsUsd: this.rollCostsUsd,
      stockCommissionsUsd: this.stockCommissionsUsd,
      optionCommissionsUsd: this.optionCommissionsUsd,
    };
  }
}
