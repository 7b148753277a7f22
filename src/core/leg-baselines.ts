// Today's option PnL, leg by leg. A leg enters the day at its first mark (its baseline), so
// buying or selling options is never PnL: only price moves after the entry are. A leg (or
// the part of one) closed today leaves its PnL at its last mark behind. Keyed by contract,
// so a roll, or a restart after one, never measures the new legs from the old legs' prices.
// A mark is the market's (a fresh broker price, or the model at the leg's implied vol) or a
// guess (the model at the fallback vol, before anything of the market is known). Switching
// between the two is a change of valuation, not a price move: the baseline moves with it.

/** A held leg's baseline: per-share prices (USD), units = contracts x multiplier. */
export class LegBaseline {
  constructor(
    readonly contractKey: string,
    public units: number,
    public priceUsd: number,
    /** The latest mark, per share (what a close now would leave behind). */
    public markUsd: number,
    /** The latest mark was the model at the fallback vol. */
    public markOnFallback: boolean,
    /** Restored from a saved day and not marked since: units and mark are the saved ones. */
    public restored: boolean,
  ) {}
}

/** What a restart needs of one leg (the sink's daily_state). */
export interface LegBaselineState {
  readonly contractKey: string;
  readonly units: number;
  readonly baselinePriceUsd: number;
  readonly markPriceUsd: number;
  /** Absent on rows written before it was kept: a market mark. */
  readonly markOnFallback?: boolean;
}

export class LegBaselines {
  private readonly byKey = new Map<string, LegBaseline>();
  /** Σ units x baseline price over the held legs: option PnL in O(1) from their value. */
  valueUsd = 0;
  /** PnL of the legs and parts of legs closed today, at their last marks. */
  closedUsd = 0;

  get(contractKey: string): LegBaseline | null {
    return this.byKey.get(contractKey) ?? null;
  }

  /** A leg's first mark today. */
  open(contractKey: string, units: number, priceUsd: number, onFallback: boolean): LegBaseline {
    const baseline = new LegBaseline(contractKey, units, priceUsd, priceUsd, onFallback, false);
    this.byKey.set(contractKey, baseline);
    this.valueUsd += units * priceUsd;
    return baseline;
  }

  /** The leg now holds `units`: the part closed leaves its PnL at the last mark, the part added enters at it (a flip does both). */
  resize(baseline: LegBaseline, units: number): void {
    const held = baseline.units;
    const mark = baseline.markUsd;
    if (units === held) return;
    const valueBefore = held * baseline.priceUsd;
    if (units === 0 || held > 0 !== units > 0) {
      this.closedUsd += held * (mark - baseline.priceUsd);
      baseline.priceUsd = mark;
    } else if (Math.abs(units) < Math.abs(held)) {
      this.closedUsd += (held - units) * (mark - baseline.priceUsd);
    } else {
      baseline.priceUsd = (held * baseline.priceUsd + (units - held) * mark) / units;
    }
    baseline.units = units;
    this.valueUsd += units * baseline.priceUsd - valueBefore;
  }

  /** The leg's valuation changed by shiftUsd a share without its price moving: its PnL goes on from where it was. */
  rebase(baseline: LegBaseline, shiftUsd: number): void {
    baseline.priceUsd += shiftUsd;
    this.valueUsd += baseline.units * shiftUsd;
  }

  /** Legs no longer held close at their last marks. */
  keepOnly(held: ReadonlySet<string>): void {
    for (const [key, baseline] of this.byKey) {
      if (held.has(key)) continue;
      this.closedUsd += baseline.units * (baseline.markUsd - baseline.priceUsd);
      this.valueUsd -= baseline.units * baseline.priceUsd;
      this.byKey.delete(key);
    }
  }

  startNewDay(): void {
    this.byKey.clear();
    this.valueUsd = 0;
    this.closedUsd = 0;
  }

  state(): LegBaselineState[] {
    return [...this.byKey.values()].map((b) => ({ contractKey: b.contractKey, units: b.units, baselinePriceUsd: b.priceUsd, markPriceUsd: b.markUsd, markOnFallback: b.markOnFallback }));
  }

  /** A saved day's legs, before the legs held now are selected (their first marks take them up; keepOnly closes the others). */
  restore(legs: readonly LegBaselineState[], closedUsd: number): void {
    this.startNewDay();
    for (const leg of legs) {
      this.byKey.set(leg.contractKey, new LegBaseline(leg.contractKey, leg.units, leg.baselinePriceUsd, leg.markPriceUsd, leg.markOnFallback ?? false, true));
      this.valueUsd += leg.units * leg.baselinePriceUsd;
    }
    this.closedUsd = closedUsd;
  }
}
