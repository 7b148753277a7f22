// `gs backtest`: replay history through the daemon's Hedger and report PnL, attribution
// and guard verification; `--sweep` runs a parameter grid on all cores.
import { defineCommand } from "citty";
import { UserError } from "../../config/user-error.ts";
import { CONFIG_ARGS } from "../config-args.ts";

const BACKTEST_ARGS = {
  ...CONFIG_ARGS,
  from: { type: "string", valueHint: "YYYY-MM-DD", description: "First trading day (default: the data's first; clamped to the data, with a note)" },
  to: { type: "string", valueHint: "YYYY-MM-DD", description: "Last trading day (default: the data's last)" },
  data: { type: "string", valueHint: "SPEC", description: "bundled (default: real SPY 5m 2024-03..2025-04), gbm:seed=1,vol=0.2[,bar=1m,days=252,...], cache[:1m] (bars from gs data fetch), or a CSV path" },
  "data-tz": { type: "string", valueHint: "ZONE", description: "Zone of naive CSV timestamps: America/New_York or UTC" },
  bar: { type: "string", valueHint: "SIZE", description: "Bar size of a CSV (default: inferred and checked) or of cached bars (default: 5m)" },
  iv: { type: "string", valueHint: "VOL|vix|PATH|cache", description: "Implied vol: 0.18 or 18%, vix (bundled), a CSV, or cache[:1h] (IB option IV from gs data fetch --what iv); default: VIX for bundled, the path's vol for gbm" },
  json: { type: "boolean", description: "Print the summary as JSON (no progress bar)" },
  html: { type: "string", valueHint: "PATH", description: "Write a self-contained HTML report with charts" },
  log: { type: "string", valueHint: "PATH", description: "Write the per-decision log (.jsonl, or .csv)" },
  sweep: { type: "string", valueHint: "KEY=V1,V2", description: "Sweep a key over values (repeatable); runs the grid on all cores" },
  workers: { type: "string", valueHint: "N", description: "Sweep workers, all started at once (default: one per core, started as the grid's length pays for their warm-up)" },
  rank: { type: "string", default: "total", valueHint: "total|sharpe|drawdown", description: "Sweep ranking: total PnL, daily Sharpe, or smallest max drawdown" },
  save: { type: "boolean", default: true, description: "Record runs in the sink's backtest_runs (--no-save to skip)" },
  "sweep-worker": { type: "boolean", description: "(internal) serve sweep jobs as a worker" },
} as const;

/** Every value of a repeatable flag, in order (citty keeps only the last). */
function repeated(rawArgs: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i] ?? "";
    if (token === "--") break;
    if (token === flag && i + 1 < rawArgs.length) values.push(rawArgs[++i] ?? "");
    else if (token.startsWith(`${flag}=`)) values.push(token.slice(flag.length + 1));
  }
  return values;
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${flag} was '${text}', expected a whole number >= 1`);
  return value;
}

export default defineCommand({
  meta: { name: "backtest", description: "Replay history through the same hedging logic and report PnL and guard hits (backtest-only keys: --set backtest.contracts=20 etc., see docs/BACKTEST.md)" },
  args: BACKTEST_ARGS,
  async run({ args, rawArgs }) {
    if (args["sweep-worker"]) {
      const { serveSweepJobs } = await import("../../backtest/sweep/sweep-worker.ts");
      return serveSweepJobs();
    }
    const { runBacktestCommand } = await import("../../backtest/backtest-command.ts");
    const { SWEEP_RANKINGS } = await import("../../backtest/sweep/sweep-runner.ts");
    const rank = SWEEP_RANKINGS.find((ranking) => ranking === args.rank);
    if (rank === undefined) throw new UserError(`--rank was '${args.rank}', expected one of ${SWEEP_RANKINGS.join(", ")}`);
    process.exitCode = await runBacktestCommand({
      request: {
        configPath: args.config ?? null,
        assignments: repeated(rawArgs, "--set"),
        sweepAssignments: [],
        data: args.data ?? null,
        dataTz: args["data-tz"] ?? null,
        dataBar: args.bar ?? null,
        iv: args.iv ?? null,
        fromDay: args.from ?? null,
        toDay: args.to ?? null,
      },
      sweeps: repeated(rawArgs, "--sweep"),
      workers: positiveInteger(args.workers, "--workers"),
      rank,
      json: args.json === true,
      htmlPath: args.html ?? null,
      logPath: args.log ?? null,
      save: args.save !== false,
    });
  },
});
