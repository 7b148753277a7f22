-- Which write of which daemon run a status_current / daily_state row came from: within one run
-- the queue's sequence orders the upserts, so a wall clock stepping back (NTP correcting a
-- fast clock) no longer freezes these rows on the pre-step ones. '' / 0 on rows written before.
ALTER TABLE status_current ADD COLUMN writer_run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE status_current ADD COLUMN writer_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_state ADD COLUMN writer_run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE daily_state ADD COLUMN writer_seq INTEGER NOT NULL DEFAULT 0;
