import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataInputError } from "../../../src/market-data/data-input-error.ts";
import { loadBars, parseDataSource } from "../../../src/market-data/load-bars.ts";

const OPTIONS = { symbol: "SPY", zone: null, barSeconds: null } as const;
const dir = mkdtempSync(join(tmpdir(), "gs-load-bars-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(spec: string | null, fromDay: string | null, toDay: string | null): Promise<DataInputError> {
  try {
    await loadBars(parseDataSource(spec, OPTIONS), { fromDay, toDay });
  } catch (error) {
    if (error instanceof DataInputError) return error;
    throw error;
  }
  throw new Error("expected a DataInputError");
}

describe("loadBars", () => {
  test.each([
    ["gbm:seed=1,vol=0.2,bar=1s,days=430", null, null, "gbm path of 430 days of 1s bars was 10,062,000 bars, expected at most 10,000,000"],
    ["gbm:seed=1,vol=0.2,bar=1s", "2020-01-02", "2024-01-01", "gbm path of 1006 days of 1s bars was 23,540,400 bars"],
  ])("a gbm path too large for memory (%p, %p..%p) is refused before it is built", async (spec, fromDay, toDay, message) => {
    expect((await loadError(spec, fromDay, toDay)).message).toContain(message);
  });

  test("bundled data clamps an early --from and says so", async () => {
    const loaded = await loadBars(parseDataSource(null, OPTIONS), { fromDay: "2024-01-01", toDay: null });
    expect(loaded.fromDay).toBe("2024-03-26");
    expect(loaded.toDay).toBe("2025-04-02");
    expect(loaded.clampNote).toContain("data starts 2024-03-26");
    expect(loaded.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  test("a range inside the data is cut exactly, without a clamp note", async () => {
    const loaded = await loadBars(parseDataSource("bundled", OPTIONS), { fromDay: "2024-07-01", toDay: "2024-07-05" });
    expect(loaded.fromDay).toBe("2024-07-01");
    expect(loaded.toDay).toBe("2024-07-05");
    expect(loaded.series.length).toBe(78 * 3 + 42);
    expect(loaded.clampNote).toBeNull();
  });

  test("gbm follows the range when it gives no days", async () => {
    const loaded = await loadBars(parseDataSource("gbm:seed=1,vol=0.2", OPTIONS), { fromDay: "2024-07-01", toDay: "2024-07-05" });
    expect(loaded.series.length).toBe(390 * 3 + 210);
    expect(loaded.description).toContain("gbm seed=1");
  });

  test("the fingerprint changes with the data", async () => {
    const a = await loadBars(parseDataSource("gbm:seed=1,vol=0.2,days=3", OPTIONS), { fromDay: null, toDay: null });
    const b = await loadBars(parseDataSource("gbm:seed=2,vol=0.2,days=3", OPTIONS), { fromDay: null, toDay: null });
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  test("a CSV file is read, cut to the session and the range", async () => {
    const path = join(dir, "bars.csv");
    writeFileSync(path, "timestamp,open,high,low,close,volume\n2024-07-01 13:25:00Z,1,1,1,1,1\n2024-07-01 13:30:00Z,1,1,1,1,1\n2024-07-01 13:35:00Z,1,1,1,1,1\n");
    const loaded = await loadBars(parseDataSource(path, OPTIONS), { fromDay: null, toDay: null });
    expect(loaded.series.length).toBe(2);
    expect(loaded.sessionReport?.droppedExtendedHours).toBe(1);
  });

  test.each([
    [null, "2024-05-01", "2024-04-01", "is after --to"],
    [null, "2023-01-01", "2023-02-01", "no bars between 2023-01-01 and 2023-02-01"],
    [null, "2024-13-01", null, "--from was '2024-13-01'"],
    ["/nonexistent/bars.csv", null, null, "does not exist"],
    [null, "2024-07-04", "2024-07-04", "no bars between"],
  ])("bad input %s %s..%s is a DataInputError", async (spec, fromDay, toDay, message) => {
    expect((await loadError(spec, fromDay, toDay)).message).toContain(message);
  });

  test("an unreadable path (a directory) is a DataInputError", async () => {
    expect((await loadError(dir, null, null)).message).toContain("is not a regular file");
  });
});
