import { describe, expect, test } from "bun:test";
import { DataInputError } from "../../../src/market-data/data-input-error.ts";
import { sessionOf } from "../../../src/market-data/exchange-calendar.ts";
import { gbmBars, parseGbmSpec, TRADING_SECONDS_PER_YEAR } from "../../../src/market-data/gbm-path.ts";
import { constantIv, ivAt, ivCoverageStartMs, parseIvCsv } from "../../../src/market-data/iv-series.ts";
import { nyDayOf } from "../../../src/market-data/ny-time.ts";

describe("gbm", () => {
  test("the same spec gives the same bars; another seed does not", () => {
    const a = gbmBars(parseGbmSpec("seed=7,vol=0.2,days=5"));
    const b = gbmBars(parseGbmSpec("seed=7,vol=0.2,days=5"));
    const c = gbmBars(parseGbmSpec("seed=8,vol=0.2,days=5"));
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(a.close[100]).not.toBe(c.close[100]);
  });

  test("bars lie on regular sessions only, skipping holidays, honouring early closes", () => {
    const series = gbmBars(parseGbmSpec("seed=1,vol=0.2,start=2024-07-01,days=5,bar=5m"));
    const days = new Set<number>();
    for (let i = 0; i < series.length; i++) {
      const ts = series.tsMs[i] as number;
      const session = sessionOf(nyDayOf(ts));
      expect(session).not.toBeNull();
      expect(ts).toBeGreaterThanOrEqual(session?.openUtcMs as number);
      expect(ts).toBeLessThan(session?.closeUtcMs as number);
      days.add(nyDayOf(ts));
    }
    // 2024-07-01..07-08 minus the 4th and the weekend: 1, 2, 3 (early), 5, 8.
    expect(days.size).toBe(5);
    expect(series.length).toBe(78 * 4 + 42);
  });

  test("realised vol of the bar returns matches the requested vol (trading clock)", () => {
    const series = gbmBars(parseGbmSpec("seed=3,vol=0.25,days=252,bar=5m"));
    let sum = 0;
    let count = 0;
    for (let i = 1; i < series.length; i++) {
      const r = Math.log((series.close[i] as number) / (series.close[i - 1] as number));
      sum += r * r;
      count++;
    }
    const annualised = Math.sqrt((sum / count) * (TRADING_SECONDS_PER_YEAR / 300));
    expect(annualised).toBeGreaterThan(0.245);
    expect(annualised).toBeLessThan(0.255);
  });

  test("calendar clock puts the overnight variance into the opening gap", () => {
    const series = gbmBars(parseGbmSpec("seed=3,vol=0.25,days=252,bar=5m,clock=calendar"));
    let gapSquares = 0;
    let total = 0;
    for (let i = 1; i < series.length; i++) {
      const r = Math.log((series.close[i] as number) / (series.close[i - 1] as number));
      total += r * r;
      if (nyDayOf(series.tsMs[i] as number) !== nyDayOf(series.tsMs[i - 1] as number)) gapSquares += r * r;
    }
    // A year of calendar variance is vol^2; nights and weekends are ~81% of calendar time.
    expect(total).toBeGreaterThan(0.25 * 0.25 * (251 / 365) * 0.85);
    expect(gapSquares / total).toBeGreaterThan(0.7);
  });

  test.each([
    ["vol=0.2", "no seed="],
    ["seed=1,vol=abc", "vol was 'abc'"],
    ["seed=1,vol=0.2,colour=red", "key one of"],
    ["seed=1,vol=0.2,bar=7x", "bar size was '7x'"],
    ["seed=1,vol=0.2,start=2024-02-30", "start was"],
    ["seed=1.5,vol=0.2", "expected an integer"],
  ])("bad spec %s is a clear error", (spec, message) => {
    expect(() => parseGbmSpec(spec)).toThrow(DataInputError);
    expect(() => parseGbmSpec(spec)).toThrow(message);
  });
});

describe("iv series", () => {
  test("constant", () => {
    expect(ivAt(constantIv(0.2), 0)).toBe(0.2);
    expect(ivCoverageStartMs(constantIv(0.2))).toBeNull();
    expect(() => constantIv(0)).toThrow("expected a fraction");
  });

  test("daily points are scaled, holiday rows dropped, and a day sees the previous close", () => {
    const iv = parseIvCsv("DATE,CLOSE\n2024-07-03,12\n2024-07-04,30\n2024-07-05,13\n", { source: "t", zone: null, unit: null });
    if (iv.type !== "daily") throw new Error("expected daily");
    expect(iv.droppedClosedDays).toEqual(["2024-07-04"]);
    expect(ivAt(iv, Date.parse("2024-07-05T15:00:00Z"))).toBeCloseTo(0.12, 9);
    expect(ivAt(iv, Date.parse("2024-07-08T15:00:00Z"))).toBeCloseTo(0.13, 9);
  });

  test("intraday fractions step at each observation", () => {
    const iv = parseIvCsv("timestamp,iv\n2024-07-05 14:00:00Z,0.15\n2024-07-05 15:00:00Z,0.18\n", { source: "t", zone: null, unit: null });
    expect(iv.type).toBe("intraday");
    expect(ivAt(iv, Date.parse("2024-07-05T14:30:00Z"))).toBe(0.15);
    expect(ivAt(iv, Date.parse("2024-07-05T15:00:00Z"))).toBe(0.18);
  });

  test("bad rows are listed", () => {
    expect(() => parseIvCsv("date,iv\n2024-07-05,abc\n2024-07-03,0.1\n", { source: "t", zone: null, unit: null })).toThrow("bad row");
    expect(() => parseIvCsv("date,price\n2024-07-05,1\n", { source: "t", zone: null, unit: null })).toThrow("expected a date/timestamp column");
  });
});
