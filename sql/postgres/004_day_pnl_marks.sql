-- Today's PnL marks for a restart (core DayPnlMarks as JSON: the hedge's open value, cash and
-- shares, the legs' baselines and the PnL of legs closed today), replacing 002's two
-- baselines: an aggregate option value cannot tell a roll from a loss, and an average cost
-- blends in shares outside the strategy. NULL on rows written before.
ALTER TABLE daily_state ADD COLUMN pnl_marks JSONB;
ALTER TABLE daily_state DROP COLUMN option_open_value_usd;
ALTER TABLE daily_state DROP COLUMN hedge_open_unrealized_usd;
