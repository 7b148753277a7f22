import { describe, expect, test } from "bun:test";
import { isTradingDay, sessionOf } from "../../../src/market-data/exchange-calendar.ts";
import { formatDay, nyDayOf, nyMinuteOfDay, nyWallToUtcMs, parseDay } from "../../../src/market-data/ny-time.ts";

const day = (text: string): number => parseDay(text) as number;

describe("New York time", () => {
  test.each([
    ["2024-03-08", 9 * 60 + 30, "2024-03-08T14:30:00.000Z"], // EST, Friday before DST
    ["2024-03-11", 9 * 60 + 30, "2024-03-11T13:30:00.000Z"], // EDT, Monday after
    ["2024-11-01", 16 * 60, "2024-11-01T20:00:00.000Z"],
    ["2024-11-04", 16 * 60, "2024-11-04T21:00:00.000Z"],
  ])("%s minute %i is %s", (text, minute, iso) => {
    const utc = nyWallToUtcMs(day(text), minute);
    expect(new Date(utc).toISOString()).toBe(iso);
    expect(nyDayOf(utc)).toBe(day(text));
    expect(nyMinuteOfDay(utc)).toBe(minute);
  });

  test("parseDay rejects impossible dates and formatDay round-trips", () => {
    expect(parseDay("2024-02-30")).toBeNull();
    expect(parseDay("2024-13-01")).toBeNull();
    expect(parseDay("24-01-01")).toBeNull();
    expect(formatDay(day("2024-02-29"))).toBe("2024-02-29");
  });
});

describe("exchange calendar", () => {
  test.each([
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02",
    "2024-11-28", "2024-12-25", "2025-01-01", "2025-01-09", "2025-01-20", "2025-04-18", "2025-07-04", "2026-04-03",
    "2026-07-03", "2022-12-26", "2021-12-24",
  ])("%s is a holiday", (text) => {
    expect(isTradingDay(day(text))).toBe(false);
    expect(sessionOf(day(text))).toBeNull();
  });

  test.each(["2024-03-28", "2024-07-05", "2025-01-08", "2025-01-10", "2022-01-03"])("%s is a trading day", (text) => {
    expect(isTradingDay(day(text))).toBe(true);
  });

  test("weekends are closed", () => {
    expect(isTradingDay(day("2024-06-01"))).toBe(false);
    expect(isTradingDay(day("2024-06-02"))).toBe(false);
  });

  test.each(["2024-07-03", "2024-11-29", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24"])("%s closes at 13:00 ET", (text) => {
    const session = sessionOf(day(text));
    expect(session?.earlyClose).toBe(true);
    expect(nyMinuteOfDay(session?.closeUtcMs as number)).toBe(13 * 60);
  });

  test("a normal session runs 09:30 to 16:00 ET", () => {
    const session = sessionOf(day("2024-07-05"));
    expect(session?.earlyClose).toBe(false);
    expect(new Date(session?.openUtcMs as number).toISOString()).toBe("2024-07-05T13:30:00.000Z");
    expect(new Date(session?.closeUtcMs as number).toISOString()).toBe("2024-07-05T20:00:00.000Z");
  });
});
