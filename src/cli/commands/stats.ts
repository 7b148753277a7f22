// `gs stats`: history statistics (R-H2) from the configured sink, read-only: per day and
// per week hedge intents, fills, shares, commissions, the strategy's PnL and the hedge
// stock's realised PnL, and a summary.
import { defineCommand } from "citty";
import { UserError } from "../../config/user-error.ts";
import type { HistoryStats, PeriodStats } from "../../sink/history-stats.ts";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";

export default defineCommand({
  meta: { description: "History statistics: hedges, fills, shares, commissions and PnL per day and week" },
  args: {
    ...CONFIG_ARGS,
    days: { type: "string", valueHint: "N", description: "Days of history, today included (default 30; 0 = all)" },
    json: { type: "boolean", description: "Print the statistics as JSON" },
    "daemon-id": { type: "string", valueHint: "ID", description: "Only this daemon (default: all daemons in the database)" },
  },
  async run(context) {
    const days = parseDays(context.args.days);
    const loaded = loadConfigFromArgs(context);
    const { openExistingSink } = await import("../../sink/open-sink.ts");
    const { historyStats } = await import("../../sink/history-stats.ts");
    const sink = await openExistingSink(loaded.config);
    try {
      const daemonId = context.args["daemon-id"];
      const stats = await historyStats(sink, { days, nowMs: Date.now(), ...(daemonId === undefined ? {} : { daemonId }) });
      process.stdout.write(context.args.json ? `${JSON.stringify(stats, null, 2)}\n` : renderStats(stats, days));
    } finally {
      await sink.close();
    }
  },
});

function parseDays(text: string | undefined): number {
  if (text === undefined) return 30;
  if (!/^\d+$/.test(text)) throw new UserError(`--days was ${JSON.stringify(text)}, expected a whole number of days >= 0 (0 = all history)`);
  return Number(text);
}

const COLUMNS: readonly [string, (period: PeriodStats) => string][] = [
  ["intents", (p) => String(p.hedgeIntents)],
  ["fills", (p) => String(p.fills)],
  ["bought", (p) => String(p.sharesBought)],
  ["sold", (p) => String(p.sharesSold)],
  ["commissions $", (p) => p.commissionsUsd.toFixed(2)],
  ["PnL $", (p) => money(p.strategyPnlUsd)],
  ["hedge realised $", (p) => money(p.realizedPnlUsd)],
];

function money(usd: number | null): string {
  return usd === null ? "-" : usd.toFixed(2);
}

function table(title: string, first: string, periods: readonly PeriodStats[]): string {
  const header = [first, ...COLUMNS.map(([name]) => name)];
  const rows = periods.map((period) => [period.period, ...COLUMNS.map(([, cell]) => cell(period))]);
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  return [title, line(header), ...rows.map(line), ""].join("\n");
}

function dollars(usd: number | null): string {
  return usd === null ? "-" : `${usd < 0 ? "-" : ""}$${Math.abs(usd).toFixed(2)}`;
}

function renderStats(stats: HistoryStats, days: number): string {
  const window = days === 0 ? "all history" : `last ${days} day(s)`;
  const daemons = stats.daemons.length === 0 ? "none" : stats.daemons.join(", ");
  const head = `gs stats: ${window} up to ${stats.toDay} (New York trading days); daemons: ${daemons}\n\n`;
  if (stats.days.length === 0) return `${head}No hedge intents, fills or commissions recorded in this window.\n`;
  const { summary } = stats;
  return [
    head,
    table("Per day", "day", stats.days),
    table("Per week", "week of", stats.weeks),
    "Summary",
    `  active days ${summary.activeDays}, days with PnL ${summary.daysWithStrategyPnl} (${summary.winningDays} above zero)`,
    `  hedge intents ${summary.hedgeIntents}, fills ${summary.fills}, shares bought ${summary.sharesBought}, sold ${summary.sharesSold}`,
    `  PnL ${dollars(summary.strategyPnlUsd)} (scalping + options - commissions), commissions $${summary.commissionsUsd.toFixed(2)}, hedge stock realised ${dollars(summary.realizedPnlUsd)}`,
    "",
  ].join("\n");
}
