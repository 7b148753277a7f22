// The terminal report of one run: headline PnL and attribution, activity and risk, vols,
// guard verification and the per-month table. Plain text, aligned columns, no colour.
import { formatBarSize } from "../market-data/index.ts";
import { INVARIANTS } from "./guard-audit.ts";
import type { GuardReport, InvariantName } from "./guard-audit.ts";
import type { BacktestSummary, PnlBreakdown } from "./summary.ts";

export function usd(value: number): string {
  const sign = value < 0 ? "-" : "";
  return `${sign}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function pct(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(2)}%`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

/** PnL and its attribution, costs as negative numbers (shared by the text and HTML reports). */
export function pnlRows(pnl: PnlBreakdown): [string, string][] {
  return [
    ["total", usd(pnl.totalUsd)],
    ["gamma / scalping", usd(pnl.scalpingUsd)],
    ["theta", usd(pnl.thetaUsd)],
    ["vega", usd(pnl.vegaUsd)],
    ["hedge slippage", usd(-pnl.hedgeSlippageUsd)],
    ["option spreads (open, rolls, close)", usd(-pnl.rollCostsUsd)],
    ["commissions", usd(-pnl.commissionsUsd)],
  ];
}

export const MONTH_HEADER = ["month", "total", "scalping", "theta", "vega", "costs", "hedges", "realised vol", "implied vol"];

export function monthRows(summary: BacktestSummary): string[][] {
  return summary.months.map((m) => [
    m.month,
    usd(m.totalUsd),
    usd(m.scalpingUsd),
    usd(m.thetaUsd),
    usd(m.vegaUsd),
    usd(-(m.hedgeSlippageUsd + m.rollCostsUsd + m.commissionsUsd)),
    String(m.hedges),
    pct(m.realizedVol),
    pct(m.impliedVol),
  ]);
}

/** One line on what the session cut removed and what is missing, or null for synthetic data. */
export function describeDataQuality(summary: BacktestSummary): string | null {
  const q = summary.dataQuality;
  if (q === null) return null;
  const dropped = [
    [q.droppedExtendedHours, "extended-hours"],
    [q.droppedClosingAuction, "closing-auction"],
    [q.droppedAfterEarlyClose, "after-early-close"],
    [q.droppedClosedDays, "closed-day"],
    [q.duplicatesDropped, "duplicate"],
  ] as const;
  const parts = dropped.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  const notes = [parts.length === 0 ? "no bars dropped" : `dropped ${parts.join(", ")} bars`];
  if (q.missingBars > 0) notes.push(`${q.missingBars} missing bars on ${q.daysWithGaps} day(s)`);
  if (q.missingDays.length > 0) notes.push(`no bars on ${q.missingDays.length} trading day(s) (${q.missingDays.slice(0, 3).join(", ")}${q.missingDays.length > 3 ? ", ..." : ""})`);
  if (q.partialDays.length > 0) notes.push(`partial day(s) ${q.partialDays.slice(0, 3).join(", ")}${q.partialDays.length > 3 ? ", ..." : ""}`);
  return `${notes.join("; ")} (whole source)`;
}

export function renderTextReport(summary: BacktestSummary): string {
  const { pnl, guards } = summary;
  const lines: string[] = [];
  lines.push(`gs backtest ${summary.runId}`);
  lines.push(`  data      ${summary.data}, ${formatBarSize(summary.barSeconds)} bars, ${summary.fromDay} to ${summary.toDay} (${summary.tradingDays} trading days, ${summary.bars} bars)`);
  if (summary.clampNote !== null) lines.push(`  note      ${summary.clampNote}`);
  const quality = describeDataQuality(summary);
  if (quality !== null) lines.push(`  quality   ${quality}`);
  lines.push(`  iv        ${summary.iv}`);
  lines.push(`  config    ${summary.configHash.slice(0, 16)}  data ${summary.dataFingerprint}  iv ${summary.ivFingerprint}`);
  lines.push("");
  lines.push(...table(["PnL", "USD"], pnlRows(pnl).map(([name, value], i) => [i === 0 ? name : `  ${name}`, value])));
  lines.push("");
  lines.push(`  hedges ${summary.hedges} (${summary.forcedHedges} forced), shares traded ${summary.sharesTraded.toLocaleString("en-US")}, rolls ${summary.rolls}`);
  lines.push(`  max drawdown ${usd(summary.maxDrawdownUsd)}${summary.maxDrawdownFromDay === null ? "" : ` (${summary.maxDrawdownFromDay} to ${summary.maxDrawdownToDay})`}, daily Sharpe ${summary.dailySharpe === null ? "n/a" : summary.dailySharpe.toFixed(2)}`);
  lines.push(`  realised vol ${pct(summary.realizedVol)} vs implied ${pct(summary.impliedVol)}`);
  lines.push("");
  lines.push(`Guard verification: ${guards.checkedOrders} orders checked, ${describeViolations(guards)}`);
  const binding = new Map(guards.binding.map((entry) => [entry.code, entry]));
  lines.push(...table(["invariant", "checked", "violations"], invariantRows(guards)).map((line) => `  ${line}`));
  for (const violation of guards.violations.slice(0, 20)) lines.push(`  ! ${new Date(violation.tsMs).toISOString()} ${violation.invariant}: ${violation.message}`);
  if (binding.size > 0) {
    lines.push("  binding guards (blocked a wanted hedge):");
    const rows = guards.binding.map((entry) => [entry.code, String(entry.deniedEvaluations), String(entry.episodes), String(entry.days)]);
    lines.push(...table(["guard", "evaluations", "episodes", "days"], rows).map((line) => `    ${line}`));
  }
  lines.push("");
  lines.push("Per month");
  lines.push(...table(MONTH_HEADER, monthRows(summary)).map((line) => `  ${line}`));
  return `${lines.join("\n")}\n`;
}

/** "0 violations", or the total in capitals, saying when only the first ones are listed. */
export function describeViolations(guards: GuardReport): string {
  const total = guards.violationCount;
  if (total === 0) return "0 violations";
  const listed = guards.violations.length < total ? ` (the first ${guards.violations.length} listed)` : "";
  return `${total} VIOLATION(S)${listed}`;
}

/** Per invariant: how many orders it was checked on (or why it cannot fail), and its violations. */
export function invariantRows(guards: GuardReport): string[][] {
  const held: Readonly<Partial<Record<InvariantName, string>>> = guards.heldByConstruction;
  const checks: Readonly<Partial<Record<InvariantName, number>>> = guards.checks;
  return INVARIANTS.map((name) => [name, held[name] ?? String(checks[name] ?? 0), String(guards.violationsByInvariant[name])]);
}
