// Which lamp the dashboard may show: the server's, only while the page still hears from the
// server and the daemon's heartbeat is within stale_after. A stalled path (SSH tunnel, proxy)
// or a dead `gs serve` sends nothing, so the page must notice silence itself instead of
// showing the last green forever. Pure, served at /dashboard-liveness.ts for the client.
import type { Lamp, StatusView } from "../status-view-schema.ts";

/** The server's ping interval until its first ping says otherwise (DEFAULT_EVENT_STREAM_OPTIONS). */
export const DEFAULT_PING_INTERVAL_MS = 5_000;
/** Silence for longer than this many ping intervals means the stream is lost. */
export const MISSED_PINGS_FOR_LOSS = 2.5;

export type ShownLamp = { readonly lamp: Lamp | "unknown"; readonly why: string | null };

/** The stream is lost when nothing (pings included) arrived for more than MISSED_PINGS_FOR_LOSS intervals. */
export function streamSilenceLimitMs(pingIntervalMs: number): number {
  return MISSED_PINGS_FOR_LOSS * pingIntervalMs;
}

/**
 * `streamLostWhy`: null while live updates arrive, else why not. `heartbeatAgeMs`: the view's
 * heartbeat age advanced by the time since it arrived.
 */
export function shownLamp(view: StatusView | null, heartbeatAgeMs: number | null, streamLostWhy: string | null): ShownLamp {
  if (streamLostWhy !== null) return { lamp: "unknown", why: `Live updates lost: ${streamLostWhy}. The daemon's state is unknown.` };
  if (view === null) return { lamp: "unknown", why: null };
  const staleAfterMs = view.heartbeat?.stale_after_ms ?? null;
  if (heartbeatAgeMs !== null && staleAfterMs !== null && heartbeatAgeMs > staleAfterMs) {
    return { lamp: "red", why: `Last heartbeat ${Math.round(heartbeatAgeMs / 1000)} s ago, over the ${Math.round(staleAfterMs / 1000)} s allowed: the daemon crashed, hangs or lost the database.` };
  }
  return { lamp: view.status_lamp, why: null };
}

// The server imports this file's source text; this default export only types that import.
export default "" as string;
