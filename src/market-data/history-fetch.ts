// Caches a broker's historical bars in the sink's `bars` table for backtests
// (`gs data fetch SPY --from 2024-01-01 --bar 1m`). Work is cut into windows of whole
// sessions; a window whose bars are all cached already is skipped, so an interrupted fetch
// resumes where it stopped. Requests are paced within IB's historical-data limits.
import type { Broker, HistoricalBar } from "../broker/port.ts";
import { BrokerError } from "../broker/port.ts";
import type { Sink } from "../sink/port.ts";
import type { Bar } from "../sink/records.ts";
import { DataInputError } from "./data-input-error.ts";
import { sessionsBetween } from "./exchange-calendar.ts";
import type { TradingSession } from "./exchange-calendar.ts";
import { formatDay } from "./ny-time.ts";

/** IB: at most 60 historical requests in any 10 minutes; we also keep 2 s between two. */
const IB_PACING = { maxRequests: 60, windowMs: 600_000, minSpacingMs: 2_000 } as const;
const RETRIES_AFTER_PACING_ERROR = 3;
const PACING_BACKOFF_MS = 60_000;

export interface FetchClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

/** Sliding-window request pacer. */
export class RequestPacer {
  private readonly sent: number[] = [];

  constructor(
    private readonly clock: FetchClock,
    private readonly limits: { readonly maxRequests: number; readonly windowMs: number; readonly minSpacingMs: number } = IB_PACING,
  ) {}

  async wait(): Promise<void> {
    for (;;) {
      const now = this.clock.nowMs();
      while (this.sent.length > 0 && now - (this.sent[0] as number) >= this.limits.windowMs) this.sent.shift();
      const last = this.sent.at(-1);
      const spacingWait = last === undefined ? 0 : last + this.limits.minSpacingMs - now;
      const windowWait = this.sent.length < this.limits.maxRequests ? 0 : (this.sent[0] as number) + this.limits.windowMs - now;
      const waitMs = Math.max(spacingWait, windowWait);
      if (waitMs <= 0) break;
      await this.clock.sleep(waitMs);
    }
    this.sent.push(this.clock.nowMs());
  }
}

export interface FetchWindow {
  readonly sessions: readonly TradingSession[];
  readonly startMs: number;
  readonly endMs: number;
  readonly expectedBars: number;
}

/** Sessions per request: a week of 1-minute bars, a month of 5-minute or longer bars. */
function sessionsPerWindow(barSeconds: number): number {
  return barSeconds < 300 ? 5 : 20;
}

export function planWindows(fromDay: number, toDay: number, barSeconds: number): FetchWindow[] {
  const sessions = sessionsBetween(fromDay, toDay);
  const size = sessionsPerWindow(barSeconds);
  const windows: FetchWindow[] = [];
  for (let i = 0; i < sessions.length; i += size) {
    const chunk = sessions.slice(i, i + size);
    const expectedBars = chunk.reduce((sum, s) => sum + Math.floor((s.closeUtcMs - s.openUtcMs) / (barSeconds * 1000)), 0);
    windows.push({ sessions: chunk, startMs: (chunk[0] as TradingSession).openUtcMs, endMs: (chunk.at(-1) as TradingSession).closeUtcMs, expectedBars });
  }
  return windows;
}

export type HistoryKind = "trades" | "implied_volatility";

export interface FetchRequest {
  readonly symbol: string;
  readonly barSeconds: number;
  readonly fromDay: number;
  readonly toDay: number;
  /** Trades of the underlying (default) or its options' implied volatility. */
  readonly what?: HistoryKind;
}

/** The `bars` table key an implied-vol history is cached under (close = vol as a fraction). */
export function ivCacheSymbol(symbol: string): string {
  return `${symbol}:IV`;
}

export interface FetchReport {
  readonly windows: number;
  readonly fetchedWindows: number;
  readonly skippedWindows: number;
  readonly savedBars: number;
  /** Bars the broker sent outside the regular session of their day (dropped). */
  readonly droppedBars: number;
}

export interface FetchDeps {
  /** Only what fetching needs from the Broker port. */
  readonly broker: Pick<Broker, "name" | "capabilities" | "historicalBars">;
  readonly sink: Sink;
  readonly pacer: RequestPacer;
  readonly clock: FetchClock;
  readonly onProgress: (done: number, total: number, window: FetchWindow, note: string) => void;
}

function inSession(bar: HistoricalBar, sessions: readonly TradingSession[]): boolean {
  return sessions.some((s) => bar.tsMs >= s.openUtcMs && bar.tsMs < s.closeUtcMs);
}

async function requestWithRetry(deps: FetchDeps, request: FetchRequest, window: FetchWindow): Promise<HistoricalBar[]> {
  const fetch = deps.broker.historicalBars?.bind(deps.broker);
  if (fetch === undefined) throw new DataInputError(`the ${deps.broker.name} broker cannot fetch historical bars in this build (no historicalBars)`);
  for (let attempt = 0; ; attempt++) {
    await deps.pacer.wait();
    try {
      return await fetch({ symbol: request.symbol, barSeconds: request.barSeconds, startMs: window.startMs, endMs: window.endMs, regularHoursOnly: true, what: request.what ?? "trades" });
    } catch (error) {
      if (!(error instanceof BrokerError) || error.kind !== "temporary" || attempt >= RETRIES_AFTER_PACING_ERROR) throw error;
      deps.onProgress(-1, -1, window, `broker asked to slow down (${error.message}); waiting ${PACING_BACKOFF_MS / 1000} s`);
      await deps.clock.sleep(PACING_BACKOFF_MS);
    }
  }
}

/** Fetches every window not fully cached yet; each window is saved as soon as it arrives. */
export async function fetchHistory(deps: FetchDeps, request: FetchRequest): Promise<FetchReport> {
  if (!deps.broker.capabilities.historicalBars || deps.broker.historicalBars === undefined) {
    throw new DataInputError(`the ${deps.broker.name} broker in this build cannot fetch historical bars (capability historicalBars is off)`);
  }
  const windows = planWindows(request.fromDay, request.toDay, request.barSeconds);
  const cacheSymbol = request.what === "implied_volatility" ? ivCacheSymbol(request.symbol) : request.symbol;
  if (windows.length === 0) throw new DataInputError(`no trading session between ${formatDay(request.fromDay)} and ${formatDay(request.toDay)}`);
  let fetched = 0;
  let skipped = 0;
  let saved = 0;
  let dropped = 0;
  for (const [index, window] of windows.entries()) {
    const cached = await deps.sink.loadBars(cacheSymbol, request.barSeconds, window.startMs, window.endMs);
    if (cached.length >= window.expectedBars) {
      skipped++;
      deps.onProgress(index + 1, windows.length, window, "cached");
      continue;
    }
    let bars: HistoricalBar[];
    try {
      bars = await requestWithRetry(deps, request, window);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DataInputError(`fetching ${formatDay(window.sessions[0]?.day ?? request.fromDay)} failed after ${fetched} window(s) saved: ${message}; run the same command again to resume`);
    }
    const rows: Bar[] = [];
    for (const bar of bars) {
      if (!inSession(bar, window.sessions)) {
        dropped++;
        continue;
      }
      rows.push({ symbol: cacheSymbol, barSeconds: request.barSeconds, ...bar });
    }
    await deps.sink.saveBars(rows);
    fetched++;
    saved += rows.length;
    deps.onProgress(index + 1, windows.length, window, `${rows.length} bars`);
  }
  return { windows: windows.length, fetchedWindows: fetched, skippedWindows: skipped, savedBars: saved, droppedBars: dropped };
}
