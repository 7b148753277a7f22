import { describe, expect, test } from "bun:test";
import { parseBarsCsv } from "../../../src/market-data/csv-bars.ts";
import { DataInputError } from "../../../src/market-data/data-input-error.ts";
import { toRegularSession } from "../../../src/market-data/regular-session.ts";

const HEADER = "timestamp,open,high,low,close,volume";
const OPTIONS = { source: "test.csv", symbol: "SPY", zone: null, barSeconds: null } as const;

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join("\n");
}

function failure(text: string, options: Parameters<typeof parseBarsCsv>[1] = OPTIONS): DataInputError {
  try {
    parseBarsCsv(text, options);
  } catch (error) {
    if (error instanceof DataInputError) return error;
    throw error;
  }
  throw new Error("expected a DataInputError");
}

describe("parseBarsCsv", () => {
  test("reads explicit offsets and infers the bar size", () => {
    const { series, report } = parseBarsCsv(
      csv("2024-03-26 13:30:00+00:00,1,2,0.5,1.5,10", "2024-03-26T09:35:00-04:00,1.5,2,1,1.2,20", "2024-03-26 13:40:00Z,1.2,1.3,1.1,1.2,0"),
      OPTIONS,
    );
    expect(series.length).toBe(3);
    expect(report.barSeconds).toBe(300);
    expect(report.barSecondsInferred).toBe(true);
    expect(new Date(series.tsMs[1] as number).toISOString()).toBe("2024-03-26T13:35:00.000Z");
  });

  test("naive timestamps without a declared zone are an error naming the flag", () => {
    const error = failure(csv("2025-10-08 09:30:00,1,1,1,1,1"));
    expect(error.message).toContain("line 2");
    expect(error.message).toContain("--data-tz");
  });

  test("naive timestamps in a declared zone convert with DST", () => {
    const { series, report } = parseBarsCsv(csv("2025-10-08 09:30:00,1,1,1,1,1", "2025-12-08 09:30:00,1,1,1,1,1"), {
      ...OPTIONS,
      zone: "America/New_York",
      barSeconds: 60,
    });
    expect(report.naiveTimestamps).toBe(true);
    expect(new Date(series.tsMs[0] as number).toISOString()).toBe("2025-10-08T13:30:00.000Z");
    expect(new Date(series.tsMs[1] as number).toISOString()).toBe("2025-12-08T14:30:00.000Z");
  });

  test("a byte-order mark, CRLF line ends and quoted cells are read like plain CSV", () => {
    const text = `\uFEFF${HEADER}\r\n"2024-03-26 13:30:00+00:00","1","2","0.5","1.5","10"\r\n2024-03-26 13:35:00+00:00,1.5,2,1,1.2,20\r\n`;
    const { series } = parseBarsCsv(text, OPTIONS);
    expect(series.length).toBe(2);
    expect(series.high[0]).toBe(2);
    expect(series.volume[1]).toBe(20);
  });

  test("plain dates are daily bars starting at the 09:30 New York open", () => {
    const { series, report } = parseBarsCsv("Date,Open,High,Low,Close,Volume\n2024-07-02,1,2,0.5,1.5,10\n2024-07-03,1,2,0.5,1.5,10\n2024-07-05,1,2,0.5,1.5,10\n", OPTIONS);
    expect(report.barSeconds).toBe(86_400);
    expect(new Date(series.tsMs[0] as number).toISOString()).toBe("2024-07-02T13:30:00.000Z");
    const regular = toRegularSession(series);
    expect(regular.report.keptBars).toBe(3);
    expect(regular.report.partialDays).toEqual([]);
  });

  test("epoch seconds and milliseconds are absolute", () => {
    const { series } = parseBarsCsv(csv("1711459800,1,1,1,1,1", "1711460100000,1,1,1,1,1"), OPTIONS);
    expect(series.tsMs[0]).toBe(1711459800000);
    expect(series.tsMs[1]).toBe(1711460100000);
  });

  test("malformed rows are all listed with line numbers", () => {
    const error = failure(
      csv(
        "2024-03-26 13:30:00+00:00,1,2,0.5,1.5,10",
        "2024-03-26 13:35:00+00:00,abc,2,0.5,1.5,10",
        "2024-03-26 13:40:00+00:00,1,2,0.5",
        "not a time,1,2,0.5,1.5,10",
        "2024-03-26 13:50:00+00:00,1,0.5,2,1.5,10",
        "2024-03-26 13:55:00+00:00,-1,2,0.5,1.5,10",
      ),
    );
    const text = error.message;
    expect(error.message).toContain("5 bad row(s)");
    for (const line of [3, 4, 5, 6, 7]) expect(text).toContain(`line ${line}:`);
    expect(text).toContain("open was not a number");
    expect(text).toContain("4 fields, expected 6");
    expect(text).toContain("high 0.5 is below low 2");
  });

  test.each([
    ["2024-02-30T14:30:00Z", "timestamp was '2024-02-30T14:30:00Z', which is not a valid date and time"],
    ["2023-02-29 14:30:00+00:00", "timestamp was '2023-02-29 14:30:00+00:00', which is not a valid date and time"],
    ["2024-04-31", "date was '2024-04-31', which is not a valid date"],
  ])("an impossible date %p is refused with its line number, never shifted to the next month", (stamp, problem) => {
    const error = failure(csv("2024-02-28T14:30:00Z,1,1,1,1,1", `${stamp},1,1,1,1,1`));
    expect(error.message).toContain(`line 3: ${problem}`);
  });

  test.each(["+99:99", "+14:01", "-1500", "+05:60"])("an impossible UTC offset %p is refused with its line number, never applied", (offset) => {
    const error = failure(csv("2024-03-01T10:00:00Z,1,1,1,1,1", `2024-03-01 10:05${offset},1,1,1,1,1`));
    expect(error.message).toContain(`line 3: timestamp was '2024-03-01 10:05${offset}', whose UTC offset ${offset} is not a real one, expected -14:00 to +14:00`);
  });

  test("the widest real offsets are read", () => {
    const { series } = parseBarsCsv(csv("2024-03-02 00:00+14:00,1,1,1,1,1", "2024-03-01 00:05-12:00,1,1,1,1,1"), OPTIONS);
    expect(Array.from(series.tsMs)).toEqual([Date.UTC(2024, 2, 1, 10, 0), Date.UTC(2024, 2, 1, 12, 5)]);
  });

  test("a single bar names gs backtest's --bar to declare the size", () => {
    expect(failure(csv("2024-03-01T14:30:00Z,1,1,1,1,1")).message).toBe("test.csv: cannot infer the bar size from a single bar; expected at least two bars or declare it (--bar 1m|5m|...)");
  });

  test("a leap day is a real date", () => {
    expect(parseBarsCsv(csv("2024-02-29T14:30:00Z,1,1,1,1,1", "2024-02-29T14:35:00Z,1,1,1,1,1"), OPTIONS).series.length).toBe(2);
  });

  test("out-of-order rows are fatal and name both times", () => {
    const error = failure(csv("2024-03-26 13:35:00+00:00,1,1,1,1,1", "2024-03-26 13:30:00+00:00,1,1,1,1,1"));
    expect(error.message).toContain("line 3: out of order");
  });

  test("an exact duplicate is dropped with a warning; a conflicting one is fatal", () => {
    const row = "2024-03-26 13:30:00+00:00,1,1,1,1,1";
    const { series, report } = parseBarsCsv(csv(row, row, "2024-03-26 13:35:00+00:00,1,1,1,1,1"), OPTIONS);
    expect(series.length).toBe(2);
    expect(report.warnings).toEqual([{ type: "duplicate", line: 3, tsMs: Date.parse("2024-03-26T13:30:00Z") }]);
    expect(failure(csv(row, "2024-03-26 13:30:00+00:00,1,2,1,1,1")).message).toContain("line 3: a different bar");
  });

  test("a declared bar size that the data contradicts is an error", () => {
    const error = failure(csv("2024-03-26 13:30:00+00:00,1,1,1,1,1", "2024-03-26 13:35:00+00:00,1,1,1,1,1"), { ...OPTIONS, barSeconds: 60 });
    expect(error.message).toContain("bar size was 300s in the data, expected the declared 60s");
  });

  test("bars off the inferred grid are listed", () => {
    const error = failure(
      csv("2024-03-26 13:30:00+00:00,1,1,1,1,1", "2024-03-26 13:35:00+00:00,1,1,1,1,1", "2024-03-26 13:40:00+00:00,1,1,1,1,1", "2024-03-26 13:42:00+00:00,1,1,1,1,1"),
    );
    expect(error.message).toContain("line 5");
    expect(error.message).toContain("300s bar grid");
  });

  test("missing columns and empty files are clear errors", () => {
    expect(failure("time,open,high,low,close\n2024-03-26 13:30:00Z,1,1,1,1").message).toContain("missing: volume");
    expect(failure("").message).toContain("empty");
    expect(failure(HEADER).message).toContain("no bar rows");
  });

  test("gaps inside a session are reported, days with no bars too", () => {
    const { series } = parseBarsCsv(
      csv(
        "2024-03-26 13:30:00+00:00,1,1,1,1,1",
        "2024-03-26 13:45:00+00:00,1,1,1,1,1",
        "2024-03-26 13:50:00+00:00,1,1,1,1,1",
        "2024-03-28 13:30:00+00:00,1,1,1,1,1",
        "2024-03-28 13:35:00+00:00,1,1,1,1,1",
      ),
      { ...OPTIONS, barSeconds: 300 },
    );
    const { report } = toRegularSession(series);
    expect(report.gaps).toEqual([{ day: "2024-03-26", fromTsMs: Date.parse("2024-03-26T13:35:00Z"), missingBars: 2 }]);
    expect(report.missingDays).toEqual(["2024-03-27"]);
    expect(report.partialDays).toEqual(["2024-03-26", "2024-03-28"]);
  });
});
