// A run that ended during a database outage left rows in the spool: its last counters, its
// last status, its fills. The sink replays them in the background once it is open; a daemon
// that read the database before that would start on stale counters (and then overwrite the
// replayed ones). So start-up reads wait here until the spool is empty. The wait may be long (a
// database that refuses the rows): it is logged again every minute and shown in systemd's
// STATUS. Only a signal stops the daemon here: its control file and queue are read once it is
// the daemon id's instance, after this wait.
import type { Sink } from "../sink/port.ts";
import { type Clock, sleepUnlessStopped } from "./clock.ts";
import type { DaemonLog } from "./daemon-log.ts";

/** Between replay attempts while the database refuses the rows. */
const REPLAY_RETRY_MS = 5_000;
/** The waiting line is repeated this often (wall time). */
const WAIT_LOG_EVERY_MS = 60_000;

export interface SpoolReplayWaitDeps {
  readonly sink: Sink;
  readonly clock: Clock;
  readonly log: DaemonLog;
  /** Settles when the daemon is told to stop: the wait ends at once. */
  readonly stop: Promise<void>;
  /** What the daemon waits for, for systemd's STATUS line. */
  readonly announce: (status: string) => void;
}

/** Resolves true once no spooled row waits for the database; false when a stop came first. */
export async function waitForSpoolReplay(deps: SpoolReplayWaitDeps): Promise<boolean> {
  const startedMs = deps.clock.nowMs();
  let loggedAtMs: number | null = null;
  for (;;) {
    await deps.sink.flush(); // replays the spool now when the database takes it
    const { spooledRows, lastError } = deps.sink.health();
    if (spooledRows === 0) {
      if (loggedAtMs !== null) deps.log.log("info", "IDLE", "the earlier run's spooled rows are in the database; starting");
      return true;
    }
    const nowMs = deps.clock.nowMs();
    if (loggedAtMs === null || nowMs - loggedAtMs >= WAIT_LOG_EVERY_MS) {
      const waiting = `${spooledRows} row(s) of an earlier run wait in the spool; reading the day's counters only after they are in the database (${lastError ?? "replaying"})`;
      deps.log.log("warn", "IDLE", waiting, { waitingS: Math.round((nowMs - startedMs) / 1000), stopWith: "SIGTERM" });
      deps.announce(`waiting for ${spooledRows} spooled row(s) of an earlier run to reach the status database (${lastError ?? "replaying"}); only SIGTERM stops it now`);
      loggedAtMs = nowMs;
    }
    if (await sleepUnlessStopped(deps.clock, REPLAY_RETRY_MS, deps.stop)) return false;
  }
}
