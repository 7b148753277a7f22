// Human text for a denial, made from its code and context only when someone reads it (status,
// logs, reports): the per-bar deny path never formats numbers.
import type { DecisionContext, GuardCode } from "./hedge-decision.ts";

const text = (v: number | string | boolean | null | undefined): string => (v === null || v === undefined ? "unknown" : String(v));
const fixed = (v: number | string | boolean | null | undefined, digits: number): string =>
  typeof v === "number" ? v.toFixed(digits) : text(v);
const percent = (v: number | string | boolean | null | undefined, digits: number): string =>
  typeof v === "number" ? `${(v * 100).toFixed(digits)}%` : text(v);

/** One-line explanation: what was judged, and the limit ("was X, limit Y"). */
export function explainDenial(code: GuardCode, c: DecisionContext): string {
  switch (code) {
    case "hard_block":
      return `blocked (${text(c.blockCode)}): ${text(c.blockMessage)}`;
    case "paused":
      return "paused by the operator";
    case "broker_not_connected":
      return "broker not connected";
    case "stale_data":
      return c.ageMs === null ? "no quote yet" : `quote age was ${text(c.ageMs)} ms, limit ${text(c.limitMs)} ms`;
    case "delayed_data":
      return `market data is ${text(c.quoteKind)}, expected live (set ib.accept_delayed = true to hedge on delayed data)`;
    case "circuit_breaker":
      return `circuit breaker tripped: daily PnL was ${fixed(c.dailyPnlUsd, 2)} USD, loss limit ${text(c.maxDailyLossUsd)} USD`;
    case "outside_trading_hours":
      return `market closed (${text(c.day)} ${c.sessionName === null ? text(c.session) : text(c.sessionName)})`;
    case "earnings_blackout":
      return `${text(c.day)} is inside the blackout around earnings on ${text(c.earningsDate)}`;
    case "max_daily_hedges":
      return `${text(c.dailyHedgeCount)} hedges today, limit ${text(c.maxDailyHedges)}`;
    case "max_position":
      return `position after the order would be ${text(c.afterShares)} shares, limit ${text(c.maxPositionShares)}`;
    case "spread_too_wide":
      return c.spreadFraction === null
        ? "no two-sided quote"
        : `spread was ${percent(c.spreadFraction, 3)} of mid, limit ${percent(c.maxSpreadFraction, 3)}`;
    case "cooldown":
      return `last hedge ${text(c.elapsedMs)} ms ago, cooldown ${text(c.cooldownMs)} ms`;
    case "min_price_move":
      return `price moved ${percent(c.moveFraction, 4)} since the last hedge at ${text(c.lastHedgePrice)}, minimum ${percent(c.minPriceMoveFraction, 4)}`;
    default: {
      const unreachable: never = code;
      return `unknown guard ${String(unreachable)}`;
    }
  }
}
