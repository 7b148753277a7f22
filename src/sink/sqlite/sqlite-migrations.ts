import init from "../../../sql/sqlite/001_init.sql" with { type: "text" };
import dailyPnlBaselines from "../../../sql/sqlite/002_daily_pnl_baselines.sql" with { type: "text" };
import writerOrder from "../../../sql/sqlite/003_writer_order.sql" with { type: "text" };
import dayPnlMarks from "../../../sql/sqlite/004_day_pnl_marks.sql" with { type: "text" };
import daemonClaim from "../../../sql/sqlite/005_daemon_claim.sql" with { type: "text" };
import type { Migration } from "../migration.ts";

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "001_init", sql: init },
  { version: 2, name: "002_daily_pnl_baselines", sql: dailyPnlBaselines },
  { version: 3, name: "003_writer_order", sql: writerOrder },
  { version: 4, name: "004_day_pnl_marks", sql: dayPnlMarks },
  { version: 5, name: "005_daemon_claim", sql: daemonClaim },
];
