-- gs schema v1 for SQLite.
-- Timestamps: UTC epoch milliseconds (INTEGER).
-- Money and prices: INTEGER micro-units (value * 1e6, rounded), columns suffixed `_micros`.
-- SQLite has no decimal type; REAL would make SUM() drift, TEXT would sort and sum wrongly.
-- Integers keep sums exact and round-trip every value with up to 6 decimals.
-- Deltas (fractional shares) are REAL: they are model outputs, not money.
-- JSON columns are TEXT holding JSON.

CREATE TABLE status_current (
  daemon_id                  TEXT PRIMARY KEY,
  ts_ms                      INTEGER NOT NULL,
  state                      TEXT NOT NULL,
  hedge_state                TEXT NOT NULL,
  symbol                     TEXT NOT NULL,
  spot_micros                INTEGER,
  bid_micros                 INTEGER,
  ask_micros                 INTEGER,
  portfolio_delta_shares     REAL,
  option_delta_shares        REAL,
  hedge_shares               INTEGER NOT NULL,
  pending_shares             INTEGER NOT NULL,
  legs_count                 INTEGER NOT NULL,
  daily_hedge_count          INTEGER NOT NULL,
  daily_realized_pnl_micros  INTEGER NOT NULL,
  unrealized_pnl_micros      INTEGER,
  data_age_ms                INTEGER,
  broker_connected           INTEGER NOT NULL CHECK (broker_connected IN (0, 1)),
  paused                     INTEGER NOT NULL CHECK (paused IN (0, 1)),
  block_reasons              TEXT NOT NULL,
  config_hash                TEXT NOT NULL,
  heartbeat_interval_s       REAL NOT NULL,
  details                    TEXT NOT NULL
);

CREATE TABLE status_history (
  id                         INTEGER PRIMARY KEY,
  daemon_id                  TEXT NOT NULL,
  ts_ms                      INTEGER NOT NULL,
  state                      TEXT NOT NULL,
  hedge_state                TEXT NOT NULL,
  symbol                     TEXT NOT NULL,
  spot_micros                INTEGER,
  bid_micros                 INTEGER,
  ask_micros                 INTEGER,
  portfolio_delta_shares     REAL,
  option_delta_shares        REAL,
  hedge_shares               INTEGER NOT NULL,
  pending_shares             INTEGER NOT NULL,
  legs_count                 INTEGER NOT NULL,
  daily_hedge_count          INTEGER NOT NULL,
  daily_realized_pnl_micros  INTEGER NOT NULL,
  unrealized_pnl_micros      INTEGER,
  data_age_ms                INTEGER,
  broker_connected           INTEGER NOT NULL CHECK (broker_connected IN (0, 1)),
  paused                     INTEGER NOT NULL CHECK (paused IN (0, 1)),
  block_reasons              TEXT NOT NULL,
  config_hash                TEXT NOT NULL,
  heartbeat_interval_s       REAL NOT NULL,
  details                    TEXT NOT NULL,
  -- One snapshot per daemon and millisecond (the last written wins): replays never duplicate history.
  UNIQUE (daemon_id, ts_ms)
);
CREATE INDEX status_history_ts ON status_history (ts_ms);

CREATE TABLE operations (
  -- Rowid ids grow with every insert; gs never deletes the newest rows, so an id is never
  -- reused and cursors stay stable. (AUTOINCREMENT would cost ~15% of the write rate.)
  id                 INTEGER PRIMARY KEY,
  op_id              TEXT NOT NULL UNIQUE,
  exec_id            TEXT,
  ts_ms              INTEGER NOT NULL,
  daemon_id          TEXT NOT NULL,
  type               TEXT NOT NULL,
  order_ref          TEXT,
  broker_order_id    INTEGER,
  side               TEXT CHECK (side IN ('BUY', 'SELL')),
  quantity_shares    INTEGER,
  price_micros       INTEGER,
  commission_micros  INTEGER,
  reason             TEXT,
  payload            TEXT
);
CREATE UNIQUE INDEX operations_exec_id ON operations (exec_id) WHERE exec_id IS NOT NULL;
CREATE INDEX operations_ts ON operations (ts_ms);
CREATE INDEX operations_type_ts ON operations (type, ts_ms);
CREATE INDEX operations_order_ref ON operations (order_ref);

CREATE TABLE daemon_control (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ms           INTEGER NOT NULL,
  daemon_id       TEXT NOT NULL,
  command         TEXT NOT NULL,
  args            TEXT NOT NULL,
  issued_by       TEXT NOT NULL,
  -- Set when a daemon claims the command; consumed_at_ms is then updated on completion.
  claimed_at_ms   INTEGER,
  consumed_at_ms  INTEGER,
  result          TEXT
);
CREATE INDEX daemon_control_pending ON daemon_control (daemon_id, id) WHERE consumed_at_ms IS NULL;

CREATE TABLE daily_state (
  daemon_id                 TEXT NOT NULL,
  trading_day               TEXT NOT NULL,
  hedge_count               INTEGER NOT NULL,
  realized_pnl_micros       INTEGER NOT NULL,
  commissions_micros        INTEGER NOT NULL,
  last_hedge_ts_ms          INTEGER,
  last_hedge_price_micros   INTEGER,
  circuit_breaker_tripped   INTEGER NOT NULL CHECK (circuit_breaker_tripped IN (0, 1)),
  updated_at_ms             INTEGER NOT NULL,
  PRIMARY KEY (daemon_id, trading_day)
);

CREATE TABLE bars (
  symbol         TEXT NOT NULL,
  bar_seconds    INTEGER NOT NULL,
  ts_ms          INTEGER NOT NULL,
  open_micros    INTEGER NOT NULL,
  high_micros    INTEGER NOT NULL,
  low_micros     INTEGER NOT NULL,
  close_micros   INTEGER NOT NULL,
  volume         INTEGER NOT NULL,
  PRIMARY KEY (symbol, bar_seconds, ts_ms)
) WITHOUT ROWID;

CREATE TABLE backtest_runs (
  run_id            TEXT PRIMARY KEY,
  started_at_ms     INTEGER NOT NULL,
  finished_at_ms    INTEGER NOT NULL,
  config_hash       TEXT NOT NULL,
  data_fingerprint  TEXT NOT NULL,
  from_day          TEXT NOT NULL,
  to_day            TEXT NOT NULL,
  summary           TEXT NOT NULL
);
CREATE INDEX backtest_runs_started ON backtest_runs (started_at_ms);
