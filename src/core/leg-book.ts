// The selected legs at run time: their greeks (broker when fresh, else the model), summed into
// option delta and gamma in shares on every evaluation without allocating, plus the slower
// per-leg view for status.
import { computeDeltaGamma, computeGreeks, GreeksScratch } from "./greeks.ts";
import type { OptionGreeksInput } from "./hedger-inputs.ts";
import type { StrategyParams } from "./hedger-params.ts";
import type { LegSnapshot } from "./hedger-snapshot.ts";
import type { Position } from "./instrument.ts";
import { legRejection, selectLegs, type SelectedLeg } from "./legs.ts";

/** Time to expiry in years = calendar milliseconds / (365 days): ACT/365 to the expiry close. */
export const YEAR_MS = 365 * 86_400_000;

class LegRuntime {
  /** quantity x multiplier: shares of exposure per unit of per-share greek. */
  readonly units: number;
  broker: OptionGreeksInput | null = null;
  constructor(readonly leg: SelectedLeg) {
    this.units = leg.quantity * leg.contract.multiplier;
  }
}

export interface PortfolioGreeks {
  readonly legs: readonly LegSnapshot[];
  readonly thetaUsdPerDay: number;
  /** USD per vol point. */
  readonly vegaUsd: number;
  readonly optionValueUsd: number;
  /** Exposure-weighted implied vol of the legs. */
  readonly impliedVol: number | null;
}

export class LegBook {
  private runtimes: LegRuntime[] = [];
  private optionPositions: Position[] = [];
  private signature = "";
  private readonly greeksByKey = new Map<string, OptionGreeksInput>();
  private readonly scratch = new GreeksScratch();
  /** Positions changed since the last selection (selection waits for a spot). */
  dirty = false;
  /** Outputs of computeDeltaGamma. */
  optionDeltaShares = 0;
  gammaShares = 0;

  constructor(private readonly params: StrategyParams) {}

  get count(): number {
    return this.runtimes.length;
  }

  /** Keeps the symbol's option positions; marks the selection dirty when they changed. */
  setPositions(positions: readonly Position[]): void {
    const options = positions.filter((p) => p.contract.secType === "OPT" && p.contract.symbol === this.params.symbol);
    const signature = options
      .map((p) => `${p.contract.secType === "OPT" ? `${p.contract.expiryYmd}|${p.contract.strike}|${p.contract.right}` : ""}=${p.quantity}`)
      .sort()
      .join(",");
    if (signature === this.signature) return;
    this.signature = signature;
    this.optionPositions = options;
    this.dirty = true;
  }

  reselect(spot: number, nowMs: number): void {
    const selected = selectLegs(
      this.runtimes.map((r) => r.leg),
      this.optionPositions,
      spot,
      nowMs,
      this.params,
    );
    this.runtimes = selected.map((leg) => {
      const r = new LegRuntime(leg);
      r.broker = this.greeksByKey.get(leg.contractKey) ?? null;
      return r;
    });
    this.dirty = false;
  }

  onGreeks(contractKey: string, greeks: OptionGreeksInput): void {
    this.greeksByKey.set(contractKey, greeks);
    for (const r of this.runtimes) if (r.leg.contractKey === contractKey) r.broker = greeks;
  }

  /** Latest expiry reached (a leg past its expiry close), or false. */
  anyExpired(nowMs: number): boolean {
    for (const r of this.runtimes) if (nowMs >= r.leg.expiryMs) return true;
    return false;
  }

  /** Sums delta and gamma (shares) into optionDeltaShares / gammaShares. Hot path: no allocation. */
  computeDeltaGamma(spot: number, nowMs: number): void {
    const p = this.params;
    const g = this.scratch;
    let delta = 0;
    let gamma = 0;
    for (let i = 0; i < this.runtimes.length; i++) {
      const r = this.runtimes[i]!;
      const b = this.freshBroker(r, nowMs);
      if (b !== null) {
        const moved = b.underlyingPrice != null && b.underlyingPrice > 0 ? spot - b.underlyingPrice : 0;
        delta += r.units * (b.delta! + b.gamma! * moved);
        gamma += r.units * b.gamma!;
      } else {
        const c = r.leg.contract;
        computeDeltaGamma(c.right, spot, c.strike, (r.leg.expiryMs - nowMs) / YEAR_MS, p.riskFreeRate, p.dividendYield, this.volOf(r), g);
        delta += r.units * g.delta;
        gamma += r.units * g.gamma;
      }
    }
    this.optionDeltaShares = delta;
    this.gammaShares = gamma;
  }

  /** Mark value of the legs (broker price when fresh, else model), USD. */
  optionValueUsd(spot: number, nowMs: number): number {
    let value = 0;
    for (const r of this.runtimes) value += r.units * this.priceOf(r, spot, nowMs);
    return value;
  }

  /** Per-leg view and aggregates for status. */
  portfolio(spot: number, nowMs: number): PortfolioGreeks {
    const p = this.params;
    let theta = 0;
    let vega = 0;
    let value = 0;
    let volWeighted = 0;
    let weight = 0;
    const legs = this.runtimes.map((r): LegSnapshot => {
      const c = r.leg.contract;
      const g = this.scratch;
      const vol = this.volOf(r);
      computeGreeks(c.right, spot, c.strike, (r.leg.expiryMs - nowMs) / YEAR_MS, p.riskFreeRate, p.dividendYield, vol, g);
      const b = this.freshBroker(r, nowMs);
      const leg: LegSnapshot = {
        contractKey: r.leg.contractKey,
        right: c.right,
        strike: c.strike,
        expiryYmd: c.expiryYmd,
        quantity: r.leg.quantity,
        multiplier: c.multiplier,
        impliedVol: r.broker?.impliedVol ?? null,
        delta: b !== null ? b.delta : g.delta,
        gamma: b !== null ? b.gamma : g.gamma,
        theta: b?.theta ?? g.theta / 365,
        vega: b?.vega ?? g.vega / 100,
        price: this.priceOf(r, spot, nowMs),
        greeksSource: b !== null ? "broker" : "model",
        outsideSelection: legRejection(c, r.leg.quantity, spot, nowMs, p) !== null,
      };
      theta += r.units * (leg.theta ?? 0);
      vega += r.units * (leg.vega ?? 0);
      value += r.units * (leg.price ?? 0);
      volWeighted += Math.abs(r.units) * vol;
      weight += Math.abs(r.units);
      return leg;
    });
    return { legs, thetaUsdPerDay: theta, vegaUsd: vega, optionValueUsd: value, impliedVol: weight > 0 ? volWeighted / weight : null };
  }

  private freshBroker(r: LegRuntime, nowMs: number): OptionGreeksInput | null {
    const b = r.broker;
    if (b === null || this.params.greeksSource !== "broker" || b.delta === null || b.gamma === null) return null;
    return nowMs - b.tsEventMs <= this.params.brokerGreeksMaxAgeMs ? b : null;
  }

  private volOf(r: LegRuntime): number {
    const iv = r.broker?.impliedVol;
    return iv != null && iv > 0 ? iv : this.params.fallbackVol;
  }

  private priceOf(r: LegRuntime, spot: number, nowMs: number): number {
    const b = r.broker;
    if (b !== null && b.optionPrice !== null && b.optionPrice >= 0 && nowMs - b.tsEventMs <= this.params.brokerGreeksMaxAgeMs) {
      return b.optionPrice;
    }
    const c = r.leg.contract;
    const p = this.params;
    computeGreeks(c.right, spot, c.strike, (r.leg.expiryMs - nowMs) / YEAR_MS, p.riskFreeRate, p.dividendYield, this.volOf(r), this.scratch);
    return this.scratch.price;
  }
}
