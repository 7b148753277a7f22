// Two daemons with one daemon_id would hedge the same account twice. At start the daemon
// claims the id in the sink (one atomic statement: of two racing claimants exactly one wins,
// on any host sharing the database); a claim held by another live process keeps it waiting,
// loudly, until that one stops or its claim's lease runs out. Then it also looks at its own
// status row: a live process there that never claimed (a gs from before claims) keeps it
// waiting too, until that heartbeat is stale. Who is who goes by the claim's token alone, never
// by host and pid: two containers sharing a host name both run as pid 1, and a fresh process
// has written no status row yet, so every live row is another's. After a crash this delays the
// restart by a few heartbeats. A database that cannot take the claim keeps it waiting: nothing
// trades without a won claim.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { DaemonIdClaimant, DaemonIdHolder } from "../sink/daemon-claim.ts";
import type { Sink } from "../sink/port.ts";
import type { StatusRow } from "../sink/records.ts";
import { type Clock, sleepUnlessStopped } from "./clock.ts";
import type { DaemonLog } from "./daemon-log.ts";

/** A heartbeat (or claim renewal) missing for this many intervals means its writer is gone. */
const STALE_HEARTBEATS = 3;

export interface InstanceIdentity {
  readonly pid: number;
  readonly host: string;
  /** This process run's claim token. */
  readonly token: string;
}

export function thisInstance(pid: number): InstanceIdentity {
  const host = hostname();
  return { pid, host, token: `${host}:${pid}:${randomUUID()}` };
}

/**
 * The claim this instance makes and renews every heartbeat; it lapses after STALE_HEARTBEATS
 * missed ones. Its lease is whole milliseconds (lease_ms is BIGINT), rounded up so that it never
 * lapses before the third missed heartbeat.
 */
export function claimantOf(daemonId: string, self: InstanceIdentity, heartbeatMs: number): DaemonIdClaimant {
  return { daemonId, token: self.token, host: self.host, pid: self.pid, leaseMs: Math.ceil(STALE_HEARTBEATS * heartbeatMs) };
}

/** Says who holds the claim of `daemonId`, for the log and systemd's STATUS. */
export function claimHeldMessage(daemonId: string, holder: DaemonIdHolder): string {
  return `daemon ${daemonId} is claimed by pid ${holder.pid} on ${holder.host} (claim renewed ${Math.round(holder.renewedAgoMs / 1000)} s ago)`;
}

/** Why `row`, written before this process holds the id and so by another one, looks live; null when it does not. */
function otherLiveInstance(row: StatusRow | undefined, wallNowMs: number): string | null {
  if (!row || row.state === "STOPPED") return null;
  const ageMs = wallNowMs - row.tsMs;
  const staleAfterMs = STALE_HEARTBEATS * row.heartbeatIntervalS * 1000;
  if (ageMs > staleAfterMs) return null;
  const { pid, host } = row.details;
  return `daemon ${row.daemonId} is ${row.state} elsewhere (pid ${String(pid ?? "unknown")} on ${String(host ?? "an unknown host")}, heartbeat ${Math.round(ageMs / 1000)} s ago); waiting until its heartbeat is older than ${staleAfterMs / 1000} s`;
}

export interface InstanceWaitDeps {
  readonly sink: Sink;
  readonly clock: Clock;
  readonly log: DaemonLog;
  readonly claimant: DaemonIdClaimant;
  readonly pollMs: number;
  /** Settles when the daemon is told to stop: the wait ends at once. */
  readonly stop: Promise<void>;
  /** What the daemon waits for, for systemd's STATUS line. */
  readonly announce: (status: string) => void;
}

/** The last status row once this instance holds the daemon id, or why it must wait. */
async function tryToHold(deps: InstanceWaitDeps): Promise<{ readonly last: StatusRow | undefined } | { readonly wait: string }> {
  const { sink, claimant } = deps;
  try {
    const claim = await sink.claimDaemonId(claimant);
    if (claim.type === "held") {
      const { holder } = claim;
      const twin = holder.host === claimant.host && holder.pid === claimant.pid ? " (this host name and pid: an earlier run of this process, or another container with both)" : "";
      return { wait: `${claimHeldMessage(claimant.daemonId, holder)}${twin}; waiting until it stops or its claim is older than ${holder.leaseMs / 1000} s` };
    }
    const row = (await sink.readStatusCurrent(claimant.daemonId))[0];
    const other = otherLiveInstance(row, deps.clock.nowMs());
    return other === null ? { last: row } : { wait: other };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { wait: `cannot claim daemon ${claimant.daemonId} in the status database (${message}); retrying: nothing trades until the claim is won` };
  }
}

/**
 * Resolves with the last status row once this instance holds the daemon id; with null when a
 * stop came while another one still held it (this daemon never became the instance).
 */
export async function waitForNoOtherInstance(deps: InstanceWaitDeps): Promise<{ readonly last: StatusRow | undefined } | null> {
  let logged: string | null = null;
  for (;;) {
    const outcome = await tryToHold(deps);
    if ("last" in outcome) return outcome;
    // The same wait again (only its age moved) is not logged again.
    const gist = outcome.wait.replace(/\d+ s ago/, "");
    if (gist !== logged) {
      deps.log.log("warn", "IDLE", outcome.wait);
      deps.announce(outcome.wait);
    }
    logged = gist;
    if (await sleepUnlessStopped(deps.clock, deps.pollMs, deps.stop)) return null;
  }
}
