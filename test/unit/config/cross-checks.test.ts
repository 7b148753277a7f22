import { expect, test } from "bun:test";
import { loadConfig } from "../../../src/config/load.ts";
import { loadError } from "./config-fixture.ts";

const cwd = "/nonexistent-gs-test-dir";

test.each([
  [["strategy.min_dte=40"], "--set strategy.min_dte=40: strategy.min_dte was 40, expected at most strategy.max_dte (35)"],
  [["hedge.epsilon_band=25"], "hedge.epsilon_band was 25, expected less than hedge.threshold_shares (25)"],
  [["hedge.threshold_shares=600"], "hedge.threshold_shares was 600, expected at most hedge.forced_delta (500)"],
  [["hedge.min_shares=600", "hedge.threshold_shares=30"], "hedge.min_shares was 600, expected at most hedge.max_shares_per_order (500)"],
  [["guards.earnings_dates=2025-02-30"], 'guards.earnings_dates contained "2025-02-30", expected real calendar dates'],
  [["status.sink=postgres"], "default: status.postgres.url was empty, expected a postgres://user:password@host:port/database URL"],
  [["status.sink=postgres", "status.postgres.url=mysql://x"], "status.postgres.url was not a postgres:// URL"],
  [["sim.source=csv"], 'sim.csv_path was empty, expected the path of a CSV file because sim.source is "csv"'],
  [["server.token=a", "server.token_file=/etc/gs/token"], "server.token_file was set together with server.token, expected only one of them"],
  [["server.host=0.0.0.0"], 'server.host was "0.0.0.0" (not loopback) with no token, expected server.token or server.token_file'],
])("cross-key rule: %p", (overrides, expected) => {
  expect(loadError({ cwd, overrides }).message).toContain(expected);
});

test("consistent combinations pass", () => {
  const { config } = loadConfig({
    cwd,
    env: {},
    overrides: ["status.sink=postgres", "status.postgres.url=postgres://gs@db/gs", "server.host=0.0.0.0", "server.token_file=/etc/gs/token", "sim.source=csv", "sim.csv_path=a.csv"],
  });
  expect([config.status.sink, config.server.host, config.sim.source]).toEqual(["postgres", "0.0.0.0", "csv"]);
});
