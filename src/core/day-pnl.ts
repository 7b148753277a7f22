// Today's strategy PnL, split the way a gamma scalper reads it, all marked to market (what
// the circuit breaker judges; independent of the broker's average cost, which blends in
// shares outside the strategy and commissions):
//   scalping = hedge shares x spot + today's hedge cash - hedge shares x spot at the day's first mark
//   option MTM = Σ held legs units x (mark - baseline) + legs closed today (leg-baselines.ts)
//   total = scalping + option MTM - commissions today
// Today's hedge cash is what own fills paid (-shares x price); shares that change outside
// them (an adopted manual trade, an accepted position, a restart finding other shares than
// were saved) enter at the mark, as cash -Δshares x spot: no PnL.
import type { LegBaselineState } from "./leg-baselines.ts";

/** What a restart needs to go on with today's PnL (null fields: the day has no mark yet). */
export interface DayPnlMarks {
  readonly hedgeOpenValueUsd: number | null;
  readonly hedgeCashUsd: number;
  /** The hedge shares the open value and cash account for. */
  readonly hedgeShares: number;
  readonly optionClosedPnlUsd: number;
  readonly legBaselines: readonly LegBaselineState[];
}

export class DayPnl {
  /** Hedge shares x spot at the day's first mark; null before it. */
  hedgeOpenValueUsd: number | null = null;
  hedgeCashUsd = 0;
  /** The shares hedgeOpenValueUsd and hedgeCashUsd account for. */
  hedgeShares = 0;
  /** Option MTM at the last mark (status). */
  optionMtmUsd = 0;

  /** The day's first mark of the hedge. */
  openHedge(shares: number, spot: number): void {
    this.hedgeOpenValueUsd = shares * spot;
    this.hedgeCashUsd = 0;
    this.hedgeShares = shares;
  }

  /** An own fill: signedShares > 0 bought, at priceUsd. Before the day's first mark the open value takes it in. */
  onOwnFill(signedShares: number, priceUsd: number): void {
    if (this.hedgeOpenValueUsd === null) return;
    this.hedgeCashUsd -= signedShares * priceUsd;
    this.hedgeShares += signedShares;
  }

  /** The hedge holds `shares` by a change outside own fills: they enter at the mark, with no PnL. */
  enterAtMark(shares: number, spot: number): void {
    this.hedgeCashUsd -= (shares - this.hedgeShares) * spot;
    this.hedgeShares = shares;
  }

  /** Null before the day's first mark. Shares not entered yet count as entered now (no PnL). */
  scalpingUsd(spot: number): number | null {
    const open = this.hedgeOpenValueUsd;
    return open === null ? null : this.hedgeShares * spot + this.hedgeCashUsd - open;
  }

  /** Null before the day's first mark. */
  total(spot: number, optionMtmUsd: number, commissionsUsd: number): number | null {
    const scalping = this.scalpingUsd(spot);
    return scalping === null ? null : scalping + optionMtmUsd - commissionsUsd;
  }

  startNewDay(): void {
    this.hedgeOpenValueUsd = null;
    this.hedgeCashUsd = 0;
    this.hedgeShares = 0;
    this.optionMtmUsd = 0;
  }
}

/**
 * Saved marks read back from the database (JSON text or a JSONB value): null when absent or
 * not of the shape dailyStateOf writes (a foreign or damaged row), so a restart then starts
 * today's PnL at its first marks instead of failing to start.
 */
export function dayPnlMarksFrom(value: unknown): DayPnlMarks | null {
  let marks: unknown = value;
  if (typeof value === "string") {
    try {
      marks = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof marks !== "object" || marks === null) return null;
  const m = marks as Record<string, unknown>;
  const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
  if (!(m.hedgeOpenValueUsd === null || finite(m.hedgeOpenValueUsd)) || !finite(m.hedgeCashUsd) || !finite(m.hedgeShares) || !finite(m.optionClosedPnlUsd)) return null;
  if (!Array.isArray(m.legBaselines)) return null;
  const legBaselines: LegBaselineState[] = [];
  for (const leg of m.legBaselines as unknown[]) {
    const l = leg as Record<string, unknown> | null;
    if (l === null || typeof l !== "object" || typeof l.contractKey !== "string" || !finite(l.units) || !finite(l.baselinePriceUsd) || !finite(l.markPriceUsd)) return null;
    legBaselines.push({ contractKey: l.contractKey, units: l.units, baselinePriceUsd: l.baselinePriceUsd, markPriceUsd: l.markPriceUsd, markOnFallback: l.markOnFallback === true });
  }
  return { hedgeOpenValueUsd: m.hedgeOpenValueUsd as number | null, hedgeCashUsd: m.hedgeCashUsd, hedgeShares: m.hedgeShares, optionClosedPnlUsd: m.optionClosedPnlUsd, legBaselines };
}
