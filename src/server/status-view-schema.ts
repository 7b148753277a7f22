// The JSON shape of GET /status (and of `gs status --json`). Field names are the public
// API: snake_case, full words, units in the name. The OpenAPI document is built from it.
import { t } from "elysia";
import type { Static } from "elysia";

const nullable = <T extends Parameters<typeof t.Union>[0][number]>(schema: T) => t.Union([schema, t.Null()]);
const NUMBER_OR_NULL = nullable(t.Number());

export const LAMP_SCHEMA = t.Union([t.Literal("green"), t.Literal("yellow"), t.Literal("red")], {
  description: "green: hedging normally; yellow: degraded (paused, waiting for the broker, stale/delayed data, soft guard); red: not hedging and needs a human.",
});
export const SELF_CHECK_SCHEMA = t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("blocked")], {
  description: "ok = green, degraded = yellow, blocked = red.",
});

export const STATUS_REASON_SCHEMA = t.Object({
  code: t.String({ description: "Stable machine code, e.g. heartbeat_stale, circuit_breaker, stale_data." }),
  message: t.String({ description: "Human text." }),
  severity: t.Union([t.Literal("red"), t.Literal("yellow")], { description: "Which lamp colour this reason alone would cause." }),
});

export const STATUS_LEG_SCHEMA = t.Object({
  contract_key: t.String(),
  right: t.Union([t.Literal("C"), t.Literal("P")]),
  strike: t.Number(),
  expiry: t.String({ description: "YYYYMMDD" }),
  quantity: t.Number({ description: "Signed contracts." }),
  multiplier: t.Number(),
  implied_vol: NUMBER_OR_NULL,
  delta: NUMBER_OR_NULL,
  gamma: NUMBER_OR_NULL,
  theta: NUMBER_OR_NULL,
  vega: NUMBER_OR_NULL,
  price: NUMBER_OR_NULL,
  greeks_source: t.Union([t.Literal("broker"), t.Literal("model")]),
});

export const DAEMON_SUMMARY_SCHEMA = t.Object({
  daemon_id: t.String(),
  status_lamp: LAMP_SCHEMA,
  state: t.String(),
  heartbeat_age_ms: t.Number(),
});

export const STATUS_VIEW_SCHEMA = t.Object({
  generated_at_ms: t.Number({ description: "Server clock when this view was derived." }),
  daemon_id: nullable(t.String()),
  status_lamp: LAMP_SCHEMA,
  self_check: SELF_CHECK_SCHEMA,
  block_reasons: t.Array(STATUS_REASON_SCHEMA, { description: "Every reason found, worst first; empty when green." }),
  state: nullable(t.String({ description: "Daemon state: IDLE, CONNECTING, WAITING_BROKER, RECONCILING, RUNNING, PAUSED, STOPPING, STOPPED." })),
  hedge_state: nullable(t.String()),
  paused: t.Boolean(),
  heartbeat: nullable(
    t.Object({
      last_ts_ms: t.Number(),
      age_ms: t.Number({ description: "generated_at_ms - last_ts_ms (negative when the daemon's clock is ahead)." }),
      interval_s: t.Number(),
      stale_after_ms: t.Number({ description: "3 x interval: older than this, the lamp is red." }),
    }),
  ),
  broker: nullable(
    t.Object({
      name: nullable(t.String()),
      connected: t.Boolean(),
      client_id: NUMBER_OR_NULL,
      server_version: NUMBER_OR_NULL,
      next_retry_ts_ms: NUMBER_OR_NULL,
    }),
  ),
  market_data: nullable(
    t.Object({
      symbol: t.String(),
      spot: NUMBER_OR_NULL,
      bid: NUMBER_OR_NULL,
      ask: NUMBER_OR_NULL,
      age_ms: NUMBER_OR_NULL,
      kind: nullable(t.String({ description: "live, delayed or frozen." })),
    }),
  ),
  position: nullable(
    t.Object({
      portfolio_delta_shares: NUMBER_OR_NULL,
      option_delta_shares: NUMBER_OR_NULL,
      hedge_shares: t.Number(),
      pending_shares: t.Number(),
      gamma_shares: NUMBER_OR_NULL,
      theta_usd_per_day: NUMBER_OR_NULL,
      vega_usd: NUMBER_OR_NULL,
    }),
  ),
  legs: t.Array(STATUS_LEG_SCHEMA),
  hedges_today: nullable(t.Object({ count: t.Number(), limit: NUMBER_OR_NULL })),
  pnl: nullable(
    t.Object({
      realized_usd: t.Number(),
      unrealized_usd: NUMBER_OR_NULL,
      scalping_usd: NUMBER_OR_NULL,
      option_mtm_usd: NUMBER_OR_NULL,
    }),
  ),
  volatility: nullable(
    t.Object({
      realized_today: NUMBER_OR_NULL,
      implied: NUMBER_OR_NULL,
      breakeven_move_usd: NUMBER_OR_NULL,
      breakeven_move_pct: NUMBER_OR_NULL,
    }),
  ),
  last_decision: nullable(t.Object({ type: t.String(), code: nullable(t.String()), ts_ms: t.Number() })),
  last_operation: nullable(
    t.Object({ id: t.Number(), ts_ms: t.Number(), type: t.String(), order_ref: nullable(t.String()), reason: nullable(t.String()) }),
  ),
  config_hash: nullable(t.String()),
  process: nullable(t.Object({ pid: NUMBER_OR_NULL, version: nullable(t.String()) })),
  daemons: t.Array(DAEMON_SUMMARY_SCHEMA, { description: "Every daemon with a status row in this database." }),
});

export type Lamp = Static<typeof LAMP_SCHEMA>;
export type SelfCheck = Static<typeof SELF_CHECK_SCHEMA>;
export type StatusReason = Static<typeof STATUS_REASON_SCHEMA>;
export type StatusView = Static<typeof STATUS_VIEW_SCHEMA>;
export type StatusLegView = Static<typeof STATUS_LEG_SCHEMA>;
export type DaemonSummary = Static<typeof DAEMON_SUMMARY_SCHEMA>;
