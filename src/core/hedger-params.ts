// Parameters the Hedger runs with. Core never reads the config file: the daemon and the
// backtest map `GsConfig` (snake_case, percents where the user types percents) into these
// camelCase values, with every fraction and duration in the unit its name says.

/** Which positions form the strategy and how their greeks are computed. */
export interface StrategyParams {
  /** Underlying symbol: the hedge stock and the options' underlying. */
  readonly symbol: string;
  /** A newly seen option counts as a leg only with minDte <= calendar days to expiry <= maxDte. */
  readonly minDte: number;
  readonly maxDte: number;
  /** A newly seen option counts as a leg only when |strike - spot| / spot < this fraction (0.03 = 3%). */
  readonly atmBandFraction: number;
  /** "broker": use fresh broker greeks, else the model; "model": always Black-Scholes-Merton. */
  readonly greeksSource: "broker" | "model";
  /** Broker greeks older than this are ignored in favour of the model. */
  readonly brokerGreeksMaxAgeMs: number;
  /**
   * greeksSource "broker": how long a leg without fresh broker greeks holds hedging
   * (`awaiting_broker_greeks`) before the model is used for it (and the status says so).
   */
  readonly brokerGreeksGraceMs: number;
  /** Annualised vol for the model when no implied vol is known for a leg (0.2 = 20%). */
  readonly fallbackVol: number;
  /** Continuously compounded annual risk-free rate (0.05 = 5%). */
  readonly riskFreeRate: number;
  /** Continuously compounded annual dividend yield (0.013 = 1.3%). */
  readonly dividendYield: number;
}

/** Threshold policy: hedge back to zero once |delta| reaches thresholdShares. */
export interface ThresholdPolicyParams {
  readonly type: "threshold";
}

/**
 * Whalley–Wilmott band policy: the no-trade half-width in shares is
 * (3/2 · costFraction · spot · Γ² / riskAversion)^(1/3) (Γ in shares per $1), never
 * narrower than epsilonBandShares; outside it the hedge brings delta back to the band edge.
 */
export interface BandPolicyParams {
  readonly type: "band";
  /** Round-trip-free one-way cost as a fraction of price (spread/2 + commission), e.g. 0.0002. */
  readonly costFraction: number;
  /** Risk aversion λ of the utility the band optimises, per USD. */
  readonly riskAversion: number;
}

/** When and how to hedge (sizing). */
export interface HedgeParams {
  readonly policy: ThresholdPolicyParams | BandPolicyParams;
  /** |delta| at or below this many shares is never traded. */
  readonly epsilonBandShares: number;
  /** Threshold policy: hedge once |delta| >= this many shares. */
  readonly thresholdShares: number;
  /** Never send an order smaller than this. */
  readonly minShares: number;
  /** Cap every order at this many shares. */
  readonly maxSharesPerOrder: number;
  /** |delta| >= this many shares is a forced hedge: it skips the "trade less often" guards (cooldown, min price move), never a risk limit. */
  readonly forcedDeltaShares: number;
  readonly orderType: "market" | "limit";
  /** Limit orders: price = far side of the quote +/- this many basis points (marketable limit). */
  readonly limitOffsetBps: number;
  /** An order not final after this long is reported by `timedOutOrders` for cancellation. */
  readonly orderTimeoutMs: number;
}

/** Risk limits checked by the guard chain. A limit of null disables that guard. */
export interface GuardParams {
  /**
   * Trip the circuit breaker when today's strategy PnL (day-pnl.ts: hedge and legs marked to
   * market from their first marks of the day, minus commissions) <= -this, seen on any
   * evaluation. Latched for the day.
   */
  readonly maxDailyLossUsd: number | null;
  readonly tradingHoursOnly: boolean;
  /** Earnings dates `YYYY-MM-DD` (exchange time). */
  readonly earningsDates: readonly string[];
  /** Trading days before / after each earnings date with no hedging (the date itself always blocks). */
  readonly earningsBlackoutDaysBefore: number;
  readonly earningsBlackoutDaysAfter: number;
  /** Ordinary (not forced) hedges wait this long after the last hedge order. */
  readonly cooldownMs: number;
  /** Orders created per trading day; reaching it blocks further hedges (0 = never hedge). */
  readonly maxDailyHedges: number;
  /** |hedge shares + pending shares + this order| must stay <= this. */
  readonly maxPositionShares: number;
  /** (ask - bid) / mid above this fraction blocks (0.005 = 0.5%); null = no limit. */
  readonly maxSpreadFraction: number | null;
  /** |spot - last hedge price| / last hedge price below this fraction blocks (0.002 = 0.2%); 0 = off. */
  readonly minPriceMoveFraction: number;
  /** A quote older than this blocks. */
  readonly staleDataMs: number;
  /** Hedge on delayed or frozen quotes too (otherwise they block with `delayed_data`). */
  readonly acceptDelayedData: boolean;
}

export interface HedgerParams {
  readonly strategy: StrategyParams;
  readonly hedge: HedgeParams;
  readonly guards: GuardParams;
  /**
   * A broker stock position that disagrees with the book (own fills applied by execId) is
   * adopted only after the disagreement has lasted this long with no order in flight and no
   * own fill in that time (a manual trade); shorter disagreements are report lag.
   */
  readonly positionSettleMs: number;
  /**
   * Shares of the symbol the account holds outside the strategy (negative: short). The hedge
   * is the account's stock minus these: they never count in delta, are never traded, and
   * flatten leaves them.
   */
  readonly externalShares: number;
  /**
   * A disagreement that outlived positionSettleMs (a change made outside gs): "adopt" takes the
   * report as the book's position; "block" holds it back as a hard block until the report
   * agrees with the book again or the operator adopts it (adoptReportedPosition).
   */
  readonly outsideStockChange: "adopt" | "block";
}
