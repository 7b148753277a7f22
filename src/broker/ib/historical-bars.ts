// Historical trade bars of the underlying through reqHistoricalData: the request's IB
// wording (bar size, duration, end time), the bars' time labels, and how TWS's refusals
// map to BrokerErrors. Pacing between requests is the caller's (see market-data/history-fetch).
import type { IBApi } from "@stoqey/ib";
import { SecType } from "@stoqey/ib";
import type { HistoricalBar, HistoricalBarsRequest } from "../port.ts";
import { BrokerError } from "../port.ts";
import type { Venue } from "./contract-mapping.ts";
import { formatExecutionFilterTime, parseTwsTime } from "./ib-time.ts";
import { PendingRequests } from "./pending-requests.ts";

const BAR_SIZE_BY_SECONDS: ReadonlyMap<number, string> = new Map([
  [1, "1 secs"], [5, "5 secs"], [10, "10 secs"], [15, "15 secs"], [30, "30 secs"],
  [60, "1 min"], [120, "2 mins"], [180, "3 mins"], [300, "5 mins"], [600, "10 mins"], [900, "15 mins"], [1200, "20 mins"], [1800, "30 mins"],
  [3600, "1 hour"], [7200, "2 hours"], [10800, "3 hours"], [14400, "4 hours"], [28800, "8 hours"], [86400, "1 day"],
]);

const DAY_MS = 86_400_000;
const MAX_SECONDS_DURATION = 86_400;
/** formatDate=2: intraday bar times as epoch seconds. */
const EPOCH_SECONDS_FORMAT = 2;

/** IB's barSizeSetting for a bar length; null when IB has no such bar size. */
export function barSizeSetting(barSeconds: number): string | null {
  return BAR_SIZE_BY_SECONDS.get(barSeconds) ?? null;
}

/** A duration that covers [startMs, endMs): seconds up to a day, else whole calendar days. */
export function durationFor(startMs: number, endMs: number): string {
  const seconds = Math.ceil((endMs - startMs) / 1000);
  return seconds <= MAX_SECONDS_DURATION ? `${seconds} S` : `${Math.ceil((endMs - startMs) / DAY_MS)} D`;
}

/** Bar time as TWS sends it with formatDate=2: epoch seconds intraday, `yyyymmdd` for daily bars (labelled at the 09:30 New York open). */
export function parseBarTime(text: string): number {
  if (/^\d{8}$/.test(text)) return parseTwsTime(`${text} 09:30:00 America/New_York`);
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  return parseTwsTime(text);
}

export type HistoricalRefusal = { readonly type: "retry" } | { readonly type: "empty" } | { readonly type: "fail" };

/**
 * What an error on a historical request means. IB puts several meanings under 162
 * (pacing violation, no data, no permission), so for 162 alone the text decides.
 */
export function historicalRefusal(code: number, message: string): HistoricalRefusal {
  if (code === 162 && /pacing violation/i.test(message)) return { type: "retry" };
  if (code === 162 && /returned no data/i.test(message)) return { type: "empty" };
  if (code === 366) return { type: "retry" }; // query no longer known to TWS: ask again
  return { type: "fail" };
}

/** TWS warnings (2100-2199) may carry a request id without ending the request. */
function isWarning(code: number): boolean {
  return code >= 2100 && code < 2200;
}

interface Collecting {
  readonly request: HistoricalBarsRequest;
  readonly bars: HistoricalBar[];
  readonly settle: (bars: HistoricalBar[]) => void;
  readonly fail: (error: BrokerError) => void;
}

export class HistoricalRequests {
  private readonly pending: PendingRequests;
  private readonly collecting = new Map<number, Collecting>();

  constructor(timeoutMs: number, private readonly venue: Venue) {
    this.pending = new PendingRequests(timeoutMs);
  }

  fetch(api: IBApi, reqId: number, request: HistoricalBarsRequest): Promise<HistoricalBar[]> {
    const barSize = barSizeSetting(request.barSeconds);
    if (barSize === null) {
      return Promise.reject(new BrokerError("operational", `barSeconds was ${request.barSeconds}, expected one of ${[...BAR_SIZE_BY_SECONDS.keys()].join(", ")}`));
    }
    if (!(request.endMs > request.startMs)) {
      return Promise.reject(new BrokerError("operational", `historical window was ${request.startMs}..${request.endMs}, expected start before end`));
    }
    return this.pending.start<HistoricalBar[]>(`historical bars of ${request.symbol} (reqHistoricalData)`, (settle, fail) => {
      this.collecting.set(reqId, { request, bars: [], settle, fail });
      const contract = { symbol: request.symbol, secType: SecType.STK, exchange: this.venue.exchange, currency: this.venue.currency };
      api.reqHistoricalData(
        reqId, contract, formatExecutionFilterTime(request.endMs), durationFor(request.startMs, request.endMs),
        barSize as Parameters<IBApi["reqHistoricalData"]>[4], "TRADES", request.regularHoursOnly ? 1 : 0, EPOCH_SECONDS_FORMAT, false,
      );
    });
  }

  /** One historicalData callback: a bar, or the `finished-…` marker that ends the request. */
  bar(reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number | undefined): void {
    const collecting = this.collecting.get(reqId);
    if (!collecting) return;
    if (time.startsWith("finished")) {
      this.collecting.delete(reqId);
      const { startMs, endMs } = collecting.request;
      collecting.settle(collecting.bars.filter((b) => b.tsMs >= startMs && b.tsMs < endMs).sort((a, b) => a.tsMs - b.tsMs));
      return;
    }
    let tsMs: number;
    try {
      tsMs = parseBarTime(time);
    } catch (error) {
      this.collecting.delete(reqId);
      collecting.fail(new BrokerError("operational", `historical bar time: ${(error as Error).message}`));
      return;
    }
    collecting.bars.push({ tsMs, open, high, low, close, volume: volume ?? 0 });
  }

  /** An error naming one of our requests; true when it was ours (and is now settled). */
  refused(reqId: number, code: number, message: string): boolean {
    const collecting = this.collecting.get(reqId);
    if (!collecting || isWarning(code)) return false;
    this.collecting.delete(reqId);
    const refusal = historicalRefusal(code, message);
    switch (refusal.type) {
      case "empty":
        collecting.settle([]);
        return true;
      case "retry":
        collecting.fail(new BrokerError("temporary", `historical bars of ${collecting.request.symbol}: ${code} ${message}`, code));
        return true;
      case "fail":
        collecting.fail(new BrokerError("operational", `historical bars of ${collecting.request.symbol} refused by TWS: ${code} ${message}`, code));
        return true;
      default: {
        const unreachable: never = refusal;
        throw new Error(`unknown refusal ${JSON.stringify(unreachable)}`);
      }
    }
  }

  abandon(message: string): void {
    this.collecting.clear();
    this.pending.failAll(new BrokerError("not_connected", `request abandoned: ${message}`));
  }
}
