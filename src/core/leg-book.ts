// The selected legs at run time: their greeks (broker when fresh, else the model), summed into
// option delta and gamma in shares on every evaluation without allocating, plus the slower
// per-leg view for status.
import { BsTerms, computeGreeks, computeTerms, GreeksScratch, termsDelta, termsGamma, termsPrice } from "./greeks.ts";
import type { OptionGreeksInput } from "./hedger-inputs.ts";
import { impliedVol } from "./implied-vol.ts";
import { type LegBaseline, LegBaselines, type LegBaselineState } from "./leg-baselines.ts";
import { brokerDeltaAt, LegRuntime } from "./leg-runtime.ts";
import type { StrategyParams } from "./hedger-params.ts";
import type { LegSnapshot } from "./hedger-snapshot.ts";
import { contractKey, type Position } from "./instrument.ts";
import { legRejection, selectLegs } from "./legs.ts";

/** Time to expiry in years = calendar milliseconds / (365 days): ACT/365 to the expiry close. */
export const YEAR_MS = 365 * 86_400_000;

export interface PortfolioGreeks {
  readonly legs: readonly LegSnapshot[];
  readonly thetaUsdPerDay: number;
  /** USD per vol point. */
  readonly vegaUsd: number;
  /** Exposure-weighted implied vol of the legs whose IV is known (null when none is). */
  readonly impliedVol: number | null;
}

export class LegBook {
  private runtimes: LegRuntime[] = [];
  private optionPositions: Position[] = [];
  /**
   * optionPositions.length, kept apart: an empty array (the field's first value, or filter's
   * result when no option matches) has another shape than a filled one, and reading it
   * deoptimised the fast path on every new Hedger (each run of a sweep).
   */
  private optionCount = 0;
  /** Option positions that are not flat: legs can only be selected among them. */
  private heldOptionCount = 0;
  private signature = "";
  /** Latest greeks of options that are not legs (yet): a leg selected later starts with them. */
  private readonly greeksByKey = new Map<string, OptionGreeksInput>();
  private runtimeByKey = new Map<string, LegRuntime>();
  private readonly scratch = new GreeksScratch();
  private readonly terms = new BsTerms();
  /** Inputs this.terms were computed for (NaN: none). */
  private termsSpot = Number.NaN;
  private termsNowMs = Number.NaN;
  private termsExpiryMs = Number.NaN;
  private termsStrike = Number.NaN;
  private termsVol = Number.NaN;
  /** Positions changed since the last selection (selection waits for a spot). */
  dirty = false;
  /** Outputs of computeDeltaGamma. */
  optionDeltaShares = 0;
  gammaShares = 0;
  /** Legs computeDeltaGamma priced by the model although greeks_source is broker (no fresh broker greeks). */
  modelLegCount = 0;
  /** The last computeDeltaGamma since the last selection priced every leg from fresh broker greeks. */
  allOnBrokerGreeks = false;
  /** Legs the last markLegs found without a baseline (no mark taken yet today). */
  unmarkedCount = 0;
  /**
   * A leg may take a mark from the model at the fallback vol (a guess): always with
   * greeks_source model, with broker once the grace for the broker's greeks is over. The
   * Hedger sets it; a switch to the market's mark later moves the baseline, not the PnL.
   */
  acceptFallbackMarks: boolean;
  /** Set by legMark: the mark it returned was the model at the fallback vol. */
  private markOnFallback = false;
  /**
   * Since when restored legs have waited for a market mark (null: none waits). Their move while
   * gs was down counts only against the market's mark; a guess is taken, losing that move, once
   * the broker's greeks have had broker_greeks_grace_s to arrive, whatever greeks_source says.
   */
  private restoredWaitSinceMs: number | null = null;
  /** Today's per-leg option baselines. */
  readonly baselines = new LegBaselines();

  /** Hot-path copies of two params. */
  private readonly useBrokerGreeks: boolean;
  private readonly brokerMaxAgeMs: number;

  constructor(private readonly params: StrategyParams) {
    this.useBrokerGreeks = params.greeksSource === "broker";
    this.brokerMaxAgeMs = params.brokerGreeksMaxAgeMs;
    this.acceptFallbackMarks = !this.useBrokerGreeks;
  }

  get count(): number {
    return this.runtimes.length;
  }

  /**
   * Selection must run before the legs are used: the positions changed, or options are held
   * but none is a leg (one may qualify now: a new day, another spot).
   */
  get needsSelection(): boolean {
    return this.dirty || (this.runtimes.length === 0 && this.heldOptionCount !== 0);
  }

  /** The earliest expiry close of the legs (+Infinity without legs). */
  get firstExpiryMs(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const r of this.runtimes) if (r.expiryMs < first) first = r.expiryMs;
    return first;
  }

  /** Keeps the symbol's option positions; marks the selection dirty when they changed. */
  setPositions(positions: readonly Position[]): void {
    if (this.sameOptionPositions(positions)) return;
    const options = positions.filter((p) => p.contract.secType === "OPT" && p.contract.symbol === this.params.symbol);
    const signature = options
      .map((p) => `${contractKey(p.contract)}=${p.quantity}`)
      .sort()
      .join(",");
    this.optionPositions = options;
    this.optionCount = options.length;
    this.heldOptionCount = options.filter((p) => p.quantity !== 0).length;
    if (signature === this.signature) return;
    this.signature = signature;
    this.dirty = true;
  }

  /** Fast path: the very same option Position objects in the same order (a caller keeping its own map). */
  private sameOptionPositions(positions: readonly Position[]): boolean {
    const count = this.optionCount;
    // With none known the answer is no (an empty signature never counts), and the loop never
    // reads the empty array.
    if (count === 0) return false;
    const known = this.optionPositions;
    let n = 0;
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i]!;
      if (p.contract.secType !== "OPT" || p.contract.symbol !== this.params.symbol) continue;
      if (n === count || known[n] !== p) return false;
      n++;
    }
    return n === count && this.signature !== "";
  }

  /**
   * Selects the legs among the option positions. The legs held until now are marked first:
   * a leg closed or resized leaves its PnL at that mark, contracts added enter at it (a
   * restored leg's resize waits for its first mark since the restart, in markLegs).
   */
  reselect(spot: number, nowMs: number): void {
    this.markLegs(spot, nowMs);
    const selected = selectLegs(
      this.runtimes.map((r) => r.leg),
      this.optionPositions,
      spot,
      nowMs,
      this.params,
    );
    // Sorted by expiry and strike so a straddle's two legs are neighbours and share one set of BS terms.
    this.runtimes = selected
      .sort((a, b) => a.expiryMs - b.expiryMs || a.contract.strike - b.contract.strike)
      .map((leg) => {
        const r = new LegRuntime(leg, this.params.fallbackVol);
        const greeks = this.runtimeByKey.get(leg.contractKey)?.broker ?? this.greeksByKey.get(leg.contractKey) ?? null;
        if (greeks !== null) this.applyGreeks(r, greeks);
        const baseline = this.baselines.get(leg.contractKey);
        if (baseline !== null && !baseline.restored) this.baselines.resize(baseline, r.units);
        r.baseline = baseline;
        return r;
      });
    this.runtimeByKey = new Map(this.runtimes.map((r) => [r.leg.contractKey, r]));
    this.baselines.keepOnly(new Set(this.runtimeByKey.keys()));
    this.dirty = false;
    this.allOnBrokerGreeks = false;
    // Legs bought now enter at this mark when there is one (their market data came first, as
    // a replay's roll sends it), not at the next quote's: what a trade's own PnL accounts for.
    this.markLegs(spot, nowMs);
  }

  /** Called per option per bar in a backtest: one map lookup for a leg. */
  onGreeks(contractKey: string, greeks: OptionGreeksInput): void {
    const r = this.runtimeOf(contractKey);
    if (r === undefined) this.greeksByKey.set(contractKey, { ...greeks });
    else this.applyGreeks(r, greeks);
  }

  private applyGreeks(r: LegRuntime, greeks: OptionGreeksInput): void {
    const fromPrice = greeks.impliedVol === null || !(greeks.impliedVol > 0) ? this.volFromPrice(r, greeks) : null;
    r.setBroker(greeks, this.params.fallbackVol, fromPrice);
  }

  /** A straddle has two legs: a scan beats hashing the key; the map serves bigger books. */
  private runtimeOf(contractKey: string): LegRuntime | undefined {
    const runtimes = this.runtimes;
    if (runtimes.length > 4) return this.runtimeByKey.get(contractKey);
    for (let i = 0; i < runtimes.length; i++) if (runtimes[i]!.leg.contractKey === contractKey) return runtimes[i];
    return undefined;
  }

  /** A broker that sends a price but no IV (e.g. IB outside its model hours) still gives the model a vol. */
  private volFromPrice(r: LegRuntime, g: OptionGreeksInput): number | null {
    const price = g.optionPrice;
    const spot = g.underlyingPrice;
    if (price === null || !(price > 0) || spot == null || !(spot > 0)) return null;
    const p = this.params;
    const result = impliedVol({
      right: r.right,
      price,
      spot,
      strike: r.strike,
      years: (r.expiryMs - g.tsEventMs) / YEAR_MS,
      rate: p.riskFreeRate,
      dividendYield: p.dividendYield,
    });
    return result.type === "ok" ? result.vol : null;
  }

  /**
   * Sums delta and gamma (shares) into optionDeltaShares / gammaShares. Hot path: no
   * allocation. Returns false when a leg is past its expiry close (its delta means nothing).
   */
  computeDeltaGamma(spot: number, nowMs: number): boolean {
    let delta = 0;
    let gamma = 0;
    let alive = true;
    let modelLegs = 0;
    let brokerLegs = 0;
    for (let i = 0; i < this.runtimes.length; i++) {
      const r = this.runtimes[i]!;
      if (nowMs >= r.expiryMs) alive = false;
      const b = r.broker === null ? null : this.freshBroker(r, nowMs);
      if (b !== null) {
        delta += r.units * brokerDeltaAt(b, spot);
        gamma += r.units * b.gamma!;
        brokerLegs++;
        continue;
      }
      if (this.useBrokerGreeks) modelLegs++;
      this.modelTerms(r, spot, nowMs);
      const t = this.terms;
      if (t.valid) {
        delta += r.units * termsDelta(r.right, t);
        gamma += r.units * termsGamma(t);
      } else {
        const g = this.fullModel(r, spot, nowMs);
        delta += r.units * g.delta;
        gamma += r.units * g.gamma;
      }
    }
    this.optionDeltaShares = delta;
    this.gammaShares = gamma;
    this.modelLegCount = modelLegs;
    this.allOnBrokerGreeks = brokerLegs === this.runtimes.length;
    return alive;
  }

  /**
   * Marks the legs at spot: each takes its latest mark and, at the first one today, its
   * baseline there (a guess only when acceptFallbackMarks). Returns Σ units x latest mark over
   * the legs with a baseline (a leg not marked yet today counts nothing; compare
   * baselines.valueUsd). No allocation but a leg's first baseline of the day.
   */
  markLegs(spot: number, nowMs: number): number {
    let value = 0;
    let unmarked = 0;
    for (let i = 0; i < this.runtimes.length; i++) {
      const r = this.runtimes[i]!;
      const mark = this.legMark(r, spot, nowMs);
      const onFallback = this.markOnFallback;
      let b = r.baseline;
      if (!onFallback || (b !== null && b.restored ? this.restoredMayTakeGuess(nowMs) : this.acceptFallbackMarks)) {
        if (b === null) r.baseline = b = this.baselines.open(r.leg.contractKey, r.units, mark, onFallback);
        else this.takeMark(r, b, mark, onFallback, spot, nowMs);
      }
      if (b === null) unmarked++;
      else value += b.units * b.markUsd;
    }
    this.unmarkedCount = unmarked;
    return value;
  }

  private restoredMayTakeGuess(nowMs: number): boolean {
    this.restoredWaitSinceMs ??= nowMs;
    return nowMs - this.restoredWaitSinceMs >= this.params.brokerGreeksGraceMs;
  }

  /** A leg's new mark: a switch between a guess and the market's mark moves the baseline with it. */
  private takeMark(r: LegRuntime, b: LegBaseline, mark: number, onFallback: boolean, spot: number, nowMs: number): void {
    const baselines = this.baselines;
    if (b.restored) {
      // The first mark since a restart: the move while gs was down counts when both marks are
      // the market's; against a guess on either side it is unknown, so it counts nothing.
      if (onFallback || b.markOnFallback) baselines.rebase(b, mark - b.markUsd);
      b.restored = false;
      b.markUsd = mark;
      b.markOnFallback = onFallback;
      // Contracts bought or sold while gs was down enter or leave at this mark.
      baselines.resize(b, r.units);
      return;
    }
    if (b.markOnFallback && !onFallback) baselines.rebase(b, mark - this.modelPrice(r, spot, nowMs, this.params.fallbackVol));
    else if (!b.markOnFallback && onFallback) baselines.rebase(b, mark - b.markUsd);
    b.markUsd = mark;
    b.markOnFallback = onFallback;
  }

  /** Drops today's baselines (the legs take new ones at their first marks of the new day). */
  startNewDay(): void {
    this.baselines.startNewDay();
    for (const r of this.runtimes) r.baseline = null;
  }

  /** A saved day's baselines: the next selection (whatever is held now) takes them up. */
  restoreBaselines(legs: readonly LegBaselineState[], closedUsd: number): void {
    this.baselines.restore(legs, closedUsd);
    this.restoredWaitSinceMs = null;
    for (const r of this.runtimes) r.baseline = this.baselines.get(r.leg.contractKey);
    this.dirty = true;
  }

  /**
   * A fresh broker price; else the model's price at the leg's vol (its implied vol when known,
   * else the fallback vol: then markOnFallback).
   */
  private legMark(r: LegRuntime, spot: number, nowMs: number): number {
    const brokerPrice = this.freshBrokerPrice(r, nowMs);
    this.markOnFallback = brokerPrice === null && r.impliedVol === null;
    if (brokerPrice !== null) return brokerPrice;
    this.modelTerms(r, spot, nowMs);
    return this.terms.valid ? termsPrice(r.right, this.terms) : this.fullModel(r, spot, nowMs).price;
  }

  /** The model's price of the leg at another vol than its own (no cached terms). */
  private modelPrice(r: LegRuntime, spot: number, nowMs: number, vol: number): number {
    const p = this.params;
    computeGreeks(r.right, spot, r.strike, (r.expiryMs - nowMs) / YEAR_MS, p.riskFreeRate, p.dividendYield, vol, this.scratch);
    return this.scratch.price;
  }

  /**
   * Fills this.terms for the leg unless they already hold its strike, expiry and vol at this
   * spot and time (the straddle's other leg, or the delta pass before a valuation pass).
   */
  private modelTerms(r: LegRuntime, spot: number, nowMs: number): void {
    if (this.termsSpot === spot && this.termsNowMs === nowMs && this.termsExpiryMs === r.expiryMs && this.termsStrike === r.strike && this.termsVol === r.vol) {
      return;
    }
    const p = this.params;
    computeTerms(spot, r.strike, (r.expiryMs - nowMs) / YEAR_MS, p.riskFreeRate, p.dividendYield, r.vol, this.terms);
    this.termsSpot = spot;
    this.termsNowMs = nowMs;
    this.termsExpiryMs = r.expiryMs;
    this.termsStrike = r.strike;
    this.termsVol = r.vol;
  }

  private fullModel(r: LegRuntime, spot: number, nowMs: number): GreeksScratch {
    const p = this.params;
    computeGreeks(r.right, spot, r.strike, (r.expiryMs - nowMs) / YEAR_MS, p.riskFreeRate, p.dividendYield, r.vol, this.scratch);
    return this.scratch;
  }

  /** Per-leg view and aggregates for status. */
  portfolio(spot: number, nowMs: number): PortfolioGreeks {
    const p = this.params;
    let theta = 0;
    let vega = 0;
    let volWeighted = 0;
    let weight = 0;
    const legs = this.runtimes.map((r): LegSnapshot => {
      const c = r.leg.contract;
      const g = this.fullModel(r, spot, nowMs);
      const b = this.freshBroker(r, nowMs);
      const leg: LegSnapshot = {
        contractKey: r.leg.contractKey,
        right: c.right,
        strike: c.strike,
        expiryYmd: c.expiryYmd,
        quantity: r.leg.quantity,
        multiplier: c.multiplier,
        impliedVol: r.impliedVol,
        delta: b !== null ? brokerDeltaAt(b, spot) : g.delta,
        gamma: b !== null ? b.gamma : g.gamma,
        theta: b?.theta ?? g.theta / 365,
        vega: b?.vega ?? g.vega / 100,
        price: this.freshBrokerPrice(r, nowMs) ?? g.price,
        greeksSource: b !== null ? "broker" : "model",
        outsideSelection: legRejection(c, r.leg.quantity, spot, nowMs, p) !== null,
      };
      theta += r.units * (leg.theta ?? 0);
      vega += r.units * (leg.vega ?? 0);
      const iv = r.impliedVol;
      if (iv !== null) {
        volWeighted += Math.abs(r.units) * iv;
        weight += Math.abs(r.units);
      }
      return leg;
    });
    return { legs, thetaUsdPerDay: theta, vegaUsd: vega, impliedVol: weight > 0 ? volWeighted / weight : null };
  }

  private freshBroker(r: LegRuntime, nowMs: number): OptionGreeksInput | null {
    const b = r.broker;
    if (b === null || !this.useBrokerGreeks || b.delta === null || b.gamma === null) return null;
    return nowMs - b.tsEventMs <= this.brokerMaxAgeMs ? b : null;
  }

  private freshBrokerPrice(r: LegRuntime, nowMs: number): number | null {
    const b = r.broker;
    if (b === null || b.optionPrice === null || !(b.optionPrice >= 0)) return null;
    return nowMs - b.tsEventMs <= this.brokerMaxAgeMs ? b.optionPrice : null;
  }
}
