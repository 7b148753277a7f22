-- The circuit breaker's PnL baselines (the day's first option mark and hedge unrealised
-- PnL), so a mid-day restart counts the whole day's loss. NULL on rows written before.
ALTER TABLE daily_state ADD COLUMN option_open_value_micros INTEGER;
ALTER TABLE daily_state ADD COLUMN hedge_open_unrealized_micros INTEGER;
