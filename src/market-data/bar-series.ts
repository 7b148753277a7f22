// Bars as parallel typed arrays: the backtest steps through hundreds of thousands of
// bars, and columns keep that loop free of per-bar objects.
import type { Bar } from "../sink/records.ts";

export interface BarSeries {
  readonly symbol: string;
  /** Bar size in seconds (60, 300, ...). */
  readonly barSeconds: number;
  readonly length: number;
  /** Bar start, epoch ms UTC. */
  readonly tsMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Growable column builder used by the readers and generators. */
export class BarSeriesBuilder {
  private capacity: number;
  private count = 0;
  private tsMs: Float64Array;
  private open: Float64Array;
  private high: Float64Array;
  private low: Float64Array;
  private close: Float64Array;
  private volume: Float64Array;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.tsMs = new Float64Array(this.capacity);
    this.open = new Float64Array(this.capacity);
    this.high = new Float64Array(this.capacity);
    this.low = new Float64Array(this.capacity);
    this.close = new Float64Array(this.capacity);
    this.volume = new Float64Array(this.capacity);
  }

  get length(): number {
    return this.count;
  }

  push(tsMs: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.tsMs[i] = tsMs;
    this.open[i] = open;
    this.high[i] = high;
    this.low[i] = low;
    this.close[i] = close;
    this.volume[i] = volume;
  }

  build(symbol: string, barSeconds: number): BarSeries {
    const n = this.count;
    return {
      symbol,
      barSeconds,
      length: n,
      tsMs: this.tsMs.slice(0, n),
      open: this.open.slice(0, n),
      high: this.high.slice(0, n),
      low: this.low.slice(0, n),
      close: this.close.slice(0, n),
      volume: this.volume.slice(0, n),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const resize = (old: Float64Array): Float64Array => {
      const next = new Float64Array(this.capacity);
      next.set(old);
      return next;
    };
    this.tsMs = resize(this.tsMs);
    this.open = resize(this.open);
    this.high = resize(this.high);
    this.low = resize(this.low);
    this.close = resize(this.close);
    this.volume = resize(this.volume);
  }
}

/** Bars [from, to) of a series as a new series (copies; the source stays untouched). */
export function sliceSeries(series: BarSeries, from: number, to: number): BarSeries {
  return {
    symbol: series.symbol,
    barSeconds: series.barSeconds,
    length: Math.max(0, to - from),
    tsMs: series.tsMs.slice(from, to),
    open: series.open.slice(from, to),
    high: series.high.slice(from, to),
    low: series.low.slice(from, to),
    close: series.close.slice(from, to),
    volume: series.volume.slice(from, to),
  };
}

/** First index with tsMs >= target (binary search; tsMs is strictly increasing). */
export function lowerBound(tsMs: Float64Array, target: number): number {
  let lo = 0;
  let hi = tsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((tsMs[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows for the sink's `bars` table. */
export function seriesToBars(series: BarSeries): Bar[] {
  const bars: Bar[] = new Array<Bar>(series.length);
  for (let i = 0; i < series.length; i++) {
    bars[i] = {
      symbol: series.symbol,
      barSeconds: series.barSeconds,
      tsMs: series.tsMs[i] as number,
      open: series.open[i] as number,
      high: series.high[i] as number,
      low: series.low[i] as number,
      close: series.close[i] as number,
      volume: series.volume[i] as number,
    };
  }
  return bars;
}

/** Columns from sink rows (assumed one symbol and bar size, ordered by tsMs). */
export function barsToSeries(symbol: string, barSeconds: number, bars: readonly Bar[]): BarSeries {
  const builder = new BarSeriesBuilder(bars.length);
  for (const bar of bars) builder.push(bar.tsMs, bar.open, bar.high, bar.low, bar.close, bar.volume);
  return builder.build(symbol, barSeconds);
}

/** sha256 of the columns: two runs on the same bars share it, any changed price changes it. */
export function fingerprintSeries(series: BarSeries): string {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(`${series.symbol}|${series.barSeconds}|${series.length}|`);
  for (const column of [series.tsMs, series.open, series.high, series.low, series.close, series.volume]) {
    hasher.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hasher.digest("hex").slice(0, 16);
}
