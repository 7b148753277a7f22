// Today's option PnL, leg by leg. A leg enters the day at its first trustworthy mark (its
// baseline), so buying or selling options is never PnL: only price moves after the entry
// are. A leg (or the part of one) closed today leaves its PnL at its last mark behind.
// Keyed by contract, so a roll, or a restart after one, never measures the new legs from
// the old legs' prices.

/** A held leg's baseline: per-share prices (USD), units = contracts x multiplier. */
export class LegBaseline {
  constructor(
    readonly contractKey: string,
    public units: number,
    public priceUsd: number,
    /** The latest trustworthy mark, per share (what a close now would leave behind). */
    public markUsd: number,
  ) {}
}

/** What a restart needs of one leg (the sink's daily_state). */
export interface LegBaselineState {
  readonly contractKey: string;
  readonly units: number;
  readonly baselinePriceUsd: number;
  readonly markPriceUsd: number;
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

  /** A leg's first trustworthy mark today. */
  open(contractKey: string, units: number, priceUsd: number): LegBaseline {
    const baseline = new LegBaseline(contractKey, units, priceUsd, priceUsd);
    this.byKey.set(contractKey, baseline);
    this.valueUsd += units * priceUsd;
    return baseline;
  }

  /**
   * The leg now holds `units`: the part closed leaves its PnL at the last mark, the part
   * added enters at it (a flip does both). keepOnly() then sums valueUsd again.
   */
  resize(baseline: LegBaseline, units: number): void {
    const held = baseline.units;
    const mark = baseline.markUsd;
    if (units === held) return;
    if (units === 0 || held > 0 !== units > 0) {
      this.closedUsd += held * (mark - baseline.priceUsd);
      baseline.priceUsd = mark;
    } else if (Math.abs(units) < Math.abs(held)) {
      this.closedUsd += (held - units) * (mark - baseline.priceUsd);
    } else {
      baseline.priceUsd = (held * baseline.priceUsd + (units - held) * mark) / units;
    }
    baseline.units = units;
  }

  /** Legs no longer held close at their last marks; valueUsd is summed again over those kept. */
  keepOnly(held: ReadonlySet<string>): void {
    let value = 0;
    for (const [key, baseline] of this.byKey) {
      if (held.has(key)) {
        value += baseline.units * baseline.priceUsd;
        continue;
      }
      this.closedUsd += baseline.units * (baseline.markUsd - baseline.priceUsd);
      this.byKey.delete(key);
    }
    this.valueUsd = value;
  }

  startNewDay(): void {
    this.byKey.clear();
    this.valueUsd = 0;
    this.closedUsd = 0;
  }

  state(): LegBaselineState[] {
    return [...this.byKey.values()].map((b) => ({ contractKey: b.contractKey, units: b.units, baselinePriceUsd: b.priceUsd, markPriceUsd: b.markUsd }));
  }

  /** A saved day's legs, before the legs held now are selected (selection keeps, resizes or closes them). */
  restore(legs: readonly LegBaselineState[], closedUsd: number): void {
    this.startNewDay();
    for (const leg of legs) this.byKey.set(leg.contractKey, new LegBaseline(leg.contractKey, leg.units, leg.baselinePriceUsd, leg.markPriceUsd));
    this.closedUsd = closedUsd;
  }
}
