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
  private daySharesStart = 0;
  // Raw cells, one-element Float64Arrays: bar() updates them on every bar, and a double kept in
  // an object property is boxed on every store in optimised code (see pnl-ledger.ts).
  private readonly dayBars = new Float64Array(1);
  private readonly daySquares = new Float64Array(1);
  private readonly dayVolSum = new Float64Array(1);
  private readonly lastSpot = new Float64Array(1);
  private readonly lastEquity = new Float64Array(1);
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
    this.dayBars[0] = 0;
    this.daySquares[0] = 0;
    this.dayVolSum[0] = 0;
  }

  /** One bar; deltaShares is NaN when the decision carried no delta. */
  bar(index: number, tsMs: number, spot: number, equityUsd: number, deltaShares: number, hedgeShares: number, vol: number): void {
    this.tsMs[index] = tsMs;
    this.equityUsd[index] = equityUsd;
    this.deltaShares[index] = deltaShares;
    this.hedgeShares[index] = hedgeShares;
    this.addToDay(spot, equityUsd, vol);
  }

  /** The bar's share of the day's numbers: apart from bar() so that each is small enough for the JIT to inline into the replay's loop. */
  private addToDay(spot: number, equityUsd: number, vol: number): void {
    const lastSpot = this.lastSpot;
    const last = lastSpot[0] as number;
    if (last > 0) {
      // Simple returns: over one bar they equal log returns to well below estimation noise.
      const r = (spot - last) / last;
      const squares = this.daySquares;
      squares[0] = (squares[0] as number) + r * r;
    }
    lastSpot[0] = spot;
    this.lastEquity[0] = equityUsd;
    const bars = this.dayBars;
    bars[0] = (bars[0] as number) + 1;
    const volSum = this.dayVolSum;
    volSum[0] = (volSum[0] as number) + vol;
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
    this.lastEquity[0] = equityUsd;
  }

  endDay(ledger: PnlLedger): void {
    if (this.day === "") return;
    const lastEquity = this.lastEquity[0] as number;
    const dayBars = this.dayBars[0] as number;
    const totals = ledger.totals(0, 0);
    const cumulative: PnlTotals = { ...totals, totalUsd: lastEquity };
    this.days.push({
      day: this.day,
      endEquityUsd: lastEquity,
      cumulative,
      hedges: this.dayHedges,
      sharesTraded: ledger.sharesTraded - this.daySharesStart,
      bars: dayBars,
      squaredReturns: this.daySquares[0] as number,
      meanImpliedVol: dayBars === 0 ? 0 : (this.dayVolSum[0] as number) / dayBars,
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
      totals: this.lastTotals ?? { ...ledger.totals(0, 0), totalUsd: this.lastEquity[0] as number },
      sharesTraded: ledger.sharesTraded,
    };
  }
}
