-- The circuit breaker's PnL baselines (the day's first option mark and hedge unrealised
-- PnL), so a mid-day restart counts the whole day's loss. NULL on rows written before.
ALTER TABLE daily_state ADD COLUMN option_open_value_usd NUMERIC(20, 6);
ALTER TABLE daily_state ADD COLUMN hedge_open_unrealized_usd NUMERIC(20, 6);
