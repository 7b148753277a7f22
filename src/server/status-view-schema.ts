// The JSON shape of GET /status (and of `gs status --json`). Field names are the public
// API: snake_case, full words, units in the name. The OpenAPI document is built from it.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const NUMBER_OR_NULL = nullable(Type.Number());

export const LAMP_SCHEMA = Type.Union([Type.Literal("green"), Type.Literal("yellow"), Type.Literal("red")], {
  description: "green: hedging normally; yellow: degraded (paused, waiting for the broker, stale/delayed data, soft guard); red: not hedging and needs a human.",
});
export const SELF_CHECK_SCHEMA = Type.Union([Type.Literal("ok"), Type.Literal("degraded"), Type.Literal("blocked")], {
  description: "ok = green, degraded = yellow, blocked = red.",
});

export const STATUS_REASON_SCHEMA = Type.Object({
  code: Type.String({ description: "Stable machine code, e.g. heartbeat_stale, circuit_breaker, stale_data." }),
  message: Type.String({ description: "Human text." }),
  severity: Type.Union([Type.Literal("red"), Type.Literal("yellow")], { description: "Which lamp colour this reason alone would cause." }),
});

export const STATUS_LEG_SCHEMA = Type.Object({
  contract_key: Type.String(),
  right: Type.Union([Type.Literal("C"), Type.Literal("P")]),
  strike: Type.Number(),
  expiry: Type.String({ description: "YYYYMMDD" }),
  quantity: Type.Number({ description: "Signed contracts." }),
  multiplier: Type.Number(),
  implied_vol: NUMBER_OR_NULL,
  delta: NUMBER_OR_NULL,
  gamma: NUMBER_OR_NULL,
  theta: NUMBER_OR_NULL,
  vega: NUMBER_OR_NULL,
  price: NUMBER_OR_NULL,
  greeks_source: Type.Union([Type.Literal("broker"), Type.Literal("model")]),
});

export const DAEMON_SUMMARY_SCHEMA = Type.Object({
  daemon_id: Type.String(),
  status_lamp: LAMP_SCHEMA,
  state: Type.String(),
  heartbeat_age_ms: Type.Number(),
});

export const STATUS_VIEW_SCHEMA = Type.Object({
  generated_at_ms: Type.Number({ description: "Server clock when this view was derived." }),
  daemon_id: nullable(Type.String()),
  status_lamp: LAMP_SCHEMA,
  self_check: SELF_CHECK_SCHEMA,
  block_reasons: Type.Array(STATUS_REASON_SCHEMA, { description: "Every reason found, worst first; empty when green." }),
  state: nullable(Type.String({ description: "Daemon state: IDLE, CONNECTING, WAITING_BROKER, RECONCILING, RUNNING, PAUSED, STOPPING, STOPPED." })),
  hedge_state: nullable(Type.String()),
  paused: Type.Boolean(),
  heartbeat: nullable(
    Type.Object({
      last_ts_ms: Type.Number(),
      age_ms: Type.Number({ description: "generated_at_ms - last_ts_ms (negative when the daemon's clock is ahead)." }),
      interval_s: Type.Number(),
      stale_after_ms: Type.Number({ description: "3 x interval: older than this, the lamp is red." }),
    }),
  ),
  broker: nullable(
    Type.Object({
      name: nullable(Type.String()),
      connected: Type.Boolean(),
      client_id: NUMBER_OR_NULL,
      server_version: NUMBER_OR_NULL,
      next_retry_ts_ms: NUMBER_OR_NULL,
    }),
  ),
  market_data: nullable(
    Type.Object({
      symbol: Type.String(),
      spot: NUMBER_OR_NULL,
      bid: NUMBER_OR_NULL,
      ask: NUMBER_OR_NULL,
      age_ms: NUMBER_OR_NULL,
      kind: nullable(Type.String({ description: "live, delayed or frozen." })),
    }),
  ),
  position: nullable(
    Type.Object({
      portfolio_delta_shares: NUMBER_OR_NULL,
      option_delta_shares: NUMBER_OR_NULL,
      hedge_shares: Type.Number(),
      pending_shares: Type.Number(),
      external_shares: Type.Number({ description: "Shares of the symbol held outside the strategy (strategy.external_shares): in the account, never hedged or traded." }),
      gamma_shares: NUMBER_OR_NULL,
      theta_usd_per_day: NUMBER_OR_NULL,
      vega_usd: NUMBER_OR_NULL,
    }),
  ),
  legs: Type.Array(STATUS_LEG_SCHEMA),
  hedges_today: nullable(Type.Object({ count: Type.Number(), limit: NUMBER_OR_NULL })),
  pnl: nullable(
    Type.Object({
      today_usd: nullable(Type.Number({ description: "Today's PnL as the circuit breaker judges it: scalping + option mark-to-market - commissions (null: unknown, e.g. a leg not marked yet)." })),
      scalping_usd: NUMBER_OR_NULL,
      option_mtm_usd: NUMBER_OR_NULL,
      commissions_usd: NUMBER_OR_NULL,
      loss_limit_usd: nullable(Type.Number({ description: "The circuit breaker trips when today_usd falls to -loss_limit_usd (null: no limit)." })),
      realized_usd: Type.Number({ description: "The hedge stock's realised PnL today." }),
      unrealized_usd: nullable(Type.Number({ description: "The hedge stock's unrealised PnL on its average cost (not only today's)." })),
    }),
  ),
  volatility: nullable(
    Type.Object({
      realized_today: NUMBER_OR_NULL,
      implied: NUMBER_OR_NULL,
      breakeven_move_usd: NUMBER_OR_NULL,
      breakeven_move_pct: NUMBER_OR_NULL,
    }),
  ),
  last_decision: nullable(Type.Object({ type: Type.String(), code: nullable(Type.String()), ts_ms: Type.Number() })),
  last_operation: nullable(
    Type.Object({ id: Type.Number(), ts_ms: Type.Number(), type: Type.String(), order_ref: nullable(Type.String()), reason: nullable(Type.String()) }),
  ),
  config_hash: nullable(Type.String()),
  process: nullable(Type.Object({ pid: NUMBER_OR_NULL, version: nullable(Type.String()) })),
  sink: nullable(
    Type.Object(
      {
        queue_depth: NUMBER_OR_NULL,
        spooled_rows: NUMBER_OR_NULL,
        failed_writes: NUMBER_OR_NULL,
        lost_rows: Type.Number({ description: "Records the daemon dropped since it started: database and spool both failed. Any is a red lamp (records_lost)." }),
        last_error: nullable(Type.String()),
      },
      { description: "The daemon's own sink, as it reported it in its status row." },
    ),
  ),
  daemons: Type.Array(DAEMON_SUMMARY_SCHEMA, { description: "Every daemon with a status row in this database." }),
});

export type Lamp = Static<typeof LAMP_SCHEMA>;
export type SelfCheck = Static<typeof SELF_CHECK_SCHEMA>;
export type StatusReason = Static<typeof STATUS_REASON_SCHEMA>;
export type StatusView = Static<typeof STATUS_VIEW_SCHEMA>;
export type StatusLegView = Static<typeof STATUS_LEG_SCHEMA>;
export type DaemonSummary = Static<typeof DAEMON_SUMMARY_SCHEMA>;
