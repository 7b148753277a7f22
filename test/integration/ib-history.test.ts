// Historical bars through the Broker port: the IB adapter with the real @stoqey/ib client
// against the fake TWS.
import { describe, expect, test } from "bun:test";
import { BrokerError } from "../../src/broker/port.ts";
import type { FakeBar } from "../fake-tws/index.ts";
import { harnessPerTest } from "../fake-tws/ib-harness.ts";

/** 2024-03-26 09:30 New York (13:30 UTC). */
const OPEN_MS = Date.UTC(2024, 2, 26, 13, 30);
const FIVE_MIN_MS = 300_000;

function fiveMinuteBars(fromMs: number, count: number): FakeBar[] {
  return Array.from({ length: count }, (_, i) => {
    const open = 520 + i * 0.25; // quarter steps: exact in binary, so prices compare exactly
    return { time: String((fromMs + i * FIVE_MIN_MS) / 1000), open, high: open + 0.5, low: open - 0.25, close: open + 0.25, volume: 1000 + i, wap: open, barCount: 50 };
  });
}

const { start, connected } = harnessPerTest();

describe("historicalBars", () => {
  test("returns the window's trade bars in time order, labelled at their start", async () => {
    const h = await connected();
    expect(h.broker.capabilities.historicalBars).toBe(true);
    h.tws.historicalBars.set("SPY", fiveMinuteBars(OPEN_MS - 2 * FIVE_MIN_MS, 12)); // two bars before the window
    const bars = await h.broker.historicalBars({ symbol: "SPY", barSeconds: 300, startMs: OPEN_MS, endMs: OPEN_MS + 6 * FIVE_MIN_MS, regularHoursOnly: true });
    expect(bars.map((b) => b.tsMs)).toEqual([0, 1, 2, 3, 4, 5].map((i) => OPEN_MS + i * FIVE_MIN_MS));
    expect(bars[0]).toEqual({ tsMs: OPEN_MS, open: 520.5, high: 521, low: 520.25, close: 520.75, volume: 1002 });
    const [request] = h.tws.requestsOf("req_historical_data").map((r) => r.request);
    expect(request).toMatchObject({
      contract: { symbol: "SPY", secType: "STK" }, endDateTime: "20240326-14:00:00", duration: "1800 S", barSize: "5 mins",
      whatToShow: "TRADES", regularHoursOnly: true, formatDate: 2,
    });
  });

  test("a window over several days asks for whole days", async () => {
    const h = await connected();
    await h.broker.historicalBars({ symbol: "SPY", barSeconds: 60, startMs: OPEN_MS, endMs: OPEN_MS + 4 * 86_400_000 + 6.5 * 3_600_000, regularHoursOnly: true });
    expect(h.tws.requestsOf("req_historical_data")[0]?.request).toMatchObject({ duration: "5 D", barSize: "1 min" });
  });

  test("a pacing violation is temporary (retry later), with TWS's code", async () => {
    const h = await connected();
    h.tws.refusedRequests.set("req_historical_data", { code: 162, message: "Historical Market Data Service error message:API historical data query cancelled: pacing violation" });
    const error = await h.broker.historicalBars({ symbol: "SPY", barSeconds: 300, startMs: OPEN_MS, endMs: OPEN_MS + FIVE_MIN_MS, regularHoursOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerError);
    expect(error).toMatchObject({ kind: "temporary", code: 162 });
  });

  test("no data for the window is an empty answer, not an error", async () => {
    const h = await connected();
    h.tws.refusedRequests.set("req_historical_data", { code: 162, message: "Historical Market Data Service error message:HMDS query returned no data: SPY@SMART Trades" });
    expect(await h.broker.historicalBars({ symbol: "SPY", barSeconds: 300, startMs: OPEN_MS, endMs: OPEN_MS + FIVE_MIN_MS, regularHoursOnly: true })).toEqual([]);
  });

  test("no permission is operational", async () => {
    const h = await connected();
    h.tws.refusedRequests.set("req_historical_data", { code: 162, message: "Historical Market Data Service error message:No market data permissions for ARCA STK" });
    await expect(h.broker.historicalBars({ symbol: "SPY", barSeconds: 300, startMs: OPEN_MS, endMs: OPEN_MS + FIVE_MIN_MS, regularHoursOnly: true })).rejects.toMatchObject({ kind: "operational", code: 162 });
  });

  test("a bar size IB does not offer is refused before anything is sent", async () => {
    const h = await connected();
    await expect(h.broker.historicalBars({ symbol: "SPY", barSeconds: 420, startMs: OPEN_MS, endMs: OPEN_MS + FIVE_MIN_MS, regularHoursOnly: true })).rejects.toThrow("barSeconds was 420, expected one of");
    expect(h.tws.requestsOf("req_historical_data")).toEqual([]);
  });

  test("not connected: not_connected, nothing queued", async () => {
    const h = await start();
    await expect(h.broker.historicalBars({ symbol: "SPY", barSeconds: 300, startMs: OPEN_MS, endMs: OPEN_MS + FIVE_MIN_MS, regularHoursOnly: true })).rejects.toMatchObject({ kind: "not_connected" });
  });
});
