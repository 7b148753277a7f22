// The guard of the status_current and daily_state upserts (same SQL on both dialects).
// Within one run (writer_run_id) the queue's sequence decides, never the wall clock: a clock
// stepped back (NTP correcting a fast boot) must not freeze these rows on the pre-step ones,
// and a replayed older write (spool) must not overwrite a newer one. A row of another run
// wins by arrival: a new run replays any spool it inherits before it writes anything newer.
export function newerWrite(table: string): string {
  return `(excluded.writer_run_id <> ${table}.writer_run_id OR excluded.writer_seq >= ${table}.writer_seq)`;
}
