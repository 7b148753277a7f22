// `gs check config` goes past the schema to the files the config names, with the very
// checks gs serve (the token file) and gs daemon (the sim market's CSV) run at start, so a
// config that passes here is not refused there.
import { ConfigError } from "../config/config-problem.ts";
import type { ConfigProblem } from "../config/config-problem.ts";
import { describeSource } from "../config/load.ts";
import type { LoadedConfig } from "../config/load.ts";
import { UserError } from "../config/user-error.ts";

interface NamedFileCheck {
  /** The key whose file (or setting) is checked; its source is named in the problem. */
  readonly keyPath: string;
  readonly applies: boolean;
  run(): unknown;
}

/** Throws a ConfigError listing every named file gs serve or gs daemon would refuse. */
export async function checkNamedFiles(loaded: LoadedConfig): Promise<void> {
  const { config } = loaded;
  const { resolveServerToken } = await import("../server/start-server.ts");
  const { loadSimPriceSource } = await import("../broker/sim/sim-path.ts");
  const checks: readonly NamedFileCheck[] = [
    { keyPath: "server.token_file", applies: true, run: () => resolveServerToken(config.server) },
    { keyPath: config.sim.source === "csv" ? "sim.csv_path" : "sim.source", applies: config.broker === "sim", run: () => loadSimPriceSource(config) },
  ];
  const problems: ConfigProblem[] = [];
  for (const check of checks.filter((candidate) => candidate.applies)) {
    try {
      await check.run();
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push({ origin: describeSource(loaded.sources.get(check.keyPath) ?? { type: "default" }), keyPath: null, message: error.message });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
