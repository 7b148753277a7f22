// `gs daemon`: run the hedging daemon in the foreground (systemd runs it the same way).
import { defineCommand } from "citty";
import { loadConfig } from "../../config/load.ts";
import { UserError } from "../../config/user-error.ts";
import { CONFIG_ARGS, setFlagValues } from "../config-args.ts";

const EXIT_GRACE_MS = 2_000;

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    speed: {
      type: "string",
      valueHint: "N",
      description: "Simulated market only: market seconds per wall second (sets sim.speed; 60 = one minute per second)",
    },
    "log-format": {
      type: "string",
      valueHint: "text|json",
      description: "Console lines for people (text) or one JSON object per line for journald (sets log.format)",
    },
    duration: {
      type: "string",
      valueHint: "SECONDS",
      description: "Stop gracefully after this many wall-clock seconds (demos and checks)",
    },
  },
  async run(context) {
    const overrides = setFlagValues(context.rawArgs);
    if (context.args.speed !== undefined) overrides.push(`sim.speed=${context.args.speed}`);
    if (context.args["log-format"] !== undefined) overrides.push(`log.format=${context.args["log-format"]}`);
    const durationS = parseDuration(context.args.duration);
    const loaded = loadConfig({ configPath: context.args.config ?? null, overrides });
    for (const warning of loaded.warnings) process.stderr.write(`gs: warning: ${warning}\n`);
    const { runDaemon } = await import("../../daemon/run-daemon.ts");
    process.exitCode = await runDaemon({ loaded, durationS });
    // Everything is flushed and closed; should a library still hold the event loop open
    // (a socket mid-close), do not let it stretch the stop past its bound.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  },
});

function parseDuration(text: string | undefined): number | null {
  if (text === undefined) return null;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UserError(`--duration was ${JSON.stringify(text)}, expected a positive number of seconds`);
  return seconds;
}
