// `gs stats` (R-H2): statistics computed from a real sink's operations, daily_state and
// status_history, on both sinks; and the CLI's JSON and error output on SQLite.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { historyStats } from "../../src/sink/history-stats.ts";
import type { Sink } from "../../src/sink/port.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { dailyState, operationRow, statusRow } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

const at = (iso: string): number => Date.parse(iso);
const NOW_MS = at("2025-01-14T17:00:00Z");

async function writeHistory(sink: Sink): Promise<void> {
  const rows = [
    operationRow(0, { type: "hedge_intent", tsMs: at("2025-01-06T14:35:00Z"), side: null, quantityShares: 25, commissionUsd: null, execId: null }),
    operationRow(1, { type: "order_sent", tsMs: at("2025-01-06T14:35:01Z"), commissionUsd: null, execId: null }),
    operationRow(2, { type: "fill", tsMs: at("2025-01-06T14:35:02Z"), side: "BUY", quantityShares: 25, commissionUsd: 1.25 }),
    operationRow(3, { type: "partial_fill", tsMs: at("2025-01-06T15:00:00Z"), side: "SELL", quantityShares: 10, commissionUsd: 0.5 }),
    operationRow(4, { type: "commission", tsMs: at("2025-01-06T15:00:01Z"), side: null, quantityShares: null, commissionUsd: 0.35, execId: null }),
    // 22:30 in New York on Jan 7 is already Jan 8 in UTC: it counts for Jan 7.
    operationRow(5, { type: "fill", tsMs: at("2025-01-08T03:30:00Z"), side: "SELL", quantityShares: 40, commissionUsd: null }),
    operationRow(6, { type: "hedge_intent", tsMs: at("2025-01-13T15:00:00Z"), side: null, commissionUsd: null, execId: null }),
    // A commission that came after midnight, and a fill reconciliation found the next morning: their execution's day.
    operationRow(8, { type: "commission", tsMs: at("2025-01-14T05:10:00Z"), side: null, quantityShares: null, commissionUsd: 0.4, execId: null, payload: { executedAtMs: at("2025-01-13T20:59:50Z") } }),
    operationRow(9, { type: "fill", tsMs: at("2025-01-14T14:00:00Z"), side: "BUY", quantityShares: 5, commissionUsd: 1, payload: { executedAtMs: at("2025-01-13T19:00:00Z") } }),
    // The broker corrects Jan 6's 25-share fill to 20 shares and its commission by -0.25: the difference counts, not another fill.
    operationRow(7, { type: "fill_correction", tsMs: at("2025-01-06T15:30:00Z"), side: "BUY", quantityShares: 20, commissionUsd: -0.25, payload: { correctsExecId: "e2", replacedShares: 25, replacedPrice: 580 } }),
  ];
  for (const row of rows) sink.writeOperation(row);
  sink.writeDailyState(dailyState({ tradingDay: "2025-01-06", realizedPnlUsd: 100.5 }));
  sink.writeDailyState(dailyState({ tradingDay: "2025-01-07", realizedPnlUsd: -20.25 }));
  sink.writeDailyState(dailyState({ daemonId: "gs-2", tradingDay: "2025-01-06", realizedPnlUsd: 10 }));
  sink.writeStatus(statusRow({ daemonId: "gs-2", tsMs: at("2025-01-06T20:00:00Z") }), { history: false });
  // No daily_state on Jan 13: the day's last status snapshot gives the figure.
  sink.writeStatus(statusRow({ tsMs: at("2025-01-13T16:00:00Z"), dailyRealizedPnlUsd: -1, details: { dailyPnlUsd: 12 } }), { history: true });
  sink.writeStatus(statusRow({ tsMs: at("2025-01-13T20:59:00Z"), dailyRealizedPnlUsd: -3.5, details: { dailyPnlUsd: -7.25 } }), { history: true });
  // 00:30 in New York on Jan 14: the next day's figure, not Jan 13's.
  sink.writeStatus(statusRow({ tsMs: at("2025-01-14T05:30:00Z"), details: { dailyPnlUsd: 999 } }), { history: true });
  // The strategy's PnL: the newest figure of the day (a later row without one, e.g. written
  // while a leg waited for its first mark, does not hide it), summed over daemons.
  sink.writeStatus(statusRow({ tsMs: at("2025-01-06T21:00:00Z"), details: { dailyPnlUsd: 250.125 } }), { history: true });
  sink.writeStatus(statusRow({ tsMs: at("2025-01-06T23:00:00Z"), details: { dailyPnlUsd: null } }), { history: true });
  sink.writeStatus(statusRow({ daemonId: "gs-2", tsMs: at("2025-01-06T20:30:00Z"), details: { dailyPnlUsd: -40 } }), { history: true });
  await sink.flush();
}

describeSinks("gs stats", (makeSink) => {
  test("per day, per week and summary from operations, daily_state and status_history", async () => {
    const sink = await makeSink();
    await writeHistory(sink);
    const stats = await historyStats(sink, { days: 0, nowMs: NOW_MS });
    expect(stats.daemons).toEqual(["gs-2", "gs-test"]);
    expect(stats.days).toEqual([
      { period: "2025-01-06", hedgeIntents: 1, fills: 2, sharesBought: 20, sharesSold: 10, commissionsUsd: 1.85, strategyPnlUsd: 210.13, realizedPnlUsd: 110.5, operations: 5 },
      { period: "2025-01-07", hedgeIntents: 0, fills: 1, sharesBought: 0, sharesSold: 40, commissionsUsd: 0, strategyPnlUsd: null, realizedPnlUsd: -20.25, operations: 1 },
      { period: "2025-01-13", hedgeIntents: 1, fills: 1, sharesBought: 5, sharesSold: 0, commissionsUsd: 1.4, strategyPnlUsd: -7.25, realizedPnlUsd: -3.5, operations: 3 },
    ]);
    expect(stats.weeks.map((week) => [week.period, week.fills, week.strategyPnlUsd, week.realizedPnlUsd])).toEqual([
      ["2025-01-06", 3, 210.13, 90.25],
      ["2025-01-13", 1, -7.25, -3.5],
    ]);
    expect(stats.summary).toMatchObject({ hedgeIntents: 2, fills: 4, sharesBought: 25, sharesSold: 50, commissionsUsd: 3.25, strategyPnlUsd: 202.88, realizedPnlUsd: 86.75, activeDays: 3, daysWithPnl: 3, daysWithStrategyPnl: 2, winningDays: 1 });
    expect(stats.fromDay).toBe("2025-01-06");
    expect(stats.toDay).toBe("2025-01-14");
  });

  test("--days counts New York calendar days back from today, and a daemon filter narrows it", async () => {
    const sink = await makeSink();
    await writeHistory(sink);
    const recent = await historyStats(sink, { days: 2, nowMs: NOW_MS });
    expect(recent.days.map((day) => day.period)).toEqual(["2025-01-13"]);
    const week = await historyStats(sink, { days: 8, nowMs: NOW_MS });
    expect(week.days.map((day) => day.period)).toEqual(["2025-01-07", "2025-01-13"]);
    const other = await historyStats(sink, { days: 0, nowMs: NOW_MS, daemonId: "gs-2" });
    expect(other.days).toEqual([]);
    expect(other.summary.realizedPnlUsd).toBeNull();
  });
});

describe("gs stats command", () => {
  const run = (args: readonly string[], cwd: string) =>
    Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/cli/main.ts"), "stats", ...args], { cwd, stdout: "pipe", stderr: "pipe" });

  test("--json prints the statistics of the configured sink; a bad --days is a clear error", async () => {
    const directory = mkdtempSync(join(tmpdir(), "gs-stats-cli-"));
    try {
      const sink = SqliteSink.open({ path: join(directory, "gs.db"), spoolPath: join(directory, "spool.ndjson") });
      await sink.migrate();
      sink.writeOperation(operationRow(0, { tsMs: Date.now(), type: "fill", side: "BUY", quantityShares: 30, commissionUsd: 1.5 }));
      await sink.close();
      const settings = ["--set", `status.sqlite.path=${join(directory, "gs.db")}`, "--set", `status.spool_path=${join(directory, "spool.ndjson")}`];
      const result = run(["--json", "--days", "1", ...settings], directory);
      expect(result.stderr.toString()).toBe("");
      const stats = JSON.parse(result.stdout.toString());
      expect(stats.summary).toMatchObject({ fills: 1, sharesBought: 30, commissionsUsd: 1.5 });

      const text = run(["--days", "1", ...settings], directory);
      expect(text.stdout.toString()).toContain("Per day");
      expect(text.stdout.toString()).toMatch(/day +intents +fills +bought +sold +commissions \$ +PnL \$ +hedge realised \$/);
      expect(text.exitCode).toBe(0);

      const bad = run(["--days", "-3", ...settings], directory);
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr.toString()).toContain('--days was "-3", expected a whole number of days >= 0');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 30_000);
});
