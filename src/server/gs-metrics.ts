// GET /metrics: the gs_ metric families, derived from the same status rows as /status plus
// today's order outcomes and the server's own sink health. Base units (seconds) per
// Prometheus naming; USD and shares are named in the metric.
import type { SinkHealth } from "../sink/port.ts";
import type { StatusRow, StoredOperation } from "../sink/records.ts";
import type { MetricFamily, Sample } from "./prometheus-text.ts";
import { deriveStatusView, lampLevel } from "./status-view.ts";
import type { LampRules } from "./status-view.ts";

export const ORDER_OUTCOMES = ["sent", "filled", "rejected", "cancelled"] as const;
export type OrderOutcome = (typeof ORDER_OUTCOMES)[number];
export type OrderOutcomeCounts = Readonly<Record<OrderOutcome, number>>;

const OUTCOME_OF_TYPE: Readonly<Partial<Record<StoredOperation["type"], OrderOutcome>>> = {
  order_sent: "sent",
  fill: "filled",
  reject: "rejected",
  cancel: "cancelled",
};
export const ORDER_OUTCOME_TYPES = Object.keys(OUTCOME_OF_TYPE) as StoredOperation["type"][];

/** Distinct orders per daemon and outcome (an order with three partial executions counts once). */
export function countOrderOutcomes(operations: readonly StoredOperation[]): Map<string, OrderOutcomeCounts> {
  const seen = new Map<string, Map<OrderOutcome, Set<string>>>();
  for (const operation of operations) {
    const outcome = OUTCOME_OF_TYPE[operation.type];
    if (outcome === undefined) continue;
    const byOutcome = seen.get(operation.daemonId) ?? new Map<OrderOutcome, Set<string>>();
    seen.set(operation.daemonId, byOutcome);
    const refs = byOutcome.get(outcome) ?? new Set<string>();
    byOutcome.set(outcome, refs);
    refs.add(operation.orderRef ?? `op:${operation.id}`);
  }
  const counts = new Map<string, OrderOutcomeCounts>();
  for (const [daemonId, byOutcome] of seen) {
    counts.set(daemonId, { sent: byOutcome.get("sent")?.size ?? 0, filled: byOutcome.get("filled")?.size ?? 0, rejected: byOutcome.get("rejected")?.size ?? 0, cancelled: byOutcome.get("cancelled")?.size ?? 0 });
  }
  return counts;
}

export interface MetricsInputs {
  readonly rows: readonly StatusRow[];
  readonly nowMs: number;
  readonly rules: LampRules;
  readonly ordersToday: ReadonlyMap<string, OrderOutcomeCounts>;
  readonly serverSink: SinkHealth;
  /** False when this scrape could not read the status database. */
  readonly databaseUp: boolean;
}

type RowGauge = readonly [name: string, help: string, value: (row: StatusRow, nowMs: number) => number | null | undefined];

const ROW_GAUGES: readonly RowGauge[] = [
  ["gs_heartbeat_age_seconds", "Seconds since the daemon's last status row.", (row, nowMs) => (nowMs - row.tsMs) / 1000],
  ["gs_heartbeat_interval_seconds", "The daemon's configured heartbeat interval.", (row) => row.heartbeatIntervalS],
  ["gs_daemon_paused", "1 when hedging is paused by an operator.", (row) => (row.paused ? 1 : 0)],
  ["gs_broker_connected", "1 when the daemon is connected to the broker.", (row) => (row.brokerConnected ? 1 : 0)],
  ["gs_market_data_age_seconds", "Age of the last quote of the underlying.", (row) => (row.dataAgeMs === null ? null : row.dataAgeMs / 1000)],
  ["gs_spot_price_usd", "Last price of the underlying.", (row) => row.spot],
  ["gs_portfolio_delta_shares", "Portfolio delta (options + hedge + in flight), shares.", (row) => row.portfolioDeltaShares],
  ["gs_option_delta_shares", "Delta of the option legs, shares.", (row) => row.optionDeltaShares],
  ["gs_hedge_shares", "Hedge stock held, shares.", (row) => row.hedgeShares],
  ["gs_pending_hedge_shares", "Signed shares of working hedge orders.", (row) => row.pendingShares],
  ["gs_external_shares", "Shares of the symbol held outside the strategy (strategy.external_shares), never hedged or traded.", (row) => row.details.externalShares ?? 0],
  ["gs_hedges_today", "Hedge orders sent today.", (row) => row.dailyHedgeCount],
  ["gs_hedges_limit_today", "Daily hedge limit.", (row) => row.details.dailyHedgeLimit],
  ["gs_pnl_today_usd", "Today's PnL as the circuit breaker judges it: scalping + option mark-to-market - commissions.", (row) => numberOrNull(row.details.dailyPnlUsd)],
  ["gs_daily_loss_limit_usd", "The circuit breaker's daily loss limit (absent: none).", (row) => numberOrNull(row.details.dailyLossLimitUsd)],
  ["gs_commissions_today_usd", "Today's commissions.", (row) => numberOrNull(row.details.dailyCommissionsUsd)],
  ["gs_realized_pnl_today_usd", "The hedge stock's realised PnL today.", (row) => row.dailyRealizedPnlUsd],
  ["gs_unrealized_pnl_usd", "The hedge stock's unrealised PnL on its average cost.", (row) => row.unrealizedPnlUsd],
  ["gs_scalping_pnl_today_usd", "Today's hedge (scalping) PnL.", (row) => row.details.scalpingPnlUsd],
  ["gs_option_mtm_pnl_today_usd", "Today's option mark-to-market PnL.", (row) => row.details.optionMtmPnlUsd],
  ["gs_realized_vol_today_ratio", "Annualised realised vol of the underlying today (0.2 = 20%).", (row) => row.details.realizedVolToday],
  ["gs_implied_vol_ratio", "Position-weighted implied vol of the legs (0.2 = 20%).", (row) => row.details.impliedVol],
  ["gs_daemon_sink_queue_depth", "Sink rows queued in the daemon's memory.", (row) => numberOrNull(row.details.sinkQueueDepth)],
  ["gs_daemon_sink_spooled_rows", "Sink rows the daemon spooled to disk while its database was unreachable.", (row) => numberOrNull(row.details.sinkSpooledRows)],
  ["gs_daemon_sink_failed_writes", "Sink batches that failed to write (each went to the spool).", (row) => numberOrNull(row.details.sinkFailedWrites)],
  ["gs_daemon_sink_lost_rows", "Records the daemon dropped because its database and spool both failed.", (row) => numberOrNull(row.details.sinkLostRows) ?? 0],
];

export function gsMetricFamilies(inputs: MetricsInputs): MetricFamily[] {
  const { rows, nowMs } = inputs;
  const lampSamples: Sample[] = rows.map((row) => ({
    labels: { daemon_id: row.daemonId },
    value: lampLevel(deriveStatusView({ rows: [row], daemonId: row.daemonId, lastOperation: null, nowMs, rules: inputs.rules }).status_lamp),
  }));
  const families: MetricFamily[] = [
    { name: "gs_status_lamp", help: "Status lamp: 0 green, 1 yellow, 2 red.", type: "gauge", samples: lampSamples },
    { name: "gs_status_database_up", help: "1 when this scrape could read the status database.", type: "gauge", samples: [{ labels: {}, value: inputs.databaseUp ? 1 : 0 }] },
    { name: "gs_daemons", help: "Daemons with a status row in the database.", type: "gauge", samples: [{ labels: {}, value: rows.length }] },
  ];
  for (const [name, help, value] of ROW_GAUGES) {
    const samples: Sample[] = [];
    for (const row of rows) {
      const sampleValue = value(row, nowMs);
      if (typeof sampleValue === "number" && Number.isFinite(sampleValue)) samples.push({ labels: { daemon_id: row.daemonId }, value: sampleValue });
    }
    families.push({ name, help, type: "gauge", samples });
  }
  const orderSamples: Sample[] = [];
  for (const [daemonId, counts] of inputs.ordersToday) {
    for (const outcome of ORDER_OUTCOMES) orderSamples.push({ labels: { daemon_id: daemonId, outcome }, value: counts[outcome] });
  }
  families.push({ name: "gs_orders_today", help: "Distinct hedge orders today (America/New_York day) by outcome.", type: "gauge", samples: orderSamples });
  const sink = inputs.serverSink;
  const sinkLabels = { kind: sink.kind };
  families.push(
    { name: "gs_server_sink_reachable", help: "1 when the server's database answered its last query.", type: "gauge", samples: [{ labels: sinkLabels, value: sink.reachable ? 1 : 0 }] },
    { name: "gs_server_sink_queue_depth", help: "Writes queued in the server's sink.", type: "gauge", samples: [{ labels: sinkLabels, value: sink.queueDepth }] },
    { name: "gs_server_sink_spooled_rows", help: "Writes spooled to disk by the server's sink.", type: "gauge", samples: [{ labels: sinkLabels, value: sink.spooledRows }] },
    { name: "gs_server_sink_failed_writes_total", help: "Batches the server's sink failed to write.", type: "counter", samples: [{ labels: sinkLabels, value: sink.failedWrites }] },
    { name: "gs_server_sink_lost_rows_total", help: "Writes the server's sink dropped because its database and spool both failed.", type: "counter", samples: [{ labels: sinkLabels, value: sink.lostRows }] },
  );
  return families;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}
