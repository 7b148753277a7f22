// GET /history: status history between two times, optionally downsampled to one point
// per `every` bucket (the last row in each bucket, so a point is a real observed state).
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import type { HistoryQuery, StatusRow } from "../sink/records.ts";
import { DAEMON_ID_PATTERN } from "./http-input.ts";
import { parseDurationMs, parseTimeRange } from "./time-query.ts";

export const DEFAULT_HISTORY_POINTS = 1000;
export const MAX_HISTORY_POINTS = 10_000;
/** Rows read from the sink to build one answer; beyond this the answer says truncated. */
export const MAX_HISTORY_SCAN_ROWS = 50_000;

export const HISTORY_QUERY_SCHEMA = Type.Object(
  {
    since: Type.Optional(Type.String({ description: "ISO-8601 with zone, or epoch ms." })),
    until: Type.Optional(Type.String({ description: "ISO-8601 with zone, or epoch ms." })),
    daemon_id: Type.Optional(Type.String({ pattern: DAEMON_ID_PATTERN })),
    every: Type.Optional(Type.String({ pattern: "^[0-9]{1,6}(ms|s|m|h|d)$", description: "Downsample to one point per bucket: 30s, 1m, 5m, 1h." })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_POINTS, description: `Most points returned (the newest), default ${DEFAULT_HISTORY_POINTS}.` })),
  },
  { additionalProperties: false },
);
export type HistoryQueryInput = Static<typeof HISTORY_QUERY_SCHEMA>;

const NULLABLE_NUMBER = Type.Union([Type.Number(), Type.Null()]);

export const HISTORY_POINT_SCHEMA = Type.Object({
  ts_ms: Type.Number(),
  daemon_id: Type.String(),
  state: Type.String(),
  spot: NULLABLE_NUMBER,
  portfolio_delta_shares: NULLABLE_NUMBER,
  hedge_shares: Type.Number(),
  pending_shares: Type.Number(),
  daily_hedge_count: Type.Number(),
  realized_pnl_usd: Type.Number(),
  unrealized_pnl_usd: NULLABLE_NUMBER,
  scalping_pnl_usd: NULLABLE_NUMBER,
  option_mtm_pnl_usd: NULLABLE_NUMBER,
  /** Today's PnL as the circuit breaker judges it (scalping + options - commissions). */
  today_pnl_usd: NULLABLE_NUMBER,
  broker_connected: Type.Boolean(),
  paused: Type.Boolean(),
});
export type HistoryPoint = Static<typeof HISTORY_POINT_SCHEMA>;

export const HISTORY_PAGE_SCHEMA = Type.Object({
  points: Type.Array(HISTORY_POINT_SCHEMA, { description: "Oldest first." }),
  every_ms: Type.Union([Type.Number(), Type.Null()]),
  truncated: Type.Boolean({ description: "True when more rows matched than one answer reads; narrow since/until." }),
});
export type HistoryPage = Static<typeof HISTORY_PAGE_SCHEMA>;

export interface HistoryPlan {
  /** Asks for one row more than scanRows, to know whether more matched. */
  readonly sinkQuery: HistoryQuery;
  readonly scanRows: number;
  readonly everyMs: number | null;
  readonly limit: number;
}

export function planHistory(input: HistoryQueryInput): HistoryPlan {
  const everyMs = input.every === undefined ? null : parseDurationMs("every", input.every);
  const limit = input.limit ?? DEFAULT_HISTORY_POINTS;
  const scanRows = everyMs === null ? limit : MAX_HISTORY_SCAN_ROWS;
  return {
    sinkQuery: {
      ...parseTimeRange(input),
      ...(input.daemon_id === undefined ? {} : { daemonId: input.daemon_id }),
      limit: scanRows + 1,
    },
    scanRows,
    everyMs,
    limit,
  };
}

/** `newestFirst` as the sink returns it; the newest scanRows are kept. */
export function toHistoryPage(newestFirst: readonly StatusRow[], plan: HistoryPlan): HistoryPage {
  const ascending = newestFirst.slice(0, plan.scanRows).sort((a, b) => a.tsMs - b.tsMs);
  const sampled = plan.everyMs === null ? ascending : lastPerBucket(ascending, plan.everyMs);
  return {
    points: sampled.slice(-plan.limit).map(toHistoryPoint),
    every_ms: plan.everyMs,
    truncated: newestFirst.length > plan.scanRows || sampled.length > plan.limit,
  };
}

/** One row per (daemon, bucket): the last one, so each point is a state that really existed. */
export function lastPerBucket(ascending: readonly StatusRow[], everyMs: number): StatusRow[] {
  const last = new Map<string, StatusRow>();
  for (const row of ascending) last.set(`${row.daemonId}\u0000${Math.floor(row.tsMs / everyMs)}`, row);
  return [...last.values()].sort((a, b) => a.tsMs - b.tsMs);
}

function toHistoryPoint(row: StatusRow): HistoryPoint {
  return {
    ts_ms: row.tsMs,
    daemon_id: row.daemonId,
    state: row.state,
    spot: row.spot,
    portfolio_delta_shares: row.portfolioDeltaShares,
    hedge_shares: row.hedgeShares,
    pending_shares: row.pendingShares,
    daily_hedge_count: row.dailyHedgeCount,
    realized_pnl_usd: row.dailyRealizedPnlUsd,
    unrealized_pnl_usd: row.unrealizedPnlUsd,
    scalping_pnl_usd: row.details.scalpingPnlUsd ?? null,
    option_mtm_pnl_usd: row.details.optionMtmPnlUsd ?? null,
    today_pnl_usd: row.details.dailyPnlUsd ?? null,
    broker_connected: row.brokerConnected,
    paused: row.paused,
  };
}
