// The bundled real sample and its documented quirks (see src/market-data/samples/README.md).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseBarsCsv } from "../../../src/market-data/csv-bars.ts";
import { ivAt } from "../../../src/market-data/iv-series.ts";
import { formatDay, nyDayOf, nyMinuteOfDay } from "../../../src/market-data/ny-time.ts";
import { toRegularSession } from "../../../src/market-data/regular-session.ts";
import { bundledBars, bundledVix } from "../../../src/market-data/samples/bundled.ts";

const FIXTURES = join(import.meta.dir, "../../fixtures/market-data");

function barsOnDay(day: string): number[] {
  const { series } = bundledBars();
  const minutes: number[] = [];
  for (let i = 0; i < series.length; i++) {
    if (formatDay(nyDayOf(series.tsMs[i] as number)) === day) minutes.push(nyMinuteOfDay(series.tsMs[i] as number));
  }
  return minutes;
}

describe("bundled SPY 5m sample", () => {
  test("reads cleanly: UTC offsets, 5-minute bars, no warnings", () => {
    const { csvReport } = bundledBars();
    expect(csvReport.rows).toBe(20_769);
    expect(csvReport.barSeconds).toBe(300);
    expect(csvReport.naiveTimestamps).toBe(false);
    expect(csvReport.warnings).toEqual([]);
  });

  test("a full day is 78 regular bars 09:30..15:55 ET; the 16:00 auction bar is dropped", () => {
    const minutes = barsOnDay("2024-06-12");
    expect(minutes.length).toBe(78);
    expect(minutes[0]).toBe(9 * 60 + 30);
    expect(minutes.at(-1)).toBe(15 * 60 + 55);
    expect(bundledBars().sessionReport.droppedClosingAuction).toBeGreaterThan(200);
  });

  test("extended hours from 2025-03-26 are dropped", () => {
    expect(barsOnDay("2025-03-31").length).toBe(78);
    expect(bundledBars().sessionReport.droppedExtendedHours).toBeGreaterThan(400);
  });

  test.each(["2024-07-03", "2024-11-29", "2024-12-24"])("early close %s keeps 09:30..12:55 only", (day) => {
    const minutes = barsOnDay(day);
    expect(minutes.length).toBe(42);
    expect(minutes.at(-1)).toBe(12 * 60 + 55);
    expect(bundledBars().sessionReport.earlyCloseDays).toContain(day);
  });

  test("no bars on holidays or 2025-01-09, and no trading day is missing", () => {
    expect(barsOnDay("2025-01-09")).toEqual([]);
    expect(barsOnDay("2024-07-04")).toEqual([]);
    const { sessionReport } = bundledBars();
    expect(sessionReport.missingDays).toEqual([]);
    expect(sessionReport.gaps).toEqual([]);
  });

  test("the last day 2025-04-02 is partial and reported", () => {
    expect(bundledBars().sessionReport.partialDays).toEqual(["2025-04-02"]);
  });
});

describe("bundled VIX", () => {
  test("is in fractions, drops rows on equity holidays, and a bar sees the previous day's close", () => {
    const vix = bundledVix();
    if (vix.type !== "daily") throw new Error(`expected a daily series, was ${vix.type}`);
    expect(vix.droppedClosedDays).toContain("2024-07-04");
    expect(vix.droppedClosedDays).toContain("2025-01-09");
    // 2024-07-05 10:00 ET sees the 2024-07-03 close (12.09), not the 2024-07-04 holiday row (12.26).
    expect(ivAt(vix, Date.parse("2024-07-05T14:00:00Z"))).toBeCloseTo(0.1209, 6);
    // 2024-03-27 sees 2024-03-26's close 13.24.
    expect(ivAt(vix, Date.parse("2024-03-27T14:00:00Z"))).toBeCloseTo(0.1324, 6);
  });
});

describe("real 1-minute file with naive New York timestamps", () => {
  test("needs a declared zone, then reads with its missing minutes reported as gaps", () => {
    const text = readFileSync(join(FIXTURES, "spy_1m_2025-10-08_naive_ny.csv"), "utf8");
    expect(() => parseBarsCsv(text, { source: "fixture", symbol: "SPY", zone: null, barSeconds: null })).toThrow("--data-tz");
    const { series, report } = parseBarsCsv(text, { source: "fixture", symbol: "SPY", zone: "America/New_York", barSeconds: null });
    expect(report.barSeconds).toBe(60);
    expect(new Date(series.tsMs[0] as number).toISOString()).toBe("2025-10-08T13:30:00.000Z");
    const regular = toRegularSession(series);
    expect(regular.report.keptBars).toBe(383);
    expect(regular.report.missingBars).toBe(7);
  });
});
