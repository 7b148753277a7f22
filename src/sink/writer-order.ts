// The guard of the status_current and daily_state upserts (same SQL on both dialects).
//
// Within one run (writer_run_id) the queue's sequence decides, never the wall clock: a clock
// stepped back (NTP correcting a fast boot) must not freeze these rows on the pre-step ones,
// and a replayed older write (spool) must not overwrite a newer one.
//
// Between runs there is no sequence, and arrival is no order either: a dead run's spool is
// often replayed by another process (gs serve, a CLI on the same spool path) after the next
// run has written, and a timed-out PostgreSQL batch may still commit later. So the row's own
// time decides, as before 003, with one exception: a stored row stamped further ahead of the
// database's clock than any sane skew came from a clock that was fast and has since stepped
// back; it does not hold the next run's rows back until the clock catches up with it.
/** Skew between a writer's clock and the database's tolerated before a stored row counts as from a fast clock. */
export const CLOCK_AHEAD_TOLERANCE_MS = 60_000;

/** The database's "now" in epoch milliseconds, per dialect. */
export const SQLITE_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
export const POSTGRES_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/** WHERE clause of the upsert of `table`, whose rows are stamped with `timeColumn` (epoch ms). */
export function newerWrite(table: string, timeColumn: string, databaseNowMs: string): string {
  const stored = `${table}.${timeColumn}`;
  return `(CASE WHEN excluded.writer_run_id = ${table}.writer_run_id THEN excluded.writer_seq >= ${table}.writer_seq
    ELSE excluded.${timeColumn} >= ${stored} OR ${stored} > ${databaseNowMs} + ${CLOCK_AHEAD_TOLERANCE_MS} END)`;
}
