// Today's strategy PnL, split the way a gamma scalper reads it:
//   scalping = hedge realised today + (hedge unrealised now - at the day's first mark)
//   option MTM = option value now - option value at the day's first mark
//   total = scalping + option MTM - commissions today   (what the circuit breaker judges)
// Baselines are taken at the first evaluation of the day with a spot and legs, or restored.
import type { HedgeBook } from "./hedge-book.ts";

export class DayPnl {
  optionOpenValueUsd: number | null = null;
  hedgeOpenUnrealizedUsd: number | null = null;

  setBaselines(optionValueUsd: number, hedgeUnrealizedUsd: number): void {
    this.optionOpenValueUsd = optionValueUsd;
    this.hedgeOpenUnrealizedUsd = hedgeUnrealizedUsd;
  }

  /** Options bought or sold intraday enter at their mark, so their premium is not PnL. */
  shiftOptionBaseline(deltaValueUsd: number): void {
    if (this.optionOpenValueUsd !== null) this.optionOpenValueUsd += deltaValueUsd;
  }

  startNewDay(): void {
    this.optionOpenValueUsd = null;
    this.hedgeOpenUnrealizedUsd = null;
  }

  scalpingUsd(book: HedgeBook, spot: number): number | null {
    if (this.hedgeOpenUnrealizedUsd === null) return null;
    return book.realizedPnlTodayUsd + book.unrealizedPnlUsd(spot) - this.hedgeOpenUnrealizedUsd;
  }

  optionMtmUsd(optionValueUsd: number | null): number | null {
    return optionValueUsd === null || this.optionOpenValueUsd === null ? null : optionValueUsd - this.optionOpenValueUsd;
  }

  /** null until the day's baselines exist. */
  total(book: HedgeBook, spot: number, optionValueUsd: number | null): number | null {
    const scalping = this.scalpingUsd(book, spot);
    const option = this.optionMtmUsd(optionValueUsd);
    if (scalping === null || option === null) return null;
    return scalping + option - book.commissionsTodayUsd;
  }
}
