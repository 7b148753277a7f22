import { expect, test } from "bun:test";
import { defaultConfig } from "../../../src/config/defaults.ts";
import type { GsConfig } from "../../../src/config/schema.ts";

test("defaults are typed by TOML key names and frozen", () => {
  const config: GsConfig = defaultConfig();
  const threshold: number = config.hedge.threshold_shares;
  const sqlitePath: string = config.status.sqlite.path;
  const broker: "sim" | "ib" = config.broker;
  const greeks: "broker" | "model" = config.strategy.greeks_source;
  const earnings: readonly string[] = config.guards.earnings_dates;
  expect([threshold, sqlitePath, broker, greeks, earnings.length]).toEqual([25, "var/gs.db", "sim", "broker", 0]);
  expect(Object.isFrozen(config.status.sqlite)).toBe(true);
  expect(Object.isFrozen(config.guards.earnings_dates)).toBe(true);
});
