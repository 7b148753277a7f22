// Placeholder until the server engineer lands `gs status`; owned by the server engineer from here on.
import { defineCommand } from "citty";
import { CONFIG_ARGS } from "../config-args.ts";
import { notYetAvailable } from "../not-yet-available.ts";

export default defineCommand({
  args: { ...CONFIG_ARGS },
  run() {
    notYetAvailable("gs status");
  },
});
