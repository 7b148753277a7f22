// Timings from config seconds are whole milliseconds wherever they reach the database: 2.01 s is
// 2009.9999999999998 ms in binary, and PostgreSQL refuses 6029.999999999999 as a claim's BIGINT
// lease_ms, so a daemon with status.heartbeat_s = 2.01 never started.
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { daemonSettingsFromConfig } from "../../src/daemon/daemon-settings.ts";
import { claimantOf, thisInstance } from "../../src/daemon/instance-guard.ts";

const configWith = (overrides: string[]) => loadConfig({ configPath: null, overrides }).config;

test("seconds that are not exact in binary become whole milliseconds", () => {
  const settings = daemonSettingsFromConfig(configWith(["status.heartbeat_s=2.01", "status.history_every_s=1.1", "ib.retry_interval_s=1.1", "ib.connect_timeout_s=2.3"]), 4_000);
  expect([settings.heartbeatMs, settings.historyEveryMs, settings.retryIntervalMs, settings.connectTimeoutMs]).toEqual([2_010, 1_100, 1_100, 2_300]);
});

test.each([2.01 * 1000, 2_010, 100])("a claim's lease for a heartbeat of %p ms is whole milliseconds, at least three heartbeats", (heartbeatMs) => {
  const { leaseMs } = claimantOf("gs-1", thisInstance(4242), heartbeatMs);
  expect(Number.isInteger(leaseMs)).toBe(true);
  expect(leaseMs).toBeGreaterThanOrEqual(3 * heartbeatMs);
});
