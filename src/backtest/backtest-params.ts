// Knobs that exist only in a backtest: the position it opens, the simulated market's
// spreads and IB's commission schedule. Users set them like config keys
// (`--set backtest.contracts=20`, `--sweep backtest.option_half_spread_pct=0.1,0.5`); the
// live config schema does not know them, so they are split off before the config loads.
import { UserError } from "../config/user-error.ts";

export interface BacktestParams {
  /** Contracts of each leg of the straddle. */
  readonly contracts: number;
  /** Listed strike spacing, USD. */
  readonly strikeStep: number;
  /** Roll when |strike - spot| / spot exceeds this fraction. */
  readonly rollBandFraction: number;
  /** Half the stock bid/ask spread, basis points of mid (at least one cent). */
  readonly stockHalfSpreadBps: number;
  /** Extra adverse move on every hedge fill beyond the touch, basis points. */
  readonly stockSlippageBps: number;
  /** Half the option bid/ask spread as a fraction of the option's price. */
  readonly optionHalfSpreadFraction: number;
  /** Half the option spread is never below this, USD per share of the option. */
  readonly optionMinHalfSpreadUsd: number;
  readonly stockCommissionPerShareUsd: number;
  readonly stockCommissionMinUsd: number;
  readonly optionCommissionPerContractUsd: number;
  readonly optionCommissionMinUsd: number;
}

interface ParamKey {
  readonly key: string;
  readonly field: keyof BacktestParams;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  /** User value -> stored value (percent to fraction). */
  readonly scale: number;
  readonly description: string;
}

const KEYS: readonly ParamKey[] = [
  { key: "backtest.contracts", field: "contracts", min: 1, max: 100_000, integer: true, scale: 1, description: "Contracts of each straddle leg." },
  { key: "backtest.strike_step_usd", field: "strikeStep", min: 0.01, max: 1000, integer: false, scale: 1, description: "Strike grid spacing." },
  { key: "backtest.roll_band_pct", field: "rollBandFraction", min: 0.01, max: 100, integer: false, scale: 0.01, description: "Roll when the strike is this PERCENT from spot." },
  { key: "backtest.stock_half_spread_bps", field: "stockHalfSpreadBps", min: 0, max: 1000, integer: false, scale: 1, description: "Half stock spread, bps of mid (>= 1 cent)." },
  { key: "backtest.stock_slippage_bps", field: "stockSlippageBps", min: 0, max: 1000, integer: false, scale: 1, description: "Extra adverse bps on hedge fills." },
  { key: "backtest.option_half_spread_pct", field: "optionHalfSpreadFraction", min: 0, max: 50, integer: false, scale: 0.01, description: "Half option spread, PERCENT of the option price." },
  { key: "backtest.option_min_half_spread_usd", field: "optionMinHalfSpreadUsd", min: 0, max: 100, integer: false, scale: 1, description: "Smallest half option spread, USD." },
  { key: "backtest.stock_commission_per_share_usd", field: "stockCommissionPerShareUsd", min: 0, max: 10, integer: false, scale: 1, description: "IB stock commission per share." },
  { key: "backtest.stock_commission_min_usd", field: "stockCommissionMinUsd", min: 0, max: 1000, integer: false, scale: 1, description: "IB minimum stock commission per order." },
  { key: "backtest.option_commission_per_contract_usd", field: "optionCommissionPerContractUsd", min: 0, max: 100, integer: false, scale: 1, description: "IB option commission per contract." },
  { key: "backtest.option_commission_min_usd", field: "optionCommissionMinUsd", min: 0, max: 1000, integer: false, scale: 1, description: "IB minimum option commission per order." },
];

/** IB Pro fixed pricing (stock $0.005/share, min $1; options $0.65/contract, min $1) and SPY-like spreads. */
export function defaultBacktestParams(atmBandFraction: number): BacktestParams {
  return {
    contracts: 10,
    strikeStep: 1,
    rollBandFraction: atmBandFraction,
    stockHalfSpreadBps: 0.1,
    stockSlippageBps: 0,
    optionHalfSpreadFraction: 0.0025,
    optionMinHalfSpreadUsd: 0.01,
    stockCommissionPerShareUsd: 0.005,
    stockCommissionMinUsd: 1,
    optionCommissionPerContractUsd: 0.65,
    optionCommissionMinUsd: 1,
  };
}

export const BACKTEST_KEY_PREFIX = "backtest.";

/** Applies `backtest.key=value` assignments; an unknown key or bad value is a UserError. */
export function applyBacktestAssignments(base: BacktestParams, assignments: readonly string[]): BacktestParams {
  const next: Record<string, number> = { ...base };
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    const key = eq === -1 ? assignment : assignment.slice(0, eq).trim();
    const text = eq === -1 ? "" : assignment.slice(eq + 1).trim();
    const entry = KEYS.find((candidate) => candidate.key === key);
    if (entry === undefined) {
      throw new UserError(`backtest key was '${key}', expected one of ${KEYS.map((k) => k.key).join(", ")}`);
    }
    const value = Number(text);
    if (text === "" || !Number.isFinite(value) || value < entry.min || value > entry.max || (entry.integer && !Number.isInteger(value))) {
      throw new UserError(`${key} was '${text}', expected ${entry.integer ? "an integer" : "a number"} in [${entry.min}, ${entry.max}]`);
    }
    next[entry.field] = value * entry.scale;
  }
  return next as unknown as BacktestParams;
}

/** The params as user-facing keys and values (for the report, the config hash and the run row). */
export function backtestParamsView(params: BacktestParams): Record<string, number> {
  const view: Record<string, number> = {};
  for (const entry of KEYS) view[entry.key] = params[entry.field] / entry.scale;
  return view;
}
