// Wires the simulated market from config: price source, feed at `sim.speed`, option marks
// from core's Black-Scholes with the IV series, costs, and the persistent sim account. The
// account opens with a long ATM straddle (sim.straddle_quantity contracts per leg).
import type { GsConfig } from "../../config/schema.ts";
import { parseDay } from "../../core/civil-date.ts";
import { blackScholes } from "../../core/greeks.ts";
import type { Position } from "../../core/instrument.ts";
import { expiryCloseUtcMs } from "../../core/nyse-calendar.ts";
import type { IvSeries } from "../../market-data/index.ts";
import { ivAt, lowerBound } from "../../market-data/index.ts";
import { readSimAccount, writeSimAccount } from "./sim-account-file.ts";
import type { OptionMarker, SimAccountState, SimClock } from "./sim-broker.ts";
import { SimBroker } from "./sim-broker.ts";
import { barsToPath, SimFeed } from "./sim-feed.ts";
import { loadSimPriceSource } from "./sim-path.ts";
import { atmStraddle } from "./sim-straddle.ts";

const YEAR_MS = 365 * 86_400_000;
/** Gaps between bars longer than this (nights, weekends, holidays) are skipped. */
const MAX_REPLAYED_GAP_MS = 30 * 60_000;
const SIM_ACCOUNT = "SIM0001";
const ACCOUNT_SAVE_EVERY_MS = 5_000;
/** Cancels are confirmed quickly even when fills are simulated as slow. */
const CANCEL_LATENCY_MAX_MS = 50;
/** Fastest quote rate (200 a second); keeps quotes fresh in market time up to ~250x speed at the default staleness limit. */
const MIN_TICK_WALL_MS = 5;

export interface SimMarket {
  readonly broker: SimBroker;
  readonly marketClock: SimClock;
  readonly description: string;
  start(): void;
  /** Stops the feed and saves the account. */
  stop(): void;
}

export interface SimMarketOptions {
  readonly wallClock: SimClock;
  /** Where the account persists between runs; null keeps it in memory only. */
  readonly accountFile: string | null;
  readonly onEnd?: () => void;
}

export async function createSimMarket(config: GsConfig, options: SimMarketOptions): Promise<SimMarket> {
  const { sim, strategy } = config;
  const source = await loadSimPriceSource(config);
  const saved = options.accountFile === null ? null : readSimAccount(options.accountFile);
  const startIndex = saved === null ? 0 : Math.min(lowerBound(source.series.tsMs, saved.marketTsMs), source.series.length - 1);
  const bars = function* () {
    const series = source.series;
    for (let index = startIndex; index < series.length; index++) {
      yield {
        tsMs: series.tsMs[index] as number,
        barSeconds: series.barSeconds,
        open: series.open[index] as number,
        high: series.high[index] as number,
        low: series.low[index] as number,
        close: series.close[index] as number,
      };
    }
  };
  let broker: SimBroker | null = null;
  const feed = new SimFeed({
    path: barsToPath(bars()),
    speed: sim.speed,
    maxGapMs: MAX_REPLAYED_GAP_MS,
    // Ticks close enough in market time that a quote is never stale between two of them.
    tickWallMs: Math.min(250, Math.max(MIN_TICK_WALL_MS, config.guards.stale_data_ms / sim.speed / 4)),
    wallClock: options.wallClock,
    onPrice: (price, marketTsMs) => broker?.pushPrice(price, marketTsMs),
    onEnd: () => options.onEnd?.(),
  });
  const markOption = optionMarker(source.iv, strategy.rate, strategy.dividend_yield);
  const account: SimAccountState = saved?.account ?? openingAccount(strategy.symbol, feed.startPoint.price, feed.startPoint.tsMs, sim.straddle_quantity, markOption, strategy.external_shares);
  broker = new SimBroker({
    symbol: strategy.symbol,
    account: SIM_ACCOUNT,
    clock: feed.marketClock,
    costs: { slippageBps: sim.slippage_bps, commissionPerShareUsd: sim.commission_per_share_usd, minCommissionUsd: sim.commission_min_usd },
    halfSpreadBps: sim.spread_bps / 2,
    ackLatencyMs: Math.floor(sim.latency_ms / 2),
    fillLatencyMs: sim.latency_ms,
    cancelLatencyMs: Math.min(sim.latency_ms, CANCEL_LATENCY_MAX_MS),
    markOption,
    initialAccount: account,
  });
  broker.pushPrice(feed.startPoint.price, feed.startPoint.tsMs);
  const simBroker = broker;
  const save = (): void => {
    if (options.accountFile !== null) writeSimAccount(options.accountFile, { version: 1, account: simBroker.accountState(), marketTsMs: feed.marketClock.nowMs() });
  };
  simBroker.onEvent((event) => {
    if (event.type === "commission") save();
  });
  let stopSaving: (() => void) | null = null;
  const saveLoop = (): void => {
    stopSaving = options.wallClock.setTimer(ACCOUNT_SAVE_EVERY_MS, () => {
      save();
      saveLoop();
    });
  };
  return {
    broker: simBroker,
    marketClock: feed.marketClock,
    description: `${source.description}, speed ${sim.speed}x${saved ? ", resumed account" : ""}`,
    start: () => {
      save();
      saveLoop();
      feed.start();
    },
    stop: () => {
      feed.stop();
      stopSaving?.();
      save();
    },
  };
}

export function optionMarker(iv: IvSeries, rate: number, dividendYield: number): OptionMarker {
  return (option, spot, tsMs) => {
    const expiryDay = parseDay(option.expiryYmd);
    if (expiryDay === null) return null;
    const years = (expiryCloseUtcMs(expiryDay) - tsMs) / YEAR_MS;
    const vol = ivAt(iv, tsMs);
    const greeks = blackScholes(option.right, spot, option.strike, years, rate, dividendYield, vol);
    // Reported in IB's units: theta per calendar day, vega per vol point.
    return { price: greeks.price, impliedVol: vol, delta: greeks.delta, gamma: greeks.gamma, vega: greeks.vega / 100, theta: greeks.theta / 365 };
  };
}

/** A fresh simulated account: the straddle, and the shares held outside the strategy (strategy.external_shares) if any. */
export function openingAccount(symbol: string, spot: number, startMs: number, contracts: number, mark: OptionMarker, externalShares: number): SimAccountState {
  const positions: Position[] = atmStraddle(symbol, spot, startMs).map((contract) => ({
    contract,
    quantity: contracts,
    avgCost: Math.round((mark(contract, spot, startMs)?.price ?? 0) * contract.multiplier * 100) / 100,
    account: SIM_ACCOUNT,
  }));
  const external: Position[] = externalShares === 0 ? [] : [{ contract: { secType: "STK", symbol }, quantity: externalShares, avgCost: spot, account: SIM_ACCOUNT }];
  return { positions: [...(contracts > 0 ? positions : []), ...external], executions: [], nextOrderId: 1 };
}
