// Placeholder until the daemon engineer lands `gs check phase1`; owned by the daemon engineer from here on.
import { defineCommand } from "citty";
import { CONFIG_ARGS } from "../config-args.ts";
import { notYetAvailable } from "../not-yet-available.ts";

export default defineCommand({
  args: { ...CONFIG_ARGS },
  run() {
    notYetAvailable("gs check phase1");
  },
});
