// One selected leg as the per-bar loop reads it: its constants flattened, its own copy of the
// latest broker greeks, and the vol the model prices it at.
import type { OptionGreeksInput } from "./hedger-inputs.ts";
import type { OptionRight } from "./instrument.ts";
import type { LegBaseline } from "./leg-baselines.ts";
import type { SelectedLeg } from "./legs.ts";

/** A leg's constants flattened for the per-bar loop. */
export class LegRuntime {
  /** quantity x multiplier: shares of exposure per unit of per-share greek. */
  readonly units: number;
  readonly right: OptionRight;
  readonly strike: number;
  readonly expiryMs: number;
  /** The leg's own copy of the latest broker greeks (callers may reuse their event objects). */
  broker: BrokerGreeks | null = null;
  /** The leg's implied vol: the broker's, else implied by the broker's price; null when unknown. */
  impliedVol: number | null = null;
  /** Model vol: the implied vol when known, else the fallback. */
  vol: number;
  /** Today's baseline, null until the leg's first trustworthy mark. */
  baseline: LegBaseline | null = null;
  constructor(
    readonly leg: SelectedLeg,
    fallbackVol: number,
  ) {
    this.units = leg.quantity * leg.contract.multiplier;
    this.right = leg.contract.right;
    this.strike = leg.contract.strike;
    this.expiryMs = leg.expiryMs;
    this.vol = fallbackVol;
  }

  /** `impliedFromPrice`: vol implied by the broker's option price, used when it sent no IV. */
  setBroker(greeks: OptionGreeksInput, fallbackVol: number, impliedFromPrice: number | null): void {
    const own = this.broker ?? new BrokerGreeks();
    own.copyFrom(greeks);
    this.broker = own;
    const iv = greeks.impliedVol;
    this.impliedVol = iv !== null && iv > 0 ? iv : impliedFromPrice;
    this.vol = this.impliedVol ?? fallbackVol;
  }
}

/** Mutable copy of an OptionGreeksInput, updated in place on every report. */
class BrokerGreeks implements OptionGreeksInput {
  impliedVol: number | null = null;
  delta: number | null = null;
  gamma: number | null = null;
  vega: number | null = null;
  theta: number | null = null;
  optionPrice: number | null = null;
  underlyingPrice: number | null = null;
  tsEventMs = 0;

  copyFrom(g: OptionGreeksInput): void {
    this.impliedVol = g.impliedVol;
    this.delta = g.delta;
    this.gamma = g.gamma;
    this.vega = g.vega;
    this.theta = g.theta;
    this.optionPrice = g.optionPrice;
    this.underlyingPrice = g.underlyingPrice ?? null;
    this.tsEventMs = g.tsEventMs;
  }
}

/** Broker delta moved to the current spot by its gamma (the broker computed it at underlyingPrice). */
export function brokerDeltaAt(b: OptionGreeksInput, spot: number): number {
  const moved = b.underlyingPrice != null && b.underlyingPrice > 0 ? spot - b.underlyingPrice : 0;
  return b.delta! + b.gamma! * moved;
}
