-- gs schema v1 for PostgreSQL.
-- Timestamps: UTC epoch milliseconds (BIGINT).
-- Money and prices: NUMERIC(20,6) — exact decimal, never binary floats; 6 decimals
-- matches the SQLite micro-unit columns so both sinks store the same values.
-- Deltas (fractional shares) are DOUBLE PRECISION: model outputs, not money.

CREATE TABLE status_current (
  daemon_id                  TEXT PRIMARY KEY,
  ts_ms                      BIGINT NOT NULL,
  state                      TEXT NOT NULL,
  hedge_state                TEXT NOT NULL,
  symbol                     TEXT NOT NULL,
  spot                       NUMERIC(20, 6),
  bid                        NUMERIC(20, 6),
  ask                        NUMERIC(20, 6),
  portfolio_delta_shares     DOUBLE PRECISION,
  option_delta_shares        DOUBLE PRECISION,
  hedge_shares               BIGINT NOT NULL,
  pending_shares             BIGINT NOT NULL,
  legs_count                 INTEGER NOT NULL,
  daily_hedge_count          INTEGER NOT NULL,
  daily_realized_pnl_usd     NUMERIC(20, 6) NOT NULL,
  unrealized_pnl_usd         NUMERIC(20, 6),
  data_age_ms                BIGINT,
  broker_connected           BOOLEAN NOT NULL,
  paused                     BOOLEAN NOT NULL,
  block_reasons              JSONB NOT NULL,
  config_hash                TEXT NOT NULL,
  heartbeat_interval_s       DOUBLE PRECISION NOT NULL,
  details                    JSONB NOT NULL
);

CREATE TABLE status_history (
  id                         BIGSERIAL PRIMARY KEY,
  daemon_id                  TEXT NOT NULL,
  ts_ms                      BIGINT NOT NULL,
  state                      TEXT NOT NULL,
  hedge_state                TEXT NOT NULL,
  symbol                     TEXT NOT NULL,
  spot                       NUMERIC(20, 6),
  bid                        NUMERIC(20, 6),
  ask                        NUMERIC(20, 6),
  portfolio_delta_shares     DOUBLE PRECISION,
  option_delta_shares        DOUBLE PRECISION,
  hedge_shares               BIGINT NOT NULL,
  pending_shares             BIGINT NOT NULL,
  legs_count                 INTEGER NOT NULL,
  daily_hedge_count          INTEGER NOT NULL,
  daily_realized_pnl_usd     NUMERIC(20, 6) NOT NULL,
  unrealized_pnl_usd         NUMERIC(20, 6),
  data_age_ms                BIGINT,
  broker_connected           BOOLEAN NOT NULL,
  paused                     BOOLEAN NOT NULL,
  block_reasons              JSONB NOT NULL,
  config_hash                TEXT NOT NULL,
  heartbeat_interval_s       DOUBLE PRECISION NOT NULL,
  details                    JSONB NOT NULL,
  -- One snapshot per daemon and millisecond (the last written wins): replays never duplicate history.
  UNIQUE (daemon_id, ts_ms)
);
CREATE INDEX status_history_ts ON status_history (ts_ms);

CREATE TABLE operations (
  id               BIGSERIAL PRIMARY KEY,
  op_id            TEXT NOT NULL UNIQUE,
  exec_id          TEXT,
  ts_ms            BIGINT NOT NULL,
  daemon_id        TEXT NOT NULL,
  type             TEXT NOT NULL,
  order_ref        TEXT,
  broker_order_id  BIGINT,
  side             TEXT CHECK (side IN ('BUY', 'SELL')),
  quantity_shares  BIGINT,
  price            NUMERIC(20, 6),
  commission_usd   NUMERIC(20, 6),
  reason           TEXT,
  payload          JSONB
);
CREATE UNIQUE INDEX operations_exec_id ON operations (exec_id) WHERE exec_id IS NOT NULL;
CREATE INDEX operations_ts ON operations (ts_ms);
CREATE INDEX operations_type_ts ON operations (type, ts_ms);
CREATE INDEX operations_order_ref ON operations (order_ref);

CREATE TABLE daemon_control (
  id              BIGSERIAL PRIMARY KEY,
  ts_ms           BIGINT NOT NULL,
  daemon_id       TEXT NOT NULL,
  command         TEXT NOT NULL,
  args            JSONB NOT NULL,
  issued_by       TEXT NOT NULL,
  -- Set when a daemon claims the command; consumed_at_ms is then updated on completion.
  claimed_at_ms   BIGINT,
  consumed_at_ms  BIGINT,
  result          TEXT
);
CREATE INDEX daemon_control_pending ON daemon_control (daemon_id, id) WHERE consumed_at_ms IS NULL;

CREATE TABLE daily_state (
  daemon_id                TEXT NOT NULL,
  trading_day              TEXT NOT NULL,
  hedge_count              INTEGER NOT NULL,
  realized_pnl_usd         NUMERIC(20, 6) NOT NULL,
  commissions_usd          NUMERIC(20, 6) NOT NULL,
  last_hedge_ts_ms         BIGINT,
  last_hedge_price         NUMERIC(20, 6),
  circuit_breaker_tripped  BOOLEAN NOT NULL,
  updated_at_ms            BIGINT NOT NULL,
  PRIMARY KEY (daemon_id, trading_day)
);

CREATE TABLE bars (
  symbol       TEXT NOT NULL,
  bar_seconds  INTEGER NOT NULL,
  ts_ms        BIGINT NOT NULL,
  open         NUMERIC(20, 6) NOT NULL,
  high         NUMERIC(20, 6) NOT NULL,
  low          NUMERIC(20, 6) NOT NULL,
  close        NUMERIC(20, 6) NOT NULL,
  volume       BIGINT NOT NULL,
  PRIMARY KEY (symbol, bar_seconds, ts_ms)
);

CREATE TABLE backtest_runs (
  run_id            TEXT PRIMARY KEY,
  started_at_ms     BIGINT NOT NULL,
  finished_at_ms    BIGINT NOT NULL,
  config_hash       TEXT NOT NULL,
  data_fingerprint  TEXT NOT NULL,
  from_day          TEXT NOT NULL,
  to_day            TEXT NOT NULL,
  summary           JSONB NOT NULL
);
CREATE INDEX backtest_runs_started ON backtest_runs (started_at_ms);
