// GsConfig (TOML names and units) -> core's HedgerParams (camelCase, fractions, ms). The one
// mapping used wherever a Hedger is built from config, so live and replay run the same params.
import type { GsConfig } from "./schema.ts";
import type { HedgerParams } from "../core/hedger-params.ts";
import { withCanonicalNumbers } from "./canonical-numbers.ts";

export function hedgerParamsFromConfig(config: GsConfig): HedgerParams {
  const { strategy, hedge, guards } = config;
  // Canonical numbers: see canonical-numbers.ts (a sweep builds one Hedger per run).
  return withCanonicalNumbers({
    strategy: {
      symbol: strategy.symbol,
      minDte: strategy.min_dte,
      maxDte: strategy.max_dte,
      atmBandFraction: strategy.atm_band_pct,
      greeksSource: strategy.greeks_source,
      brokerGreeksMaxAgeMs: strategy.broker_greeks_max_age_s * 1000,
      brokerGreeksGraceMs: strategy.broker_greeks_grace_s * 1000,
      fallbackVol: strategy.fallback_vol,
      riskFreeRate: strategy.rate,
      dividendYield: strategy.dividend_yield,
    },
    hedge: {
      policy: hedge.policy === "band" ? { type: "band", costFraction: hedge.band_cost_bps / 10_000, riskAversion: hedge.band_risk_aversion } : { type: "threshold" },
      epsilonBandShares: hedge.epsilon_band,
      thresholdShares: hedge.threshold_shares,
      minShares: hedge.min_shares,
      maxSharesPerOrder: hedge.max_shares_per_order,
      forcedDeltaShares: hedge.forced_delta,
      orderType: hedge.order_type,
      limitOffsetBps: hedge.limit_offset_bps,
      orderTimeoutMs: hedge.order_timeout_s * 1000,
    },
    guards: {
      maxDailyLossUsd: guards.max_daily_loss_usd > 0 ? guards.max_daily_loss_usd : null,
      tradingHoursOnly: guards.trading_hours_only,
      earningsDates: guards.earnings_dates,
      earningsBlackoutDaysBefore: guards.earnings_blackout_days_before,
      earningsBlackoutDaysAfter: guards.earnings_blackout_days_after,
      cooldownMs: hedge.cooldown_s * 1000,
      maxDailyHedges: guards.max_daily_hedges,
      maxPositionShares: guards.max_position_shares,
      maxSpreadFraction: guards.max_spread_pct > 0 ? guards.max_spread_pct / 100 : null,
      minPriceMoveFraction: hedge.min_price_move_pct / 100,
      staleDataMs: guards.stale_data_ms,
      // Only IB delivers delayed data; the sim and replayed history are always live.
      acceptDelayedData: config.ib.accept_delayed,
    },
    positionSettleMs: strategy.position_settle_s * 1000,
    externalShares: strategy.external_shares,
    outsideStockChange: strategy.outside_stock_change,
  });
}
