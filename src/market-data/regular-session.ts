// Cuts bars down to the exchange's regular session and says what it removed and what is
// missing. Real files mix in pre/post-market bars, a 16:00 closing-auction print, thin
// bars after an early close and rows on holidays; hedging on those would trade on prices
// the strategy could not get.
import { BarSeriesBuilder } from "./bar-series.ts";
import type { BarSeries } from "./bar-series.ts";
import { sessionOf } from "./exchange-calendar.ts";
import type { TradingSession } from "./exchange-calendar.ts";
import { formatDay, nyDayOf } from "./ny-time.ts";

export interface SessionGap {
  readonly day: string;
  /** Start of the first missing bar, epoch ms. */
  readonly fromTsMs: number;
  readonly missingBars: number;
}

export interface SessionReport {
  readonly keptBars: number;
  readonly tradingDays: number;
  /** Bars starting before the open or after the close on a trading day (pre/post market). */
  readonly droppedExtendedHours: number;
  /** Bars starting exactly at the close (the closing-auction print). */
  readonly droppedClosingAuction: number;
  /** Bars after 13:00 on early-close days. */
  readonly droppedAfterEarlyClose: number;
  /** Bars on weekends and exchange holidays. */
  readonly droppedClosedDays: number;
  readonly closedDaysWithBars: readonly string[];
  /** Runs of missing bars inside a session (not at its end). */
  readonly gaps: readonly SessionGap[];
  readonly missingBars: number;
  /** Sessions whose bars stop before the close (e.g. a file that ends mid-day). */
  readonly partialDays: readonly string[];
  readonly earlyCloseDays: readonly string[];
  /** Trading days between the first and last kept bar that have no bar at all. */
  readonly missingDays: readonly string[];
}

function missingTradingDays(keptDays: readonly number[]): string[] {
  const missing: string[] = [];
  for (let k = 1; k < keptDays.length; k++) {
    for (let day = (keptDays[k - 1] as number) + 1; day < (keptDays[k] as number); day++) {
      if (sessionOf(day) !== null) missing.push(formatDay(day));
    }
  }
  return missing;
}

export function toRegularSession(series: BarSeries): { series: BarSeries; report: SessionReport } {
  const barMs = series.barSeconds * 1000;
  const builder = new BarSeriesBuilder(series.length);
  let extended = 0;
  let auction = 0;
  let afterEarly = 0;
  let closedBars = 0;
  const closedDays = new Set<string>();
  const gaps: SessionGap[] = [];
  const partialDays: string[] = [];
  const earlyCloseDays: string[] = [];
  let missing = 0;
  let tradingDays = 0;
  let currentDay = Number.NaN;
  let session: TradingSession | null = null;
  let expectedTsMs = 0;
  let keptToday = 0;
  const keptDays: number[] = [];

  const closeDay = (): void => {
    if (session === null || keptToday === 0) return;
    if (expectedTsMs < session.closeUtcMs) partialDays.push(formatDay(session.day));
  };

  for (let i = 0; i < series.length; i++) {
    const ts = series.tsMs[i] as number;
    const day = nyDayOf(ts);
    if (day !== currentDay) {
      closeDay();
      currentDay = day;
      session = sessionOf(day);
      keptToday = 0;
      if (session !== null) {
        expectedTsMs = session.openUtcMs;
        if (session.earlyClose) earlyCloseDays.push(formatDay(day));
      }
    }
    if (session === null) {
      closedBars++;
      closedDays.add(formatDay(day));
      continue;
    }
    if (ts < session.openUtcMs) {
      extended++;
      continue;
    }
    if (ts >= session.closeUtcMs) {
      if (session.earlyClose && ts < session.openUtcMs + 6.5 * 3_600_000) afterEarly++;
      else if (ts === session.closeUtcMs) auction++;
      else extended++;
      continue;
    }
    if (ts > expectedTsMs) {
      const missingBars = Math.round((ts - expectedTsMs) / barMs);
      gaps.push({ day: formatDay(day), fromTsMs: expectedTsMs, missingBars });
      missing += missingBars;
    }
    if (keptToday === 0) {
      tradingDays++;
      keptDays.push(day);
    }
    keptToday++;
    expectedTsMs = ts + barMs;
    builder.push(ts, series.open[i] as number, series.high[i] as number, series.low[i] as number, series.close[i] as number, series.volume[i] as number);
  }
  closeDay();
  return {
    series: builder.build(series.symbol, series.barSeconds),
    report: {
      keptBars: builder.length,
      tradingDays,
      droppedExtendedHours: extended,
      droppedClosingAuction: auction,
      droppedAfterEarlyClose: afterEarly,
      droppedClosedDays: closedBars,
      closedDaysWithBars: [...closedDays],
      gaps,
      missingBars: missing,
      partialDays,
      earlyCloseDays,
      missingDays: missingTradingDays(keptDays),
    },
  };
}
