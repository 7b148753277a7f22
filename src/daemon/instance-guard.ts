// Two daemons with one daemon_id would hedge the same account twice. At start the daemon
// looks at its own status row: if another process (another pid or host) heartbeated it
// recently and did not stop, it waits until that heartbeat is stale. After a crash this only
// delays the restart by a few heartbeats; a live twin keeps this one waiting, loudly.
import { hostname } from "node:os";
import type { Sink } from "../sink/port.ts";
import type { StatusRow } from "../sink/records.ts";
import { type Clock, sleepUnlessStopped } from "./clock.ts";
import type { DaemonLog } from "./daemon-log.ts";

/** A heartbeat missing for this many intervals means its writer is gone. */
const STALE_HEARTBEATS = 3;

export interface InstanceIdentity {
  readonly pid: number;
  readonly host: string;
}

export function thisInstance(pid: number): InstanceIdentity {
  return { pid, host: hostname() };
}

/** Why `row` looks like another live daemon, or null when it does not. */
function otherLiveInstance(row: StatusRow | undefined, wallNowMs: number, self: InstanceIdentity): string | null {
  if (!row || row.state === "STOPPED") return null;
  const ageMs = wallNowMs - row.tsMs;
  const staleAfterMs = STALE_HEARTBEATS * row.heartbeatIntervalS * 1000;
  if (ageMs > staleAfterMs) return null;
  const { pid, host } = row.details;
  if (pid === self.pid && (host === undefined || host === self.host)) return null;
  return `daemon ${row.daemonId} is ${row.state} elsewhere (pid ${String(pid ?? "unknown")} on ${String(host ?? "an unknown host")}, heartbeat ${Math.round(ageMs / 1000)} s ago); waiting until its heartbeat is older than ${staleAfterMs / 1000} s`;
}

export interface InstanceWaitDeps {
  readonly sink: Sink;
  readonly daemonId: string;
  readonly clock: Clock;
  readonly log: DaemonLog;
  readonly self: InstanceIdentity;
  readonly pollMs: number;
  /** Settles when the daemon is told to stop: the wait ends at once. */
  readonly stop: Promise<void>;
  /** What the daemon waits for, for systemd's STATUS line. */
  readonly announce: (status: string) => void;
}

/**
 * Resolves with the last status row once no other live instance holds the daemon id; with
 * null when a stop came while another one still held it (this daemon never became the instance).
 */
export async function waitForNoOtherInstance(deps: InstanceWaitDeps): Promise<{ readonly last: StatusRow | undefined } | null> {
  let logged: string | null = null;
  for (;;) {
    const row = (await deps.sink.readStatusCurrent(deps.daemonId))[0];
    const other = otherLiveInstance(row, deps.clock.nowMs(), deps.self);
    if (other === null) return { last: row };
    if (other.replace(/\d+ s ago/, "") !== logged) {
      deps.log.log("warn", "IDLE", other);
      deps.announce(other);
    }
    logged = other.replace(/\d+ s ago/, "");
    if (await sleepUnlessStopped(deps.clock, deps.pollMs, deps.stop)) return null;
  }
}
