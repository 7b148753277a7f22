import { describe, expect, test } from "bun:test";
import { civilFromDays, daysFromCivil, formatDay, nthWeekdayOfMonth, parseDay, weekdayOf } from "../../src/core/civil-date.ts";
import { newYorkDayNumber, newYorkOffsetMs, newYorkWallToUtcMs } from "../../src/core/new-york-time.ts";
import {
  exchangeDayAt,
  exchangeDayOf,
  expiryCloseUtcMs,
  isRegularSession,
  isTradingDay,
  shiftTradingDays,
} from "../../src/core/nyse-calendar.ts";

const day = (text: string): number => {
  const n = parseDay(text);
  if (n === null) throw new Error(`bad test day ${text}`);
  return n;
};

describe("civil dates", () => {
  test("round-trips every day from 1900 to 2100", () => {
    for (let n = daysFromCivil(1900, 1, 1); n < daysFromCivil(2100, 1, 1); n++) {
      const { year, month, day: d } = civilFromDays(n);
      expect(daysFromCivil(year, month, d)).toBe(n);
    }
  });
  test.each([
    ["1970-01-01", 0, 4],
    ["2000-02-29", 11016, 2],
    ["2024-07-04", 19908, 4],
  ] as const)("%s is day %p, weekday %p", (text, n, weekday) => {
    expect(day(text)).toBe(n);
    expect(formatDay(n)).toBe(text);
    expect(weekdayOf(n)).toBe(weekday);
  });
  test.each(["2024-02-30", "2023-02-29", "2024-13-01", "24-01-01", "20240230", "yesterday", ""])("rejects %p", (text) => {
    expect(parseDay(text)).toBeNull();
  });
  test("accepts YYYYMMDD", () => expect(parseDay("20250117")).toBe(day("2025-01-17")));
  test("nth and last weekdays", () => {
    expect(formatDay(nthWeekdayOfMonth(2024, 1, 1, 3))).toBe("2024-01-15");
    expect(formatDay(nthWeekdayOfMonth(2024, 5, 1, -1))).toBe("2024-05-27");
    expect(formatDay(nthWeekdayOfMonth(2027, 12, 5, -1))).toBe("2027-12-31");
  });
});

describe("New York time", () => {
  test("offset agrees with Intl (tz database) every 37 minutes over 2020-2030", () => {
    const format = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", timeZoneName: "shortOffset" });
    let mismatches = 0;
    for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2031, 0, 1); t += 37 * 60_000) {
      const name = format.formatToParts(t).find((p) => p.type === "timeZoneName")?.value;
      if ((name === "GMT-4" ? -4 : -5) * 3_600_000 !== newYorkOffsetMs(t)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
  test.each([
    ["2025-03-09T06:59:59.999Z", -5],
    ["2025-03-09T07:00:00.000Z", -4],
    ["2025-11-02T05:59:59.999Z", -4],
    ["2025-11-02T06:00:00.000Z", -5],
    ["2024-12-31T23:59:59.999Z", -5],
  ])("DST edge %s has offset %p h", (iso, hours) => {
    expect(newYorkOffsetMs(Date.parse(iso))).toBe(hours * 3_600_000);
  });
  test("the New York date changes at New York midnight, not UTC midnight", () => {
    expect(formatDay(newYorkDayNumber(Date.parse("2025-01-10T04:59:59Z")))).toBe("2025-01-09");
    expect(formatDay(newYorkDayNumber(Date.parse("2025-01-10T05:00:00Z")))).toBe("2025-01-10");
    expect(formatDay(newYorkDayNumber(Date.parse("2025-07-10T03:59:59Z")))).toBe("2025-07-09");
  });
  test.each([
    ["2025-03-09", 0, 0, "2025-03-09T05:00:00.000Z"],
    ["2025-03-09", 9, 30, "2025-03-09T13:30:00.000Z"],
    ["2025-11-02", 0, 0, "2025-11-02T04:00:00.000Z"],
    ["2025-11-02", 16, 0, "2025-11-02T21:00:00.000Z"],
    ["2025-01-02", 16, 0, "2025-01-02T21:00:00.000Z"],
  ])("%s %p:%p New York is %s", (text, h, m, iso) => {
    expect(new Date(newYorkWallToUtcMs(day(text), h, m)).toISOString()).toBe(iso);
  });
});

// NYSE published holiday and early-close schedules, 2024-2027.
const HOLIDAYS = [
  "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25",
  "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",
  "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
  "2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24",
];
const EARLY_CLOSES = ["2024-07-03", "2024-11-29", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24", "2026-11-27", "2026-12-24", "2027-11-26"];

describe("NYSE calendar 2024-2027", () => {
  test("the holidays are exactly the published ones", () => {
    const found: string[] = [];
    for (let n = day("2024-01-01"); n <= day("2027-12-31"); n++) if (exchangeDayOf(n).kind === "holiday") found.push(formatDay(n));
    expect(found).toEqual(HOLIDAYS);
  });
  test("the early closes are exactly the published ones", () => {
    const found: string[] = [];
    for (let n = day("2024-01-01"); n <= day("2027-12-31"); n++) if (exchangeDayOf(n).kind === "early_close") found.push(formatDay(n));
    expect(found).toEqual(EARLY_CLOSES);
  });
  test("2027-12-31 trades: a Saturday New Year's Day is not observed on the Friday before", () => {
    expect(exchangeDayOf(day("2027-12-31")).kind).toBe("full");
  });
  test("the national day of mourning 2025-01-09 is closed and named", () => {
    expect(exchangeDayOf(day("2025-01-09"))).toMatchObject({ kind: "holiday", name: "National Day of Mourning (Jimmy Carter)", openMs: null });
  });
  test.each(["2025-03-08", "2025-03-09"])("weekend %s is closed", (text) => {
    expect(isTradingDay(day(text))).toBe(false);
    expect(exchangeDayOf(day(text)).kind).toBe("weekend");
  });
});

describe("regular session boundaries", () => {
  test.each([
    ["2025-06-02T13:29:59.999Z", false, "Monday 09:29:59.999 EDT"],
    ["2025-06-02T13:30:00.000Z", true, "Monday 09:30 EDT opens"],
    ["2025-06-02T19:59:59.999Z", true, "Monday 15:59:59.999 EDT"],
    ["2025-06-02T20:00:00.000Z", false, "Monday 16:00 EDT closes"],
    ["2025-01-06T14:30:00.000Z", true, "winter open 09:30 EST"],
    ["2025-01-06T14:29:59.999Z", false, "winter before open"],
    ["2025-01-06T20:59:59.999Z", true, "winter 15:59:59 EST"],
    ["2025-01-06T21:00:00.000Z", false, "winter 16:00 EST"],
    ["2024-07-03T16:59:59.999Z", true, "early close day 12:59:59 EDT"],
    ["2024-07-03T17:00:00.000Z", false, "early close day 13:00 EDT"],
    ["2025-11-28T17:59:59.999Z", true, "day after Thanksgiving 12:59:59 EST"],
    ["2025-11-28T18:00:00.000Z", false, "day after Thanksgiving 13:00 EST"],
    ["2024-12-24T18:30:00.000Z", false, "Christmas Eve 13:30 EST"],
    ["2025-01-09T15:00:00.000Z", false, "day of mourning mid-morning"],
    ["2025-03-08T15:00:00.000Z", false, "Saturday"],
    ["2024-03-29T15:00:00.000Z", false, "Good Friday"],
  ])("%s open=%p (%s)", (iso, open) => {
    expect(isRegularSession(Date.parse(iso))).toBe(open);
  });

  test.each([
    ["2025-03-09", 23],
    ["2025-11-02", 25],
    ["2025-06-02", 24],
  ])("New York day %s lasts %p hours", (text, hours) => {
    const d = exchangeDayOf(day(text));
    expect((d.endMs - d.startMs) / 3_600_000).toBe(hours);
  });

  test("exchangeDayAt caches one day and still answers correctly across day changes", () => {
    const a = exchangeDayAt(Date.parse("2025-06-02T14:00:00Z"));
    expect(exchangeDayAt(Date.parse("2025-06-02T20:00:00Z"))).toBe(a);
    expect(exchangeDayAt(Date.parse("2025-06-03T03:59:59.999Z"))).toBe(a);
    expect(exchangeDayAt(Date.parse("2025-06-03T04:00:00Z")).day).toBe("2025-06-03");
    expect(exchangeDayAt(Date.parse("2024-06-03T04:00:00Z")).day).toBe("2024-06-03");
  });
});

describe("trading-day arithmetic and expiry", () => {
  test.each([
    ["2025-01-10", -1, "2025-01-08", "skips the day of mourning"],
    ["2025-01-13", -1, "2025-01-10", "skips the weekend"],
    ["2024-12-24", 1, "2024-12-26", "skips Christmas"],
    ["2025-04-17", 1, "2025-04-21", "skips Good Friday and the weekend"],
    ["2025-06-02", 0, "2025-06-02", "zero keeps the day"],
    ["2025-06-07", 1, "2025-06-09", "from a Saturday"],
  ])("%s %p trading day(s) is %s (%s)", (from, count, to) => {
    expect(formatDay(shiftTradingDays(day(from), count))).toBe(to);
  });

  test.each([
    ["2025-06-20", "2025-06-20T20:00:00.000Z"],
    ["2025-01-17", "2025-01-17T21:00:00.000Z"],
    ["2025-12-24", "2025-12-24T18:00:00.000Z"],
    ["2026-04-03", "2026-04-03T20:00:00.000Z"],
  ])("an option expiring %s stops trading at %s", (text, iso) => {
    expect(new Date(expiryCloseUtcMs(day(text))).toISOString()).toBe(iso);
  });
});
