// The running daemon renews its claim of the daemon id beside every heartbeat, never on the
// trading path (nothing there awaits it). Found held by another process, the claim was taken
// over while this one could not renew it for a whole lease (a long database outage or network
// cut): two daemons would now trade one account, so the owner is told at once to stop. A
// database that does not answer leaves hedging going, as any sink outage does: a claimant that
// cannot reach the database cannot take the claim either; the gap is logged once.
import type { DaemonIdClaimant } from "../sink/daemon-claim.ts";
import type { Sink } from "../sink/port.ts";
import { type Clock, withTimeout } from "./clock.ts";
import type { DaemonLog } from "./daemon-log.ts";
import { claimHeldMessage } from "./instance-guard.ts";

/** A clean stop waits this long for the release; unreleased, the claim lapses with its lease. */
const RELEASE_TIMEOUT_MS = 1_000;

export interface ClaimRenewalDeps {
  readonly sink: Sink;
  readonly claimant: DaemonIdClaimant;
  readonly clock: Clock;
  readonly log: DaemonLog;
  readonly stateName: () => string;
  /** Another process holds the claim now: this one must stop trading. */
  readonly onLost: (message: string) => void;
}

export class ClaimRenewal {
  private inFlight: Promise<void> | null = null;
  private unconfirmed = false;
  /** Released at a stop, or found lost: no more renewals (a lost claim is reported once). */
  private ended = false;

  constructor(private readonly deps: ClaimRenewalDeps) {}

  /**
   * Starts one renewal; its outcome arrives later. One at a time: during an outage a renewal
   * may hang until the connection fails, and piling up more would hold the pool's connections
   * the write queue needs.
   */
  renew(): void {
    if (this.ended) return;
    if (this.inFlight !== null) {
      this.unconfirmedBecause("the database has not answered the last renewal yet");
      return;
    }
    const { claimant } = this.deps;
    this.inFlight = this.deps.sink
      .claimDaemonId(claimant)
      .then(
        (claim) => {
          if (this.ended) return;
          if (claim.type === "held") {
            this.ended = true;
            this.deps.onLost(`${claimHeldMessage(claimant.daemonId, claim.holder)}: it took the daemon id over while this process could not renew its claim; stopping, so that one daemon trades the account`);
            return;
          }
          if (this.unconfirmed) this.deps.log.log("info", this.deps.stateName(), `claim of daemon ${claimant.daemonId} renewed again`);
          this.unconfirmed = false;
        },
        (error: unknown) => this.unconfirmedBecause(error instanceof Error ? error.message : String(error)),
      )
      .finally(() => (this.inFlight = null));
  }

  /** Logged once per gap: the claim is checked again on every heartbeat. */
  private unconfirmedBecause(cause: string): void {
    if (this.unconfirmed) return;
    this.unconfirmed = true;
    this.deps.log.log("warn", this.deps.stateName(), `cannot renew the claim of daemon ${this.deps.claimant.daemonId} (${cause}); hedging goes on, the claim is checked again every heartbeat`);
  }

  /** Ends renewals and frees the claim (a clean stop), so that a waiting twin takes over at once. */
  async release(): Promise<void> {
    this.ended = true;
    const { sink, claimant, clock } = this.deps;
    // After a renewal still under way: it would take the claim back.
    const released = (this.inFlight ?? Promise.resolve()).then(() => sink.releaseDaemonId(claimant.daemonId, claimant.token));
    try {
      await withTimeout(released, RELEASE_TIMEOUT_MS, clock, "claim release");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log.log("warn", this.deps.stateName(), `claim of daemon ${claimant.daemonId} not released (${message}); another daemon can take it over once its lease of ${claimant.leaseMs / 1000} s runs out`);
    }
  }
}
