// `gs check phase1`: runs the Phase 1 acceptance cases against a real daemon on the sim market.
import { defineCommand } from "citty";
import { CONFIG_ARGS, setFlagValues } from "../config-args.ts";

export default defineCommand({
  args: { ...CONFIG_ARGS },
  async run(context) {
    const { formatPhase1Table, runPhase1Check } = await import("../../daemon/phase1-check.ts");
    // In development Bun runs src/cli/main.ts; compiled, the executable is gs itself.
    const selfCommand = Bun.main.endsWith(".ts") ? [process.execPath, Bun.main] : [process.execPath];
    const results = await runPhase1Check({ configPath: context.args.config ?? null, overrides: setFlagValues(context.rawArgs), selfCommand });
    process.stdout.write(`${formatPhase1Table(results)}\n`);
    process.exitCode = results.every((result) => result.passed) ? 0 : 1;
  },
});
