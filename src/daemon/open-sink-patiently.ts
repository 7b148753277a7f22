// At boot the status database may not be up yet (another host, a slow start). A daemon must
// not trade before it has read its persisted counters, and must not give up either: it retries
// an unreachable PostgreSQL (or a spool whose disk is full) until it answers or the daemon is
// told to stop. Configuration mistakes (a malformed URL, an unusable SQLite path) still fail at once.
import type { GsConfig } from "../config/schema.ts";
import { openSink, SinkOpenError } from "../sink/open-sink.ts";
import type { Sink } from "../sink/port.ts";
import { type Clock, sleepUnlessStopped } from "./clock.ts";
import type { DaemonLog } from "./daemon-log.ts";

const SINK_RETRY_MS = 5_000;

/** Resolves with the open sink, or null when `stopRequested` was signalled while waiting. */
export async function openSinkPatiently(config: GsConfig, clock: Clock, log: DaemonLog, stopRequested: Promise<void>): Promise<Sink | null> {
  for (;;) {
    try {
      return await openSink(config);
    } catch (error) {
      if (!isTransient(config, error)) throw error;
      const what = error.stage === "spool" ? "status spool unusable" : "status database unreachable";
      log.log("warn", "IDLE", `${what}, retrying in ${SINK_RETRY_MS / 1000} s: ${error.message}`);
    }
    if (await sleepUnlessStopped(clock, SINK_RETRY_MS, stopRequested)) return null;
  }
}

/** Worth waiting for: a PostgreSQL that cannot be reached or migrated right now, and a spool whose disk is full (either sink). */
function isTransient(config: GsConfig, error: unknown): error is SinkOpenError {
  if (!(error instanceof SinkOpenError)) return false;
  return error.stage === "spool" || (config.status.sink === "postgres" && error.stage !== "config");
}
