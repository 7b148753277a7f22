// A run that ended during a database outage left rows in the spool: its last counters, its
// last status, its fills. The sink replays them in the background once it is open; a daemon
// that read the database before that would start on stale counters (and then overwrite the
// replayed ones). So start-up reads wait here until the spool is empty.
import type { Sink } from "../sink/port.ts";
import type { Clock } from "./clock.ts";
import type { DaemonLog } from "./daemon-log.ts";

/** Between replay attempts while the database refuses the rows. */
const REPLAY_RETRY_MS = 5_000;

export interface SpoolReplayWaitDeps {
  readonly sink: Sink;
  readonly clock: Clock;
  readonly log: DaemonLog;
  readonly stopRequested: () => boolean;
}

/** Resolves true once no spooled row waits for the database; false when a stop came first. */
export async function waitForSpoolReplay(deps: SpoolReplayWaitDeps): Promise<boolean> {
  let logged = false;
  for (;;) {
    await deps.sink.flush(); // replays the spool now when the database takes it
    const { spooledRows, lastError } = deps.sink.health();
    if (spooledRows === 0) return true;
    if (deps.stopRequested()) return false;
    if (!logged) {
      deps.log.log("warn", "IDLE", `${spooledRows} row(s) of an earlier run wait in the spool; reading the day's counters only after they are in the database (${lastError ?? "replaying"})`);
      logged = true;
    }
    await new Promise<void>((resolve) => deps.clock.setTimer(REPLAY_RETRY_MS, resolve));
  }
}
