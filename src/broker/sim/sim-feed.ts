// Drives the simulated market through a price path at a chosen speed: market time runs
// `speed` times faster than wall time, and gaps in the path (nights, weekends) are skipped
// so a replay never sits idle. The feed's clock is the market clock of the whole sim run.
import type { SimClock } from "./sim-broker.ts";

export interface PricePoint {
  readonly tsMs: number;
  readonly price: number;
}

export interface SimFeedOptions {
  /** Path points in time order. */
  readonly path: Iterator<PricePoint>;
  /** Market seconds per wall second. */
  readonly speed: number;
  /** A path gap longer than this (market ms) is skipped instead of replayed. */
  readonly maxGapMs: number;
  /** Wall ms between two pushed prices. */
  readonly tickWallMs: number;
  readonly wallClock: { nowMs(): number; setTimer(delayMs: number, run: () => void): () => void };
  readonly onPrice: (price: number, marketTsMs: number) => void;
  /** Called once when the path runs out. */
  readonly onEnd: () => void;
}

export class SimFeed {
  private previous: PricePoint;
  private upcoming: PricePoint | null;
  /** marketMs = wallMs * speed + offsetMs; the offset grows when a gap is skipped. */
  private offsetMs: number;
  private cancelTimer: (() => void) | null = null;
  private ended = false;

  constructor(private readonly options: SimFeedOptions) {
    const first = options.path.next();
    if (first.done) throw new Error("sim price path was empty, expected at least one point");
    this.previous = first.value;
    this.upcoming = this.pull();
    this.offsetMs = first.value.tsMs - options.wallClock.nowMs() * options.speed;
  }

  /** Market time now; the clock every sim component and the daemon's core reads. */
  readonly marketClock: SimClock = {
    nowMs: () => Math.floor(this.options.wallClock.nowMs() * this.options.speed + this.offsetMs),
    setTimer: (delayMs, run) => this.options.wallClock.setTimer(delayMs, run),
  };

  /** First point of the path (market time when the run starts, and the opening price). */
  get startPoint(): PricePoint {
    return this.previous;
  }

  start(): void {
    this.tick();
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private tick(): void {
    const price = this.priceAt(this.marketClock.nowMs());
    if (price !== null) this.options.onPrice(price, this.marketClock.nowMs());
    if (this.upcoming === null && !this.ended) {
      this.ended = true;
      this.options.onEnd();
    }
    this.cancelTimer = this.options.wallClock.setTimer(this.options.tickWallMs, () => this.tick());
  }

  /** Linear interpolation between path points; advances through the path and skips gaps. */
  private priceAt(marketMs: number): number | null {
    while (this.upcoming !== null && this.upcoming.tsMs <= marketMs) {
      this.previous = this.upcoming;
      this.upcoming = this.pull();
    }
    const next = this.upcoming;
    if (next === null) return this.previous.price;
    if (next.tsMs - this.previous.tsMs > this.options.maxGapMs) {
      // Jump over the gap: the next point becomes "now" in market time.
      this.offsetMs += next.tsMs - marketMs;
      this.previous = next;
      this.upcoming = this.pull();
      return this.previous.price;
    }
    const fraction = (marketMs - this.previous.tsMs) / (next.tsMs - this.previous.tsMs);
    return this.previous.price + (next.price - this.previous.price) * Math.max(0, Math.min(1, fraction));
  }

  private pull(): PricePoint | null {
    const step = this.options.path.next();
    return step.done ? null : step.value;
  }
}

/** Bar to intra-bar path: open, the nearer extreme, the farther one, close (a common OHLC walk). */
export function* barsToPath(
  bars: Iterable<{ readonly tsMs: number; readonly barSeconds: number; readonly open: number; readonly high: number; readonly low: number; readonly close: number }>,
): Generator<PricePoint> {
  for (const bar of bars) {
    const quarterMs = (bar.barSeconds * 1000) / 4;
    const highFirst = Math.abs(bar.high - bar.open) < Math.abs(bar.open - bar.low);
    yield { tsMs: bar.tsMs, price: bar.open };
    yield { tsMs: bar.tsMs + quarterMs, price: highFirst ? bar.high : bar.low };
    yield { tsMs: bar.tsMs + 2 * quarterMs, price: highFirst ? bar.low : bar.high };
    yield { tsMs: bar.tsMs + 3 * quarterMs, price: bar.close };
  }
}
