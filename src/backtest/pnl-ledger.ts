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

// The three sums accrue() updates on every bar sit in a Float64Array: a double kept in an
// object property is boxed on every store and unboxed on every load in optimised code, and
// that boxing was much of a quiet bar's cost. The rest changes on trades only.
const SCALPING = 0;
const THETA = 1;
const VEGA = 2;

export class PnlLedger {
  cashUsd = 0;
  stockShares = 0;
  hedgeSlippageUsd = 0;
  rollCostsUsd = 0;
  stockCommissionsUsd = 0;
  optionCommissionsUsd = 0;
  sharesTraded = 0;
  private readonly sums = new Float64Array(3);

  /**
   * One bar of attribution. `optionValueChangeUsd` is the change of the held legs' value at mid
   * since the previous bar (same legs), `thetaPerYearUsd` / `vegaPerUnitUsd` the position's
   * greeks at the previous bar.
   */
  accrue(optionValueChangeUsd: number, thetaPerYearUsd: number, vegaPerUnitUsd: number, dtYears: number, dVol: number, dSpot: number): void {
    const sums = this.sums;
    const theta = thetaPerYearUsd * dtYears;
    const vega = vegaPerUnitUsd * dVol;
    sums[THETA] = (sums[THETA] as number) + theta;
    sums[VEGA] = (sums[VEGA] as number) + vega;
    sums[SCALPING] = (sums[SCALPING] as number) + (optionValueChangeUsd - theta - vega + this.stockShares * dSpot);
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
    const sums = this.sums;
    return {
      totalUsd: this.equityUsd(spot, optionValueUsd),
      scalpingUsd: sums[SCALPING] as number,
      thetaUsd: sums[THETA] as number,
      vegaUsd: sums[VEGA] as number,
      hedgeSlippageUsd: this.hedgeSlippageUsd,
      rollCostsUsd: this.rollCostsUsd,
      stockCommissionsUsd: this.stockCommissionsUsd,
      optionCommissionsUsd: this.optionCommissionsUsd,
    };
  }
}
