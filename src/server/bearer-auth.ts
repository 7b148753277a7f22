// Bearer-token check for the server: constant-time comparison and a per-client limit on
// failed attempts, so a token cannot be guessed by trying. Failures never say why.
// Only a presented wrong token counts as a failure, and the right token passes even while its
// address is throttled: on loopback every client is 127.0.0.1, so anyone else's failures
// (a local process, a web page's blind POST) must not lock the operator out of stop/flatten.
import { createHash, timingSafeEqual } from "node:crypto";

export type AuthOutcome = "ok" | "unauthorized" | "rate_limited";

export interface FailureLimit {
  /** Failed attempts allowed per client within windowMs; one more is refused with 429. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

export const DEFAULT_FAILURE_LIMIT: FailureLimit = { maxFailures: 10, windowMs: 60_000 };
/** Clients remembered at once; the oldest are forgotten first (bounded memory under a scan). */
const MAX_TRACKED_CLIENTS = 10_000;

export class BearerAuth {
  private readonly tokenDigest: Buffer | null;
  private readonly failures = new Map<string, number[]>();

  constructor(
    token: string | null,
    private readonly limit: FailureLimit = DEFAULT_FAILURE_LIMIT,
  ) {
    this.tokenDigest = token === null || token === "" ? null : digest(token);
  }

  get hasToken(): boolean {
    return this.tokenDigest !== null;
  }

  /** `authorization` is the raw header; `client` identifies the caller (its address). */
  check(authorization: string | null, client: string, nowMs: number): AuthOutcome {
    if (this.tokenDigest !== null && authorization !== null) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), this.tokenDigest)) return "ok";
    }
    const recent = this.recentFailures(client, nowMs);
    if (recent.length >= this.limit.maxFailures) return "rate_limited";
    if (authorization === null) return "unauthorized"; // no guess was made: nothing to count
    this.failures.delete(client);
    this.failures.set(client, [...recent, nowMs]);
    if (this.failures.size > MAX_TRACKED_CLIENTS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    return "unauthorized";
  }

  /** Seconds until `client` may try again (for Retry-After). */
  retryAfterS(client: string, nowMs: number): number {
    const oldest = this.recentFailures(client, nowMs)[0];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + this.limit.windowMs - nowMs) / 1000));
  }

  private recentFailures(client: string, nowMs: number): number[] {
    return (this.failures.get(client) ?? []).filter((tsMs) => nowMs - tsMs < this.limit.windowMs);
  }
}

// Hashing both sides gives equal-length buffers, so timingSafeEqual never leaks the length.
function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
