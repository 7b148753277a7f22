// Where the daemon's simulated market gets its prices from config: a CSV with naive
// timestamps needs sim.csv_tz (named in the error, never guessed), and the bundled SPY bars
// are refused for another symbol rather than traded under its name.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSimPriceSource } from "../../src/broker/sim/sim-path.ts";
import { loadConfig } from "../../src/config/load.ts";
import { UserError } from "../../src/config/user-error.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-sim-price-source-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const configWith = (overrides: string[]) => loadConfig({ configPath: null, overrides }).config;

const naiveCsv = join(directory, "naive.csv");
writeFileSync(naiveCsv, "timestamp,open,high,low,close,volume\n2024-03-26 09:30:00,1,2,0.5,1.5,10\n2024-03-26 09:35:00,1,2,0.5,1.5,10\n");

test("a CSV without offsets and no sim.csv_tz is refused, naming sim.csv_tz (gs daemon has no --data-tz)", async () => {
  const error = await loadSimPriceSource(configWith(["sim.source=csv", `sim.csv_path=${naiveCsv}`])).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toBe(
    `${naiveCsv}: line 2: timestamp '2024-03-26 09:30:00' has no UTC offset; declare the zone of naive timestamps with sim.csv_tz (UTC or America/New_York)`,
  );
});

test("a one-bar CSV is refused asking for a second bar, never for a --bar flag gs daemon does not have", async () => {
  const oneBarCsv = join(directory, "one-bar.csv");
  writeFileSync(oneBarCsv, "timestamp,open,high,low,close,volume\n2024-03-26 13:30:00Z,1,2,0.5,1.5,10\n");
  const error = await loadSimPriceSource(configWith(["sim.source=csv", `sim.csv_path=${oneBarCsv}`])).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toBe(`${oneBarCsv}: cannot infer the bar size from a single bar; expected at least two bars`);
});

const afternoonCsv = join(directory, "afternoon.csv");
writeFileSync(afternoonCsv, "timestamp,open,high,low,close,volume\n2024-03-26 13:30:00,1,2,0.5,1.5,10\n2024-03-26 13:35:00,1,2,0.5,1.5,10\n");

test.each([
  ["America/New_York", "2024-03-26T17:30:00.000Z"],
  ["UTC", "2024-03-26T13:30:00.000Z"],
])("sim.csv_tz = %p reads naive timestamps in that zone", async (zone, firstBar) => {
  const source = await loadSimPriceSource(configWith(["sim.source=csv", `sim.csv_path=${afternoonCsv}`, `sim.csv_tz=${zone}`]));
  expect(new Date(source.series.tsMs[0] as number).toISOString()).toBe(firstBar);
});

test("the bundled SPY bars are refused for another strategy.symbol, as gs backtest refuses them", async () => {
  const error = await loadSimPriceSource(configWith(["strategy.symbol=QQQ"])).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toContain('strategy.symbol was QQQ with sim.source = "bundled", which holds SPY only');
  expect((await loadSimPriceSource(configWith([]))).series.symbol).toBe("SPY");
});
