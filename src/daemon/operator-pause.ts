// The operator's pause outlives the process. A daemon that restarts (a crash restarted by
// systemd, a watchdog kill, a deploy) must not come up hedging what the operator paused or
// flattened: after a flatten at the close, the next quote would re-hedge the options' delta
// and reopen the position. Every status row carries the pause (details.operatorPause) and
// any flatten left unfinished (its block reason); the next start reads them back from the
// last row and stays paused until `resume`.
import type { BlockReason, StatusRow } from "../sink/records.ts";

export interface OperatorPause {
  /** Wall time of the command that paused. */
  readonly sinceTsMs: number;
  /** A flatten pauses too. */
  readonly command: "pause" | "flatten";
  /** True once restored from the last status row: it was given to an earlier process. */
  readonly beforeRestart: boolean;
}

/** What an earlier process left for this one: its operator pause and a flatten it did not finish. */
export interface CarriedOperatorState {
  readonly pause: OperatorPause | null;
  /** The flatten_failed message to show again, or null. */
  readonly flattenFailure: string | null;
}

/** The pause after `command`; a pause already on keeps its start. */
export function pausedBy(command: OperatorPause["command"], current: OperatorPause | null, wallNowMs: number): OperatorPause {
  return { sinceTsMs: current?.sinceTsMs ?? wallNowMs, command, beforeRestart: current?.beforeRestart ?? false };
}

/** The status reason of a pause (code `paused`, replacing core's, which cannot say since when). */
export function pauseBlockReason(pause: OperatorPause): BlockReason {
  const at = new Date(pause.sinceTsMs).toISOString();
  const by = pause.command === "flatten" ? "by the operator's flatten" : "by the operator";
  const when = pause.beforeRestart ? `at ${at}, before the restart` : `at ${at}`;
  return { code: "paused", message: `paused ${by} ${when}; resume to hedge` };
}

/** Reads the last status row: its pause (also a row of a gs that only set `paused`, a STOPPED one too) and its unfinished flatten. */
export function carriedOperatorState(last: StatusRow | undefined): CarriedOperatorState {
  if (last === undefined) return { pause: null, flattenFailure: null };
  const recorded = recordedPause(last.details.operatorPause);
  // Only the operator pauses gs: a row saying paused without the details is an older gs's pause, on since that row at the latest.
  const pause = recorded ?? (last.paused || last.state === "PAUSED" ? { sinceTsMs: last.tsMs, command: "pause" as const } : null);
  return { pause: pause === null ? null : { ...pause, beforeRestart: true }, flattenFailure: unfinishedFlatten(last) };
}

function recordedPause(value: unknown): Omit<OperatorPause, "beforeRestart"> | null {
  if (typeof value !== "object" || value === null) return null;
  const { sinceTsMs, command } = value as { sinceTsMs?: unknown; command?: unknown };
  if (typeof sinceTsMs !== "number" || !Number.isFinite(sinceTsMs)) return null;
  return { sinceTsMs, command: command === "flatten" ? "flatten" : "pause" };
}

function unfinishedFlatten(last: StatusRow): string | null {
  const failed = last.blockReasons.find((reason) => reason.code === "flatten_failed");
  if (failed !== undefined) return `before the restart: ${failed.message}`;
  // A process that died without its stop (SIGKILL, the watchdog) could not end its flatten.
  if (last.blockReasons.some((reason) => reason.code === "flatten_in_progress")) {
    return `a flatten was under way when the daemon ended without a clean stop (last status ${new Date(last.tsMs).toISOString()}, ${last.hedgeShares} hedge shares then); nothing more was sent. Check the hedge shares, then flatten again or resume`;
  }
  return null;
}
