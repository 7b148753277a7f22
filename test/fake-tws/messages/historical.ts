// HISTORICAL_DATA (17) at server version 193: no version field, bars then an implicit end marker.
import type { WireField } from "../framing.ts";

export interface FakeBar {
  /** As TWS formats it for formatDate=1, e.g. `20260105 09:30:00 US/Eastern`, or epoch seconds for formatDate=2. */
  readonly time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly wap: number;
  readonly barCount: number;
}

export function historicalData(reqId: number, start: string, end: string, bars: readonly FakeBar[]): WireField[] {
  return [
    17, reqId, start, end, bars.length,
    ...bars.flatMap((b) => [b.time, b.open, b.high, b.low, b.close, b.volume, b.wap, b.barCount]),
  ];
}
