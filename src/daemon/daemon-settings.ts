// The daemon's timings from config (seconds in TOML) in whole milliseconds. Seconds like 2.01
// are not exact in binary: 2.01 * 1000 is 2009.9999999999998, and a value derived from it
// reaches the database (a claim's lease_ms is BIGINT, PostgreSQL refuses a fraction there) or
// a status row (nextRetryTsMs) as a fraction of a millisecond nobody meant.
import type { GsConfig } from "../config/schema.ts";
import type { DaemonSettings } from "./daemon.ts";
import { TRAIL_LOOKUP_TIMEOUT_MS } from "./recorded-fill.ts";

function wholeMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

export function daemonSettingsFromConfig(config: GsConfig, stopCancelWaitMs: number): DaemonSettings {
  return {
    heartbeatMs: wholeMs(config.status.heartbeat_s),
    historyEveryMs: wholeMs(config.status.history_every_s),
    pollMs: config.control.poll_ms,
    retryIntervalMs: wholeMs(config.ib.retry_interval_s),
    connectTimeoutMs: wholeMs(config.ib.connect_timeout_s),
    stopCancelWaitMs,
    trailLookupTimeoutMs: TRAIL_LOOKUP_TIMEOUT_MS,
    controlFile: config.control.file === "" ? null : config.control.file,
  };
}
