// What a replay leaves behind for the report: per-bar series (typed arrays), per-day
// rows with cumulative attribution, every hedge and every roll.
import type { OptionContract } from "../core/instrument.ts";
import type { PnlLedger, PnlTotals } from "./pnl-ledger.ts";
import type { RollReason, Straddle } from "./straddle-schedule.ts";

export interface DayRecord {
  readonly day: string;
  /** Equity at the day's last bar (after the final close-out on the last day). */
  readonly endEquityUsd: number;
  /** Cumulative attribution at the day's end. */
  readonly cumulative: PnlTotals;
  readonly hedges: number;
  readonly sharesTraded: number;
  readonly bars: number;
  /** Sum of squared bar returns of the day (the first one includes the overnight move). */
  readonly squaredReturns: number;
  readonly meanImpliedVol: number;
}

export interface HedgeRecord {
  readonly tsMs: number;
  readonly side: "BUY" | "SELL";
  readonly shares: number;
  readonly price: number;
  readonly deltaBeforeShares: number;
}

export interface RollRecord {
  readonly tsMs: number;
  readonly reason: RollReason | "open";
  readonly spot: number;
  readonly from: string | null;
  readonly to: string;
}

export interface BarSeriesRecord {
  readonly tsMs: Float64Array;
  readonly equityUsd: Float64Array;
  /** Portfolio delta before the decision, shares; NaN when unknown. */
  readonly deltaShares: Float64Array;
  readonly hedgeShares: Float64Array;
}

export interface RunRecord {
  readonly bars: BarSeriesRecord;
  readonly days: readonly DayRecord[];
  readonly hedges: readonly HedgeRecord[];
  readonly rolls: readonly RollRecord[];
  readonly totals: PnlTotals;
  readonly sharesTraded: number;
}

function describeLeg(contract: OptionContract): string {
  return `${contract.symbol} ${contract.expiryYmd} ${contract.strike}`;
}

export class RunRecorder {
  // Columns as direct fields: the per-bar store is the hottest thing the recorder does.
  private readonly tsMs: Float64Array;
  private readonly equityUsd: Float64Array;
  private readonly deltaShares: Float64Array;
  private readonly hedgeShares: Float64Array;
  private readonly days: DayRecord[] = [];
  private readonly hedges: HedgeRecord[] = [];
  private readonly rolls: RollRecord[] = [];
  private day = "";
  private dayHedges = 0;
  private dayBars = 0;
  private daySquares = 0;
  private dayVolSum = 0;
  private daySharesStart = 0;
  private lastSpot = 0;
  private lastEquity = 0;
  private lastTotals: PnlTotals | null = null;

  constructor(length: number) {
    this.tsMs = new Float64Array(length);
    this.equityUsd = new Float64Array(length);
    this.deltaShares = new Float64Array(length);
    this.hedgeShares = new Float64Array(length);
  }

  startDay(day: string): void {
    this.day = day;
    this.dayHedges = 0;
    this.dayBars = 0;
    this.daySquares = 0;
    this.dayVolSum = 0;
  }

  /** One bar; deltaShares is NaN when the decision carried no delta. */
  bar(index: number, tsMs: number, spot: number, equityUsd: number, deltaShares: number, hedgeShares: number, vol: number): void {
    this.tsMs[index] = tsMs;
    this.equityUsd[index] = equityUsd;
    this.deltaShares[index] = deltaShares;
    this.hedgeShares[index] = hedgeShares;
    const last = this.lastSpot;
    if (last > 0) {
      // Simple returns: over one bar they equal log returns to well below estimation noise.
      const r = (spot - last) / last;
      this.daySquares += r * r;
    }
    this.lastSpot = spot;
    this.lastEquity = equityUsd;
    this.dayBars++;
    this.dayVolSum += vol;
  }

  hedge(tsMs: number, side: "BUY" | "SELL", shares: number, price: number, deltaBeforeShares: number): void {
    this.hedges.push({ tsMs, side, shares, price, deltaBeforeShares });
    this.dayHedges++;
  }

  roll(tsMs: number, reason: RollReason | "open", previous: Straddle | null, next: Straddle, spot: number): void {
    this.rolls.push({ tsMs, reason, spot, from: previous === null ? null : describeLeg(previous.call), to: describeLeg(next.call) });
  }

  /** Final liquidation: the last day's equity becomes what the close-out realised. */
  closeOut(_tsMs: number, equityUsd: number): void {
    this.lastEquity = equityUsd;
  }

  endDay(ledger: PnlLedger): void {
    if (this.day === "") return;
    const totals = ledger.totals(0, 0);
    const cumulative: PnlTotals = { ...totals, totalUsd: this.lastEquity };
    this.days.push({
      day: this.day,
      endEquityUsd: this.lastEquity,
      cumulative,
      hedges: this.dayHedges,
      sharesTraded: ledger.sharesTraded - this.daySharesStart,
      bars: this.dayBars,
      squaredReturns: this.daySquares,
      meanImpliedVol: this.dayBars === 0 ? 0 : this.dayVolSum / this.dayBars,
    });
    this.daySharesStart = ledger.sharesTraded;
    this.lastTotals = cumulative;
    this.day = "";
  }

  result(ledger: PnlLedger): RunRecord {
    return {
      bars: { tsMs: this.tsMs, equityUsd: this.equityUsd, deltaShares: this.deltaShares, hedgeShares: this.hedgeShares },
      days: this.days,
      hedges: this.hedges,
      rolls: this.rolls,
      totals: this.lastTotals ?? { ...ledger.totals(0, 0), totalUsd: this.lastEquity },
      sharesTraded: ledger.sharesTraded,
    };
  }
}
