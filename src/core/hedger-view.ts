// Read-side helpers of the Hedger: the reusable guard state and the status snapshot.
import { allDenials, type GuardState } from "./guard-chain.ts";
import { explainDenial } from "./guard-explain.ts";
import type { HardBlock } from "./hedger-inputs.ts";
import type { CoreBlockReason, HedgerSnapshot } from "./hedger-snapshot.ts";
import type { Hedger } from "./hedger.ts";
import type { ExchangeDay } from "./nyse-calendar.ts";

/** Filled in place before each guard run, so the hedge path allocates no guard input. */
export class MutableGuardState implements GuardState {
  nowMs = 0;
  hardBlock: HardBlock | null = null;
  paused = false;
  brokerConnected = false;
  quoteTsMs: number | null = null;
  quoteKind: "live" | "delayed" | "frozen" = "live";
  bid: number | null = null;
  ask: number | null = null;
  spot = 0;
  circuitBreakerTripped = false;
  dailyPnlUsd: number | null = null;
  dailyHedgeCount = 0;
  lastHedgeTsMs: number | null = null;
  lastHedgePrice: number | null = null;
  hedgeShares = 0;
  pendingShares = 0;
  orderShares = 0;
  forced = false;

  /** The Hedger's state now, for an order of `orderShares`, with today's PnL as marked now. */
  fillFrom(h: Hedger, nowMs: number, spot: number, orderShares: number, forced: boolean, dailyPnlUsd: number | null): this {
    this.quoteTsMs = h.quoteTsMs;
    this.quoteKind = h.quoteKind;
    this.bid = h.bid;
    this.ask = h.ask;
    this.dailyPnlUsd = h.params.guards.maxDailyLossUsd === null ? null : dailyPnlUsd;
    return this.fillRest(h, nowMs, spot, orderShares, forced);
  }

  /**
   * The state the guards would see on a live quote (bid, ask) at nowMs that the Hedger has not
   * been given, its legs marked at legValueUsd: read only.
   */
  fillForQuote(h: Hedger, nowMs: number, spot: number, bid: number, ask: number, legValueUsd: number, orderShares: number, forced: boolean): this {
    this.quoteTsMs = nowMs;
    this.quoteKind = "live";
    this.bid = bid;
    this.ask = ask;
    this.dailyPnlUsd = h.params.guards.maxDailyLossUsd === null ? null : h.quietDayPnlUsd(spot, legValueUsd);
    return this.fillRest(h, nowMs, spot, orderShares, forced);
  }

  private fillRest(h: Hedger, nowMs: number, spot: number, orderShares: number, forced: boolean): this {
    this.nowMs = nowMs;
    this.hardBlock = h.activeHardBlock;
    this.paused = h.paused;
    this.brokerConnected = h.brokerConnected;
    this.spot = spot;
    this.circuitBreakerTripped = h.circuitBreakerTripped;
    this.dailyHedgeCount = h.dailyHedgeCount;
    this.lastHedgeTsMs = h.lastHedgeTsMs;
    this.lastHedgePrice = h.lastHedgePrice;
    this.hedgeShares = h.book.shares;
    this.pendingShares = h.orders.pendingShares;
    this.orderShares = orderShares;
    this.forced = forced;
    return this;
  }
}

/** Guards that judge the trading rhythm, shown only while a hedge is actually wanted. */
const RHYTHM_GUARDS = new Set(["cooldown", "min_price_move"]);

export function buildSnapshot(h: Hedger, nowMs: number, day: ExchangeDay): HedgerSnapshot {
  const spot = h.spot;
  const haveLegs = spot !== null && h.legs.count > 0;
  const portfolio = haveLegs ? h.legs.portfolio(spot, nowMs) : null;
  let optionDelta: number | null = null;
  let gamma: number | null = null;
  if (haveLegs) {
    h.legs.computeDeltaGamma(spot, nowMs); // expired legs still show their limit values
    optionDelta = h.legs.optionDeltaShares;
    gamma = h.legs.gammaShares;
  }
  const portfolioDelta = optionDelta === null ? null : optionDelta + h.book.shares + h.orders.pendingShares;
  const dailyPnl = h.dailyPnlUsd(nowMs);

  const blockReasons: CoreBlockReason[] = [];
  if (spot !== null) {
    const wanted = portfolioDelta === null ? "in_band" : h.policy.wantedShares(portfolioDelta, gamma ?? 0, spot);
    const orderShares = typeof wanted === "number" ? wanted : 0;
    const forced = portfolioDelta !== null && Math.abs(portfolioDelta) >= h.params.hedge.forcedDeltaShares;
    for (const d of allDenials(h.guards, h.fillGuardState(nowMs, spot, orderShares, forced, dailyPnl))) {
      if (orderShares === 0 && RHYTHM_GUARDS.has(d.code)) continue;
      blockReasons.push({ code: d.code, message: explainDenial(d.code, d.context) });
    }
  } else {
    for (const d of allDenials(h.guards, h.fillGuardState(nowMs, 0, 0, false, null))) {
      if (!RHYTHM_GUARDS.has(d.code)) blockReasons.push({ code: d.code, message: explainDenial(d.code, d.context) });
    }
  }
  for (const leg of portfolio?.legs ?? []) {
    if (leg.outsideSelection) {
      blockReasons.push({ code: "leg_outside_selection", message: `${leg.contractKey} is now outside the DTE window or ATM band (still hedged; roll due)` });
    }
  }
  const modelSince = h.modelGreeksSinceMs;
  if (modelSince !== null && nowMs - modelSince >= h.params.strategy.brokerGreeksGraceMs) {
    const legs = (portfolio?.legs ?? []).filter((leg) => leg.greeksSource === "model").map((leg) => leg.contractKey);
    if (legs.length > 0) {
      blockReasons.push({ code: "model_greeks_fallback", message: `no fresh broker greeks for ${legs.join(", ")} after ${h.params.strategy.brokerGreeksGraceMs / 1000} s; hedging on model greeks` });
    }
  }
  const reported = h.positions.reportedShares;
  const mismatch = reported === null ? 0 : reported - h.book.shares;
  const mismatchSince = h.positions.mismatchSinceMs;
  // Report lag (executions and position reports crossing) is not worth a status line; a
  // disagreement that outlived half the settle time is.
  if (mismatch !== 0 && mismatchSince !== null && nowMs - mismatchSince >= h.params.positionSettleMs / 2) {
    blockReasons.push({ code: "position_mismatch", message: `broker reports ${reported} hedge shares, book has ${h.book.shares}` });
  }

  const theta = portfolio?.thetaUsdPerDay ?? null;
  const breakevenMoveUsd = theta !== null && gamma !== null && gamma > 0 ? Math.sqrt((2 * Math.abs(theta)) / gamma) : null;
  const last = h.lastDecision;
  return {
    tsMs: nowMs,
    tradingDay: day.day,
    symbol: h.params.strategy.symbol,
    spot,
    bid: h.bid,
    ask: h.ask,
    last: h.last,
    dataAgeMs: h.quoteTsMs === null ? null : nowMs - h.quoteTsMs,
    legs: portfolio?.legs ?? [],
    optionDeltaShares: optionDelta,
    portfolioDeltaShares: portfolioDelta,
    gammaShares: gamma,
    thetaUsdPerDay: theta,
    vegaUsd: portfolio?.vegaUsd ?? null,
    hedgeShares: h.book.shares,
    pendingShares: h.orders.pendingShares,
    brokerHedgeShares: reported,
    positionMismatchShares: mismatch,
    externalShares: h.params.externalShares,
    hedgeState: h.orders.hedgeState(),
    dailyHedgeCount: h.dailyHedgeCount,
    dailyHedgeLimit: h.params.guards.maxDailyHedges,
    dailyRealizedPnlUsd: h.book.realizedPnlTodayUsd,
    dailyCommissionsUsd: h.book.commissionsTodayUsd,
    unrealizedPnlUsd: spot === null ? null : h.book.unrealizedPnlUsd(spot),
    scalpingPnlUsd: spot === null ? null : h.pnl.scalpingUsd(spot),
    // Unknown while a leg waits for its first mark (it counts nothing yet), not $0.
    optionMtmPnlUsd: dailyPnl === null || h.legs.unmarkedCount > 0 ? null : h.pnl.optionMtmUsd,
    dailyPnlUsd: dailyPnl,
    dailyLossLimitUsd: h.params.guards.maxDailyLossUsd,
    realizedVolToday: h.realizedVol.annualized(),
    impliedVol: portfolio?.impliedVol ?? null,
    breakevenMoveUsd,
    breakevenMovePct: breakevenMoveUsd !== null && spot !== null ? (100 * breakevenMoveUsd) / spot : null,
    lastHedgeTsMs: h.lastHedgeTsMs,
    lastHedgePrice: h.lastHedgePrice,
    brokerConnected: h.brokerConnected,
    paused: h.paused,
    hardBlock: h.activeHardBlock !== null || h.circuitBreakerTripped,
    circuitBreakerTripped: h.circuitBreakerTripped,
    blockReasons,
    lastDecision: Number.isNaN(last.tsMs) ? null : { type: last.type, code: last.code, tsMs: last.tsMs },
  };
}
