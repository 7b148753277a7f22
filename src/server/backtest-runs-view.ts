// GET /backtests and GET /backtests/{runId}: the runs `gs backtest` recorded in the sink's
// backtest_runs table. The list carries a headline per run (so a page of 1000 stays small);
// one run carries the whole stored summary (months, guard verification, settings...).
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import type { BacktestSummary, PnlBreakdown } from "../backtest/summary.ts";
import type { BacktestRunRow } from "../sink/records.ts";

export const DEFAULT_BACKTESTS_LIMIT = 50;
export const MAX_BACKTESTS_LIMIT = 1000;

export const BACKTESTS_QUERY_SCHEMA = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BACKTESTS_LIMIT, description: `Runs returned (the most recently started), default ${DEFAULT_BACKTESTS_LIMIT}.` })),
  },
  { additionalProperties: false },
);
export type BacktestsQueryInput = Static<typeof BACKTESTS_QUERY_SCHEMA>;

export const BACKTEST_RUN_PARAMS_SCHEMA = Type.Object({
  runId: Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,128}$", description: "run_id from GET /backtests (printed by `gs backtest`)." }),
});

const NULLABLE_NUMBER = Type.Union([Type.Number(), Type.Null()]);

const BACKTEST_RUN_FIELDS = {
  run_id: Type.String(),
  started_at_ms: Type.Number(),
  finished_at_ms: Type.Number(),
  started_at: Type.String({ description: "ISO-8601 UTC." }),
  config_hash: Type.String(),
  data_fingerprint: Type.String({ description: "Identifies the bars replayed: equal fingerprints, equal data." }),
  from_day: Type.String({ description: "First New York trading day replayed (YYYY-MM-DD)." }),
  to_day: Type.String({ description: "Last New York trading day replayed (YYYY-MM-DD)." }),
};

/** Read from the stored summary; null when a run recorded by another gs version lacks it. */
export const BACKTEST_HEADLINE_SCHEMA = Type.Object({
  total_pnl_usd: NULLABLE_NUMBER,
  scalping_pnl_usd: NULLABLE_NUMBER,
  hedges: NULLABLE_NUMBER,
  max_drawdown_usd: NULLABLE_NUMBER,
  daily_sharpe: NULLABLE_NUMBER,
});
export type BacktestHeadline = Static<typeof BACKTEST_HEADLINE_SCHEMA>;

export const BACKTEST_RUN_ITEM_SCHEMA = Type.Object({ ...BACKTEST_RUN_FIELDS, headline: BACKTEST_HEADLINE_SCHEMA });
export type BacktestRunItem = Static<typeof BACKTEST_RUN_ITEM_SCHEMA>;

export const BACKTEST_RUNS_PAGE_SCHEMA = Type.Object({
  runs: Type.Array(BACKTEST_RUN_ITEM_SCHEMA, { description: "Most recently started first." }),
});
export type BacktestRunsPage = Static<typeof BACKTEST_RUNS_PAGE_SCHEMA>;

export const BACKTEST_RUN_VIEW_SCHEMA = Type.Object({
  ...BACKTEST_RUN_FIELDS,
  headline: BACKTEST_HEADLINE_SCHEMA,
  summary: Type.Record(Type.String(), Type.Unknown(), { description: "The run's summary as `gs backtest --json` prints it, without the roll log." }),
});
export type BacktestRunView = Static<typeof BACKTEST_RUN_VIEW_SCHEMA>;

export function toBacktestRunItem(row: BacktestRunRow): BacktestRunItem {
  return {
    run_id: row.runId,
    started_at_ms: row.startedAtMs,
    finished_at_ms: row.finishedAtMs,
    started_at: new Date(row.startedAtMs).toISOString(),
    config_hash: row.configHash,
    data_fingerprint: row.dataFingerprint,
    from_day: row.fromDay,
    to_day: row.toDay,
    headline: headlineOf(row.summary),
  };
}

export function toBacktestRunView(row: BacktestRunRow): BacktestRunView {
  return { ...toBacktestRunItem(row), summary: { ...row.summary } };
}

// The stored summary is JSON from the sink (any gs version), so each field is checked, and
// each key is checked against BacktestSummary at compile time: a rename breaks the build.
function headlineOf(summary: Readonly<Record<string, unknown>>): BacktestHeadline {
  const pnl = summary["pnl" satisfies keyof BacktestSummary];
  const pnlFields: Readonly<Record<string, unknown>> = typeof pnl === "object" && pnl !== null ? (pnl as Record<string, unknown>) : {};
  return {
    total_pnl_usd: finiteOrNull(pnlFields["totalUsd" satisfies keyof PnlBreakdown]),
    scalping_pnl_usd: finiteOrNull(pnlFields["scalpingUsd" satisfies keyof PnlBreakdown]),
    hedges: finiteOrNull(summary["hedges" satisfies keyof BacktestSummary]),
    max_drawdown_usd: finiteOrNull(summary["maxDrawdownUsd" satisfies keyof BacktestSummary]),
    daily_sharpe: finiteOrNull(summary["dailySharpe" satisfies keyof BacktestSummary]),
  };
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
