// Placeholder until the sinks engineer lands `gs stats`; owned by the sinks engineer from here on.
import { defineCommand } from "citty";
import { CONFIG_ARGS } from "../config-args.ts";
import { notYetAvailable } from "../not-yet-available.ts";

export default defineCommand({
  args: { ...CONFIG_ARGS },
  run() {
    notYetAvailable("gs stats");
  },
});
