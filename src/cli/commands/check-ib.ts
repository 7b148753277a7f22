// Placeholder until the IB engineer lands `gs check ib`; owned by the IB engineer from here on.
import { defineCommand } from "citty";
import { CONFIG_ARGS } from "../config-args.ts";
import { notYetAvailable } from "../not-yet-available.ts";

export default defineCommand({
  args: { ...CONFIG_ARGS },
  run() {
    notYetAvailable("gs check ib");
  },
});
