-- Which process holds a daemon id: the start-up check on status_current alone was read-then-act,
-- so two daemons started within one heartbeat both ran. A claim is taken or renewed by one
-- atomic upsert whose guard (same holder, released, or lease expired by the database's clock)
-- lets exactly one of two racing claimants win; the holder renews it on every heartbeat.
CREATE TABLE daemon_claim (
  daemon_id TEXT PRIMARY KEY,
  holder_token TEXT NOT NULL,
  holder_host TEXT NOT NULL,
  holder_pid INTEGER NOT NULL,
  lease_ms BIGINT NOT NULL,
  claimed_at_ms BIGINT NOT NULL,
  renewed_at_ms BIGINT NOT NULL,
  released_at_ms BIGINT
);
