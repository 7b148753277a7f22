// History statistics (R-H2) over the Sink port, read-only: per trading day and per week,
// hedge intents, fills, shares, commissions (from `operations`), the strategy's PnL (the
// circuit breaker's figure in the day's last `status_history` row that has one: the daemon
// writes history all evening, so that is the day's close) and the hedge stock's realised PnL
// (from `daily_state`, else the day's last `status_history` row). Works on either sink.
import { formatDay, weekdayOf } from "../core/civil-date.ts";
import { newYorkDayNumber, newYorkWallToUtcMs } from "../core/new-york-time.ts";
import type { Sink } from "./port.ts";
import type { OperationType, StatusRow, StoredOperation } from "./records.ts";

export interface StatsWindow {
  /** Calendar days back from `nowMs` (New York dates), today included; 0 = all history. */
  readonly days: number;
  readonly nowMs: number;
  /** Only this daemon; all daemons when absent. */
  readonly daemonId?: string;
}

export interface PeriodStats {
  /** `YYYY-MM-DD`: the New York trading day, or the Monday starting the week. */
  readonly period: string;
  readonly hedgeIntents: number;
  /** Executions: `fill` and `partial_fill` rows. */
  readonly fills: number;
  readonly sharesBought: number;
  readonly sharesSold: number;
  readonly commissionsUsd: number;
  /**
   * The strategy's PnL: scalping + option mark-to-market - commissions, as the circuit
   * breaker judges it. Sum over daemons; null when no daemon left a figure for the period.
   */
  readonly strategyPnlUsd: number | null;
  /** The hedge stock's realised PnL. Sum over daemons; null when no daemon left a figure for the period. */
  readonly realizedPnlUsd: number | null;
  readonly operations: number;
}

export interface HistoryStats {
  readonly fromDay: string | null;
  readonly toDay: string;
  readonly daemons: readonly string[];
  readonly days: readonly PeriodStats[];
  readonly weeks: readonly PeriodStats[];
  readonly summary: PeriodStats & {
    readonly activeDays: number;
    /** Days with a hedge stock realised PnL. */
    readonly daysWithPnl: number;
    /** Days with a strategy PnL, and how many of those were above zero. */
    readonly daysWithStrategyPnl: number;
    readonly winningDays: number;
  };
}

const STATS_TYPES: readonly OperationType[] = ["hedge_intent", "fill", "partial_fill", "fill_correction", "commission"];
const PAGE_ROWS = 5_000;
/** History rows read back from a day's end to find its PnL figure (a stop or a restart leaves a few without one). */
const LAST_ROWS_SEARCHED = 20;

type MutablePeriod = { -readonly [key in keyof PeriodStats]: PeriodStats[key] };

function emptyPeriod(period: string): MutablePeriod {
  return { period, hedgeIntents: 0, fills: 0, sharesBought: 0, sharesSold: 0, commissionsUsd: 0, strategyPnlUsd: null, realizedPnlUsd: null, operations: 0 };
}

function addOperation(period: MutablePeriod, operation: StoredOperation): void {
  period.operations += 1;
  if (operation.type === "hedge_intent") period.hedgeIntents += 1;
  if (operation.type === "fill" || operation.type === "partial_fill") {
    period.fills += 1;
    const shares = Math.abs(operation.quantityShares ?? 0);
    if (operation.side === "BUY") period.sharesBought += shares;
    if (operation.side === "SELL") period.sharesSold += shares;
  }
  if (operation.type === "fill_correction") {
    // The broker's correction replaces the fill it names: only the difference in shares counts
    // (its commission_usd is already the difference).
    const replacedShares = operation.payload?.replacedShares;
    const deltaShares = Math.abs(operation.quantityShares ?? 0) - (typeof replacedShares === "number" ? replacedShares : 0);
    if (operation.side === "BUY") period.sharesBought += deltaShares;
    if (operation.side === "SELL") period.sharesSold += deltaShares;
  }
  period.commissionsUsd += operation.commissionUsd ?? 0;
}

function addPeriod(into: MutablePeriod, from: PeriodStats): void {
  into.hedgeIntents += from.hedgeIntents;
  into.fills += from.fills;
  into.sharesBought += from.sharesBought;
  into.sharesSold += from.sharesSold;
  into.commissionsUsd += from.commissionsUsd;
  into.operations += from.operations;
  into.strategyPnlUsd = plus(into.strategyPnlUsd, from.strategyPnlUsd);
  into.realizedPnlUsd = plus(into.realizedPnlUsd, from.realizedPnlUsd);
}

/** A sum of figures that may be missing: missing only when every part is. */
function plus(sum: number | null, figure: number | null): number | null {
  return figure === null ? sum : (sum ?? 0) + figure;
}

/** Rounds sums of money to cents so float noise never shows. */
function tidy(period: MutablePeriod): PeriodStats {
  const cents = (value: number) => Math.round(value * 100) / 100;
  const centsOrNull = (value: number | null) => (value === null ? null : cents(value));
  return { ...period, commissionsUsd: cents(period.commissionsUsd), strategyPnlUsd: centsOrNull(period.strategyPnlUsd), realizedPnlUsd: centsOrNull(period.realizedPnlUsd) };
}

export async function historyStats(sink: Sink, window: StatsWindow): Promise<HistoryStats> {
  const todayNumber = newYorkDayNumber(window.nowMs);
  const firstDay = window.days > 0 ? todayNumber - window.days + 1 : Number.NEGATIVE_INFINITY;
  const sinceMs = window.days > 0 ? newYorkWallToUtcMs(firstDay, 0, 0) : undefined;
  const byDay = new Map<number, MutablePeriod>();
  const daemons = new Set<string>();
  let beforeId: number | undefined;
  for (;;) {
    const page = await sink.queryOperations({
      limit: PAGE_ROWS,
      types: STATS_TYPES,
      ...(sinceMs === undefined ? {} : { sinceMs }),
      ...(window.daemonId === undefined ? {} : { daemonId: window.daemonId }),
      ...(beforeId === undefined ? {} : { beforeId }),
    });
    for (const operation of page) {
      const dayNumber = newYorkDayNumber(executedAtMs(operation) ?? operation.tsMs);
      if (dayNumber < firstDay || dayNumber > todayNumber) continue;
      daemons.add(operation.daemonId);
      let day = byDay.get(dayNumber);
      if (day === undefined) byDay.set(dayNumber, (day = emptyPeriod(formatDay(dayNumber))));
      addOperation(day, operation);
    }
    if (page.length < PAGE_ROWS) break;
    beforeId = page[page.length - 1]?.id;
  }
  for (const status of await sink.readStatusCurrent(window.daemonId)) daemons.add(status.daemonId);

  const dayNumbers = [...byDay.keys()].sort((a, b) => a - b);
  for (const dayNumber of dayNumbers) {
    const day = byDay.get(dayNumber) as MutablePeriod;
    for (const daemonId of daemons) {
      const lastRows = await sink.queryHistory({ daemonId, sinceMs: newYorkWallToUtcMs(dayNumber, 0, 0), untilMs: newYorkWallToUtcMs(dayNumber + 1, 0, 0), limit: LAST_ROWS_SEARCHED });
      day.strategyPnlUsd = plus(day.strategyPnlUsd, strategyPnl(lastRows));
      day.realizedPnlUsd = plus(day.realizedPnlUsd, await realizedPnl(sink, daemonId, dayNumber, lastRows[0]));
    }
  }

  const days = dayNumbers.map((dayNumber) => byDay.get(dayNumber) as MutablePeriod);
  const weeks = new Map<string, MutablePeriod>();
  const summary = emptyPeriod("all");
  for (const [index, day] of days.entries()) {
    const dayNumber = dayNumbers[index] as number;
    const monday = formatDay(dayNumber - ((weekdayOf(dayNumber) + 6) % 7));
    let week = weeks.get(monday);
    if (week === undefined) weeks.set(monday, (week = emptyPeriod(monday)));
    addPeriod(week, day);
    addPeriod(summary, day);
  }
  return {
    fromDay: days[0]?.period ?? null,
    toDay: formatDay(todayNumber),
    daemons: [...daemons].sort(),
    days: days.map(tidy),
    weeks: [...weeks.values()].map(tidy),
    summary: {
      ...tidy(summary),
      activeDays: days.length,
      daysWithPnl: days.filter((day) => day.realizedPnlUsd !== null).length,
      daysWithStrategyPnl: days.filter((day) => day.strategyPnlUsd !== null).length,
      winningDays: days.filter((day) => day.strategyPnlUsd !== null && day.strategyPnlUsd > 0).length,
    },
  };
}

/**
 * When the execution a row records took place: a fill recorded late (found by reconciliation
 * after a restart) or a commission that came after midnight belongs to its execution's day.
 */
function executedAtMs(operation: StoredOperation): number | null {
  const at = operation.payload?.executedAtMs;
  return typeof at === "number" && Number.isFinite(at) ? at : null;
}

/** daily_state's figure when the daemon saved one, else the last status snapshot of that day. */
async function realizedPnl(sink: Sink, daemonId: string, dayNumber: number, last: StatusRow | undefined): Promise<number | null> {
  const state = await sink.loadDailyState(daemonId, formatDay(dayNumber));
  if (state !== null) return state.realizedPnlUsd;
  return last === undefined ? null : last.dailyRealizedPnlUsd;
}

/**
 * The newest figure among a day's last history rows, newest first. A row may carry none: a
 * leg waiting for its first mark, a daemon stopped before it had a quote, a row written
 * before the figure was recorded.
 */
function strategyPnl(newestFirst: readonly StatusRow[]): number | null {
  for (const row of newestFirst) {
    const figure = row.details.dailyPnlUsd;
    if (typeof figure === "number" && Number.isFinite(figure)) return figure;
  }
  return null;
}
