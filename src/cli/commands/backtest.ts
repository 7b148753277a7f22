// Placeholder until the backtest engineer lands `gs backtest`; owned by the backtest engineer from here on.
import { defineCommand } from "citty";
import { CONFIG_ARGS } from "../config-args.ts";
import { notYetAvailable } from "../not-yet-available.ts";

export default defineCommand({
  args: { ...CONFIG_ARGS },
  run() {
    notYetAvailable("gs backtest");
  },
});
