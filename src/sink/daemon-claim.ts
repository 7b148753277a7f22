// The claim of a daemon id (table daemon_claim, migration 005): which process may run it.
// One atomic upsert takes or renews it, so of two racing claimants exactly one wins, on any
// host sharing the database. Its lease runs on the database's clock, never a claimant's.

/** A process asking to be the one that runs `daemonId`. */
export interface DaemonIdClaimant {
  readonly daemonId: string;
  /** Unique per process run: a renewal carries the same one. */
  readonly token: string;
  readonly host: string;
  readonly pid: number;
  /** Not renewed for this long (database clock), the claim is free. */
  readonly leaseMs: number;
}

/** The process that holds a claim someone else asked for. */
export interface DaemonIdHolder {
  readonly host: string;
  readonly pid: number;
  readonly leaseMs: number;
  /** Since its last renewal, by the database's clock. */
  readonly renewedAgoMs: number;
}

export type DaemonIdClaim = { readonly type: "won" } | { readonly type: "held"; readonly holder: DaemonIdHolder };

/**
 * Takes the claim when there is none, it is the claimant's own (its token: the same process
 * run), it was released, or its lease ran out; RETURNING says whether it did. Never by host and
 * pid: two containers with one host name both run as pid 1, and a restarted pid 1 cannot tell
 * the holder's death from a twin's life, so it waits for the lease like anyone else.
 * Parameters: 1 daemon id, 2 token, 3 host, 4 pid, 5 lease ms.
 */
export function claimUpsertSql(databaseNowMs: string, parameter: (index: number) => string): string {
  const [daemonId, token, host, pid, leaseMs] = [1, 2, 3, 4, 5].map(parameter);
  return `INSERT INTO daemon_claim (daemon_id, holder_token, holder_host, holder_pid, lease_ms, claimed_at_ms, renewed_at_ms, released_at_ms)
    VALUES (${daemonId}, ${token}, ${host}, ${pid}, ${leaseMs}, ${databaseNowMs}, ${databaseNowMs}, NULL)
    ON CONFLICT (daemon_id) DO UPDATE SET holder_token = excluded.holder_token, holder_host = excluded.holder_host,
      holder_pid = excluded.holder_pid, lease_ms = excluded.lease_ms, renewed_at_ms = excluded.renewed_at_ms, released_at_ms = NULL,
      claimed_at_ms = CASE WHEN daemon_claim.holder_token = excluded.holder_token THEN daemon_claim.claimed_at_ms ELSE excluded.claimed_at_ms END
    WHERE daemon_claim.holder_token = excluded.holder_token
      OR daemon_claim.released_at_ms IS NOT NULL
      OR daemon_claim.renewed_at_ms + daemon_claim.lease_ms < ${databaseNowMs}
    RETURNING holder_token`;
}

/** The holder of daemon id parameter 1, with its age by the database's clock. */
export function claimHolderSql(databaseNowMs: string, parameter: (index: number) => string): string {
  return `SELECT holder_host, holder_pid, lease_ms, ${databaseNowMs} - renewed_at_ms AS renewed_ago_ms FROM daemon_claim WHERE daemon_id = ${parameter(1)}`;
}

/** Frees the claim of daemon id parameter 1 if token parameter 2 still holds it (a clean stop). */
export function claimReleaseSql(databaseNowMs: string, parameter: (index: number) => string): string {
  return `UPDATE daemon_claim SET released_at_ms = ${databaseNowMs} WHERE daemon_id = ${parameter(1)} AND holder_token = ${parameter(2)}`;
}

/** The claim's outcome from the upsert's RETURNING and, when it did not win, the holder's row. */
export function claimOutcome(daemonId: string, won: boolean, holder: Readonly<Record<string, unknown>> | undefined): DaemonIdClaim {
  if (won) return { type: "won" };
  // The upsert inserts a missing row and nothing deletes one: a broken database, not a free claim.
  if (holder === undefined) throw new Error(`the claim of daemon ${daemonId} was neither taken nor found in daemon_claim`);
  return {
    type: "held",
    holder: {
      host: String(holder.holder_host),
      pid: Number(holder.holder_pid),
      leaseMs: Number(holder.lease_ms),
      renewedAgoMs: Number(holder.renewed_ago_ms),
    },
  };
}
