// The numbers a trader reads after a run: PnL and its attribution, trading activity, risk
// (max drawdown, daily Sharpe), realised vs implied vol, a per-month table and the guard
// verification. Plain data, so it serialises as `--json`, into the sink and into HTML.
import { formatDay } from "../core/civil-date.ts";
import { newYorkDayNumber } from "../core/new-york-time.ts";
import type { SessionReport } from "../market-data/index.ts";
import type { GuardReport } from "./guard-audit.ts";
import type { PnlTotals } from "./pnl-ledger.ts";
import type { ReplayResult } from "./replay-engine.ts";
import type { DayRecord, RollRecord } from "./run-recorder.ts";

const TRADING_DAYS_PER_YEAR = 252;

export interface PnlBreakdown extends PnlTotals {
  /** Stock plus option commissions. */
  readonly commissionsUsd: number;
}

export interface MonthRow extends PnlBreakdown {
  readonly month: string;
  readonly tradingDays: number;
  readonly hedges: number;
  readonly sharesTraded: number;
  readonly realizedVol: number | null;
  readonly impliedVol: number | null;
}

/** What the data reader and the regular-session cut removed or found missing (whole source). */
export type DataQuality = Pick<
  SessionReport,
  "droppedExtendedHours" | "droppedClosingAuction" | "droppedAfterEarlyClose" | "droppedClosedDays" | "missingBars" | "partialDays" | "missingDays"
> & {
  readonly duplicatesDropped: number;
  readonly daysWithGaps: number;
};

export interface RunIdentity {
  readonly runId: string;
  readonly configHash: string;
  readonly dataFingerprint: string;
  readonly data: string;
  readonly iv: string;
  /** The vols' own fingerprint (part of configHash): changes when the values do. */
  readonly ivFingerprint: string;
  readonly clampNote: string | null;
  readonly fromDay: string;
  readonly toDay: string;
  readonly barSeconds: number;
  readonly symbol: string;
  readonly dataQuality: DataQuality | null;
  /** The swept or set keys that define this run (config and backtest keys). */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

export interface BacktestSummary extends RunIdentity {
  readonly bars: number;
  readonly tradingDays: number;
  readonly pnl: PnlBreakdown;
  readonly hedges: number;
  readonly forcedHedges: number;
  readonly sharesTraded: number;
  readonly rolls: number;
  readonly maxDrawdownUsd: number;
  readonly maxDrawdownFromDay: string | null;
  readonly maxDrawdownToDay: string | null;
  /** Annualised Sharpe of daily PnL (no risk-free deduction); null with < 2 days or no variance. */
  readonly dailySharpe: number | null;
  readonly realizedVol: number | null;
  readonly impliedVol: number | null;
  readonly months: readonly MonthRow[];
  readonly rollLog: readonly RollRecord[];
  readonly guards: GuardReport;
}

function breakdown(totals: PnlTotals): PnlBreakdown {
  return {
    totalUsd: totals.totalUsd,
    scalpingUsd: totals.scalpingUsd,
    thetaUsd: totals.thetaUsd,
    vegaUsd: totals.vegaUsd,
    hedgeSlippageUsd: totals.hedgeSlippageUsd,
    rollCostsUsd: totals.rollCostsUsd,
    commissionsUsd: totals.stockCommissionsUsd + totals.optionCommissionsUsd,
    stockCommissionsUsd: totals.stockCommissionsUsd,
    optionCommissionsUsd: totals.optionCommissionsUsd,
  };
}

function difference(a: PnlTotals, b: PnlTotals | null): PnlBreakdown {
  const base = b ?? { totalUsd: 0, scalpingUsd: 0, thetaUsd: 0, vegaUsd: 0, hedgeSlippageUsd: 0, rollCostsUsd: 0, stockCommissionsUsd: 0, optionCommissionsUsd: 0 };
  return breakdown({
    totalUsd: a.totalUsd - base.totalUsd,
    scalpingUsd: a.scalpingUsd - base.scalpingUsd,
    thetaUsd: a.thetaUsd - base.thetaUsd,
    vegaUsd: a.vegaUsd - base.vegaUsd,
    hedgeSlippageUsd: a.hedgeSlippageUsd - base.hedgeSlippageUsd,
    rollCostsUsd: a.rollCostsUsd - base.rollCostsUsd,
    stockCommissionsUsd: a.stockCommissionsUsd - base.stockCommissionsUsd,
    optionCommissionsUsd: a.optionCommissionsUsd - base.optionCommissionsUsd,
  });
}

/** Annualised vol from summed squared bar returns over trading days. */
export function annualisedVol(squaredReturns: number, tradingDays: number): number | null {
  return tradingDays === 0 ? null : Math.sqrt((squaredReturns / tradingDays) * TRADING_DAYS_PER_YEAR);
}

export function dailySharpe(days: readonly DayRecord[]): number | null {
  if (days.length < 2) return null;
  const pnls = days.map((day, i) => day.endEquityUsd - (i === 0 ? 0 : (days[i - 1] as DayRecord).endEquityUsd));
  const mean = pnls.reduce((sum, x) => sum + x, 0) / pnls.length;
  const variance = pnls.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (pnls.length - 1);
  return variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(TRADING_DAYS_PER_YEAR) : null;
}

/** Largest fall of equity from a running peak (the start counts as a peak of 0), incl. the close-out. */
function maxDrawdown(result: ReplayResult): { usd: number; fromMs: number | null; toMs: number | null } {
  const { equityUsd, tsMs } = result.bars;
  let peak = 0;
  let peakMs: number | null = tsMs[0] ?? null;
  let worst = 0;
  let from: number | null = null;
  let to: number | null = null;
  const visit = (equity: number, ms: number): void => {
    if (equity > peak) {
      peak = equity;
      peakMs = ms;
    } else if (peak - equity > worst) {
      worst = peak - equity;
      from = peakMs;
      to = ms;
    }
  };
  for (let i = 0; i < equityUsd.length; i++) visit(equityUsd[i] as number, tsMs[i] as number);
  if (tsMs.length > 0) visit(result.totals.totalUsd, tsMs[tsMs.length - 1] as number);
  return { usd: worst, fromMs: from, toMs: to };
}

function monthRows(days: readonly DayRecord[]): MonthRow[] {
  const rows: MonthRow[] = [];
  let previousEnd: PnlTotals | null = null;
  let group: DayRecord[] = [];
  const flush = (): void => {
    const last = group.at(-1);
    if (last === undefined) return;
    const squares = group.reduce((sum, day) => sum + day.squaredReturns, 0);
    const ivDays = group.filter((day) => day.bars > 0);
    rows.push({
      month: last.day.slice(0, 7),
      ...difference(last.cumulative, previousEnd),
      tradingDays: group.length,
      hedges: group.reduce((sum, day) => sum + day.hedges, 0),
      sharesTraded: group.reduce((sum, day) => sum + day.sharesTraded, 0),
      realizedVol: annualisedVol(squares, group.length),
      impliedVol: ivDays.length === 0 ? null : ivDays.reduce((sum, day) => sum + day.meanImpliedVol, 0) / ivDays.length,
    });
    previousEnd = last.cumulative;
    group = [];
  };
  for (const day of days) {
    if (group.length > 0 && (group[0] as DayRecord).day.slice(0, 7) !== day.day.slice(0, 7)) flush();
    group.push(day);
  }
  flush();
  return rows;
}

const dayOf = (ms: number | null): string | null => (ms === null ? null : formatDay(newYorkDayNumber(ms)));

export function summarize(identity: RunIdentity, result: ReplayResult): BacktestSummary {
  const days = result.days;
  const drawdown = maxDrawdown(result);
  const squares = days.reduce((sum, day) => sum + day.squaredReturns, 0);
  return {
    ...identity,
    bars: result.bars.tsMs.length,
    tradingDays: days.length,
    pnl: breakdown(result.totals),
    hedges: result.hedges.length,
    forcedHedges: result.guards.forcedHedges,
    sharesTraded: result.sharesTraded,
    rolls: Math.max(0, result.rolls.length - 1),
    maxDrawdownUsd: drawdown.usd,
    maxDrawdownFromDay: dayOf(drawdown.fromMs),
    maxDrawdownToDay: dayOf(drawdown.toMs),
    dailySharpe: dailySharpe(days),
    realizedVol: annualisedVol(squares, days.length),
    impliedVol: days.length === 0 ? null : days.reduce((sum, day) => sum + day.meanImpliedVol, 0) / days.length,
    months: monthRows(days),
    rollLog: result.rolls,
    guards: result.guards,
  };
}
