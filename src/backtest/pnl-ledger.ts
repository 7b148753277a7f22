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

// The ledger's numbers, in one Float64Array: the replay's quiet loop updates some of them on
// every bar, and a double kept in an object property is boxed on every store and unboxed on
// every load in optimised code (that boxing was most of a quiet bar's cost); a typed array
// holds it raw.
const CASH = 0;
const STOCK_SHARES = 1;
const SCALPING = 2;
const THETA = 3;
const VEGA = 4;
const HEDGE_SLIPPAGE = 5;
const ROLL_COSTS = 6;
const STOCK_COMMISSIONS = 7;
const OPTION_COMMISSIONS = 8;
const SHARES_TRADED = 9;
const LEDGER_FIELDS = 10;

export class PnlLedger {
  private readonly v = new Float64Array(LEDGER_FIELDS);

  get cashUsd(): number {
    return this.v[CASH] as number;
  }
  get stockShares(): number {
    return this.v[STOCK_SHARES] as number;
  }
  get scalpingUsd(): number {
    return this.v[SCALPING] as number;
  }
  get thetaUsd(): number {
    return this.v[THETA] as number;
  }
  get vegaUsd(): number {
    return this.v[VEGA] as number;
  }
  get hedgeSlippageUsd(): number {
    return this.v[HEDGE_SLIPPAGE] as number;
  }
  get rollCostsUsd(): number {
    return this.v[ROLL_COSTS] as number;
  }
  get stockCommissionsUsd(): number {
    return this.v[STOCK_COMMISSIONS] as number;
  }
  get optionCommissionsUsd(): number {
    return this.v[OPTION_COMMISSIONS] as number;
  }
  get sharesTraded(): number {
    return this.v[SHARES_TRADED] as number;
  }

  /**
   * One bar of attribution. `optionValueChangeUsd` is the change of the held legs' value at mid
   * since the previous bar (same legs), `thetaPerYearUsd` / `vegaPerUnitUsd` the position's
   * greeks at the previous bar.
   */
  accrue(optionValueChangeUsd: number, thetaPerYearUsd: number, vegaPerUnitUsd: number, dtYears: number, dVol: number, dSpot: number): void {
    const v = this.v;
    const theta = thetaPerYearUsd * dtYears;
    const vega = vegaPerUnitUsd * dVol;
    v[THETA] = (v[THETA] as number) + theta;
    v[VEGA] = (v[VEGA] as number) + vega;
    v[SCALPING] = (v[SCALPING] as number) + (optionValueChangeUsd - theta - vega + (v[STOCK_SHARES] as number) * dSpot);
  }

  /** A stock fill: signedShares > 0 bought. */
  stockFill(signedShares: number, priceUsd: number, midUsd: number, commissionUsd: number): void {
    const v = this.v;
    v[CASH] = (v[CASH] as number) - (signedShares * priceUsd + commissionUsd);
    v[STOCK_SHARES] = (v[STOCK_SHARES] as number) + signedShares;
    v[HEDGE_SLIPPAGE] = (v[HEDGE_SLIPPAGE] as number) + signedShares * (priceUsd - midUsd);
    v[STOCK_COMMISSIONS] = (v[STOCK_COMMISSIONS] as number) + commissionUsd;
    v[SHARES_TRADED] = (v[SHARES_TRADED] as number) + Math.abs(signedShares);
  }

  /** An option trade of `signedUnits` option shares (contracts x multiplier). */
  optionTrade(signedUnits: number, priceUsd: number, midUsd: number, commissionUsd: number): void {
    const v = this.v;
    v[CASH] = (v[CASH] as number) - (signedUnits * priceUsd + commissionUsd);
    v[ROLL_COSTS] = (v[ROLL_COSTS] as number) + signedUnits * (priceUsd - midUsd);
    v[OPTION_COMMISSIONS] = (v[OPTION_COMMISSIONS] as number) + commissionUsd;
  }

  equityUsd(spot: number, optionValueUsd: number): number {
    const v = this.v;
    return (v[CASH] as number) + (v[STOCK_SHARES] as number) * spot + optionValueUsd;
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
