// The replay's market, bar by bar, recorded before any hedging: the venue's quote, the
// decision time, the implied vol, the straddle held and its marks, the trading days and the
// rolls. None of it depends on how the position is hedged (a roll follows spot and time
// alone), so the replay's per-bar loop reads it instead of pricing options, and a sweep
// records it once for all its runs.
import { quoteAround } from "../broker/sim/sim-fills.ts";
import type { StrategyParams } from "../core/hedger-params.ts";
import { exchangeDayAt, expiryCloseUtcMs } from "../core/nyse-calendar.ts";
import type { BarSeries, IvSeries } from "../market-data/index.ts";
import { ivAt } from "../market-data/index.ts";
import type { BacktestParams } from "./backtest-params.ts";
import { checkNotExpired } from "./expiry-settlement.ts";
import { LegMark, markStraddle, markStraddleBars } from "./option-marks.ts";
import { ASK, BID, NOW_MS, SPOT, TAPE_BAR_FIELDS, VOL } from "./tape-bar.ts";
import { chooseStraddle, rollReason } from "./straddle-schedule.ts";
import type { RollReason, Straddle, StraddleRules } from "./straddle-schedule.ts";

/** The close is the bar's last trade: the step happens just before the bar (or the session) ends. */
const CLOSE_BEFORE_BAR_END_MS = 1000;

export type TapeStrategy = Pick<StrategyParams, "symbol" | "minDte" | "maxDte" | "riskFreeRate" | "dividendYield">;

/** A straddle traded at a bar: the open before the first decision, a roll after its bar's decision. */
export interface TapeRoll {
  readonly index: number;
  readonly reason: RollReason | "open";
  readonly previous: Straddle | null;
  readonly next: Straddle;
  readonly nextExpiryMs: number;
  /** The new legs' marks at this bar (read only: a sweep's runs share them). */
  readonly call: LegMark;
  readonly put: LegMark;
}

export interface TapeDay {
  readonly firstIndex: number;
  /** One past the day's last bar. */
  readonly endIndex: number;
  readonly dayNumber: number;
  readonly day: string;
}

export interface MarketTape {
  readonly length: number;
  /**
   * Each bar's numbers (see tape-bar.ts): the venue's quote in cents around the bar's close
   * (spot is its mid), the decision time, the implied vol, and the marks of the straddle held
   * at the bar's decision.
   */
  readonly bars: Float64Array;
  readonly days: readonly TapeDay[];
  /** In bar order; the first is the open at bar 0. */
  readonly rolls: readonly TapeRoll[];
  readonly rate: number;
  readonly dividendYield: number;
}

export function straddleRules(strategy: TapeStrategy, params: BacktestParams): StraddleRules {
  return {
    symbol: strategy.symbol,
    minDte: strategy.minDte,
    maxDte: strategy.maxDte,
    strikeStep: params.strikeStep,
    rollBandFraction: params.rollBandFraction,
    multiplier: 100,
  };
}

/** Prices the bars once: quotes, times, vols, the straddle schedule and its marks. */
export function recordMarketTape(series: BarSeries, iv: IvSeries, params: BacktestParams, strategy: TapeStrategy): MarketTape {
  const length = series.length;
  const tape = {
    length,
    bars: new Float64Array(length * TAPE_BAR_FIELDS),
    days: [] as TapeDay[],
    rolls: [] as TapeRoll[],
    rate: strategy.riskFreeRate,
    dividendYield: strategy.dividendYield,
  };
  const bars = tape.bars;
  const rules = straddleRules(strategy, params);
  const barMs = series.barSeconds * 1000;
  const dailyIv = iv.type !== "intraday";
  const halfSpreadBps = params.stockHalfSpreadBps;
  const { close, tsMs } = series;
  let straddle: Straddle | null = null;
  // Day by day: the quotes, times and vols in one tight loop, then the straddle held through
  // the day in another (the two in one loop ran slower: the schedule is branchy).
  for (let first = 0; first < length; ) {
    const day = exchangeDayAt(tsMs[first] as number);
    const dayCloseMs = day.closeMs ?? day.endMs;
    let end = first + 1;
    while (end < length && (tsMs[end] as number) < day.endMs) end++;
    tape.days.push({ firstIndex: first, endIndex: end, dayNumber: day.dayNumber, day: day.day });
    const dayVol = dailyIv ? ivAt(iv, tsMs[first] as number) : 0;
    for (let i = first, p = first * TAPE_BAR_FIELDS; i < end; i++, p += TAPE_BAR_FIELDS) {
      const touch = quoteAround(close[i] as number, halfSpreadBps);
      // A daily bar's close is the session's close, not the next morning.
      const nowMs = Math.min((tsMs[i] as number) + barMs, dayCloseMs) - CLOSE_BEFORE_BAR_END_MS;
      bars[p + BID] = touch.bid;
      bars[p + ASK] = touch.ask;
      bars[p + SPOT] = (touch.bid + touch.ask) / 2;
      bars[p + NOW_MS] = nowMs;
      bars[p + VOL] = dailyIv ? dayVol : ivAt(iv, nowMs);
    }
    // The account holds the straddle before the first quote, as the daemon's does at start.
    straddle ??= tradeStraddle(first, "open", null, bars, rules, tape).next;
    // DTE moves once a day: checked at the day's first bar; the strike band on every bar.
    let i = first;
    const firstNowMs = bars[first * TAPE_BAR_FIELDS + NOW_MS] as number;
    let reason = rollReason(straddle, bars[first * TAPE_BAR_FIELDS + SPOT] as number, firstNowMs, rules);
    // Only legs that outlived their days can be expired here: never sell (or mark) those.
    if (reason === "dte_below_min") checkNotExpired(straddle.expiryDayNumber, (tape.days[tape.days.length - 2] as TapeDay).dayNumber, day.dayNumber, firstNowMs);
    for (;;) {
      if (reason !== null) straddle = tradeStraddle(i, reason, straddle, bars, rules, tape).next;
      i = firstOutsideBand(bars, i + 1, end, straddle.call.strike, rules.rollBandFraction);
      if (i === end) break;
      reason = "strike_outside_band";
    }
    first = end;
  }
  // The marks, one straddle at a time: a tight loop per leg pair (the schedule above is cheap
  // and branchy; pricing is the bulk and runs faster on its own).
  const rolls = tape.rolls;
  for (let k = 0; k < rolls.length; k++) {
    const held = rolls[k] as TapeRoll;
    // A straddle is held at the decisions after the bar it was traded at (the open: at it too).
    const first = held.reason === "open" ? held.index : held.index + 1;
    const last = k + 1 < rolls.length ? (rolls[k + 1] as TapeRoll).index : length - 1;
    markStraddleBars(bars, held.next.call.strike, held.nextExpiryMs, tape.rate, tape.dividendYield, first, last);
  }
  return tape;
}

/** The first bar of from..end-1 whose spot is further from the strike than the roll band allows (end: none). */
function firstOutsideBand(bars: Float64Array, from: number, end: number, strike: number, bandFraction: number): number {
  for (let i = from, p = from * TAPE_BAR_FIELDS + SPOT; i < end; i++, p += TAPE_BAR_FIELDS) {
    const spot = bars[p] as number;
    if (Math.abs(strike - spot) / spot > bandFraction) return i;
  }
  return end;
}

/** Chooses the straddle to hold from bar `index` on, marks it at that bar, and adds the trade to the tape. */
function tradeStraddle(
  index: number,
  reason: RollReason | "open",
  previous: Straddle | null,
  bars: Float64Array,
  rules: StraddleRules,
  tape: { readonly rolls: TapeRoll[]; readonly rate: number; readonly dividendYield: number },
): TapeRoll {
  const p = index * TAPE_BAR_FIELDS;
  const spot = bars[p + SPOT] as number;
  const nowMs = bars[p + NOW_MS] as number;
  const vol = bars[p + VOL] as number;
  const next = chooseStraddle(spot, nowMs, rules);
  const nextExpiryMs = expiryCloseUtcMs(next.expiryDayNumber);
  const call = new LegMark();
  const put = new LegMark();
  markStraddle(next.call.strike, nextExpiryMs, spot, vol, nowMs, tape.rate, tape.dividendYield, call, put);
  const roll: TapeRoll = { index, reason, previous, next, nextExpiryMs, call, put };
  tape.rolls.push(roll);
  return roll;
}

/** Bytes of a tape's bars. */
export function tapeBytes(tape: MarketTape): number {
  return tape.bars.byteLength;
}

/**
 * The tapes of one series and vol, by the params that shape them (a sweep's runs mostly
 * share one). Keeps the most recently used within a memory budget, and always the newest: a
 * year of 1-minute bars is about 10 MB, ten years about 100 MB.
 */
export class MarketTapeCache {
  private readonly tapes = new Map<string, MarketTape>();

  constructor(
    private readonly series: BarSeries,
    private readonly iv: IvSeries,
    private readonly budgetBytes = 256 * 1024 * 1024,
  ) {}

  tape(params: BacktestParams, strategy: TapeStrategy): MarketTape {
    const { strikeStep, rollBandFraction, stockHalfSpreadBps } = params;
    const { symbol, minDte, maxDte, riskFreeRate, dividendYield } = strategy;
    const key = JSON.stringify([strikeStep, rollBandFraction, stockHalfSpreadBps, symbol, minDte, maxDte, riskFreeRate, dividendYield]);
    const cached = this.tapes.get(key);
    this.tapes.delete(key);
    const tape = cached ?? recordMarketTape(this.series, this.iv, params, strategy);
    let bytes = tapeBytes(tape);
    for (const kept of this.tapes.values()) bytes += tapeBytes(kept);
    // Least recently used first (a used tape moves to the end).
    for (const [oldKey, old] of this.tapes) {
      if (bytes <= this.budgetBytes) break;
      this.tapes.delete(oldKey);
      bytes -= tapeBytes(old);
    }
    this.tapes.set(key, tape);
    return tape;
  }
}
