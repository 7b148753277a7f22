// `gs check <what>`: each check is its own lazily loaded command.
import { defineCommand } from "citty";
import { lazyCommand } from "../lazy-command.ts";

export default defineCommand({
  subCommands: {
    config: lazyCommand({
      name: "config",
      description: "Validate the configuration; print effective values (secrets masked) and where each came from",
      load: () => import("./check-config.ts"),
    }),
    ib: lazyCommand({
      name: "ib",
      description: "Connect to TWS / IB Gateway and report what gs sees (accounts, positions, market data)",
      load: () => import("./check-ib.ts"),
    }),
    phase1: lazyCommand({
      name: "phase1",
      description: "Run the phase-1 acceptance self-check of the daemon",
      load: () => import("./check-phase1.ts"),
    }),
  },
});
