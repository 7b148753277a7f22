// `--html report.html`: one self-contained page (inline CSS and SVG, no scripts, nothing
// fetched) with the summary, the equity curve, PnL attribution over time, the delta and
// hedge position, the guard verification and the per-month table.
import type { ReplayResult } from "./replay-engine.ts";
import { describeDataQuality, describeViolations, invariantRows, MONTH_HEADER, monthRows, pct, pnlRows, usd } from "./report-text.ts";
import type { BacktestSummary } from "./summary.ts";
import { downsample, lineChart } from "./svg-chart.ts";

const BUCKETS = 700;

function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] as string);
}

function htmlTable(header: readonly string[] | null, rows: readonly (readonly string[])[]): string {
  const head = header === null ? "" : `<thead><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("")}</tr></thead>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`).join("");
  return `<table>${head}<tbody>${body}</tbody></table>`;
}

function charts(result: ReplayResult): string {
  const { bars, days } = result;
  const equity = downsample(bars.tsMs, bars.equityUsd, BUCKETS);
  // A day's point sits at its last bar.
  let barsSoFar = 0;
  const dayMs = days.map((day) => {
    barsSoFar += day.bars;
    return bars.tsMs[Math.max(0, barsSoFar - 1)] as number;
  });
  const cumulative = (pick: (day: (typeof days)[number]) => number): number[] => days.map(pick);
  const delta = downsample(bars.tsMs, bars.deltaShares, BUCKETS);
  const hedge = downsample(bars.tsMs, bars.hedgeShares, BUCKETS);
  return [
    lineChart([{ name: "equity (USD)", color: "#1f77b4", xs: equity.xs, ys: equity.ys }], { title: "Equity curve", yUnit: "USD" }),
    lineChart(
      [
        { name: "gamma / scalping", color: "#2ca02c", xs: dayMs, ys: cumulative((d) => d.cumulative.scalpingUsd) },
        { name: "theta", color: "#d62728", xs: dayMs, ys: cumulative((d) => d.cumulative.thetaUsd) },
        { name: "vega", color: "#9467bd", xs: dayMs, ys: cumulative((d) => d.cumulative.vegaUsd) },
        { name: "costs", color: "#ff7f0e", xs: dayMs, ys: cumulative((d) => -(d.cumulative.hedgeSlippageUsd + d.cumulative.rollCostsUsd + d.cumulative.stockCommissionsUsd + d.cumulative.optionCommissionsUsd)) },
        { name: "total", color: "#1f77b4", xs: dayMs, ys: cumulative((d) => d.endEquityUsd) },
      ],
      { title: "PnL attribution over time (cumulative)", yUnit: "USD" },
    ),
    lineChart(
      [
        { name: "portfolio delta before decision", color: "#8c564b", xs: delta.xs, ys: delta.ys },
        { name: "hedge shares", color: "#17becf", xs: hedge.xs, ys: hedge.ys },
      ],
      { title: "Delta and hedge position", yUnit: "shares" },
    ),
  ].join("\n");
}

export function renderHtmlReport(summary: BacktestSummary, result: ReplayResult): string {
  const { pnl, guards } = summary;
  const facts: [string, string][] = [
    ["data", `${summary.data} (${summary.fromDay} to ${summary.toDay}, ${summary.tradingDays} trading days, ${summary.bars} bars)`],
    ["data quality", describeDataQuality(summary) ?? "synthetic"],
    ["implied vol", summary.iv],
    ["config hash", summary.configHash],
    ["data fingerprint", summary.dataFingerprint],
    ["iv fingerprint", summary.ivFingerprint],
    ...(summary.clampNote === null ? [] : ([["note", summary.clampNote]] as [string, string][])),
  ];
  const riskRows = [
    ["hedges", `${summary.hedges} (${summary.forcedHedges} forced)`],
    ["shares traded", summary.sharesTraded.toLocaleString("en-US")],
    ["rolls", String(summary.rolls)],
    ["max drawdown", `${usd(summary.maxDrawdownUsd)} ${summary.maxDrawdownFromDay ?? ""}${summary.maxDrawdownToDay === null ? "" : ` to ${summary.maxDrawdownToDay}`}`],
    ["daily Sharpe", summary.dailySharpe === null ? "n/a" : summary.dailySharpe.toFixed(2)],
    ["realised vs implied vol", `${pct(summary.realizedVol)} vs ${pct(summary.impliedVol)}`],
  ];
  const bindingRows = guards.binding.map((b) => [b.code, String(b.deniedEvaluations), String(b.episodes), String(b.days)]);
  const verdict = `<p class="${guards.violationCount === 0 ? "ok" : "bad"}">Guard verification: ${guards.checkedOrders} orders checked, ${describeViolations(guards)}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gs backtest ${escapeHtml(summary.runId)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1000px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f4f4f4}.ok{color:#2a7d2a;font-weight:bold}.bad{color:#b00;font-weight:bold}svg{margin:8px 0 16px}</style>
</head><body>
<h1>gs backtest ${escapeHtml(summary.runId)}</h1>
${htmlTable(null, facts)}
<h2>PnL</h2>
${htmlTable(["component", "USD"], pnlRows(pnl))}
${htmlTable(["activity and risk", ""], riskRows)}
<h2>Charts</h2>
${charts(result)}
<h2>Guards</h2>
${verdict}
${htmlTable(["invariant", "checked", "violations"], invariantRows(guards))}
${bindingRows.length === 0 ? "<p>No guard blocked a wanted hedge.</p>" : htmlTable(["binding guard", "evaluations", "episodes", "days"], bindingRows)}
<h2>Per month</h2>
${htmlTable(MONTH_HEADER, monthRows(summary))}
</body></html>
`;
}

export async function writeHtmlReport(path: string, summary: BacktestSummary, result: ReplayResult): Promise<void> {
  await Bun.write(path, renderHtmlReport(summary, result));
}
