// `gs check config` goes past the schema to the files the config names, with the very
// checks gs serve (the token file) and gs daemon (the sim market's CSV, the spool) run at
// start, so a config that passes here is not refused there.
import { existsSync, mkdirSync, rmdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
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
    { keyPath: "status.spool_path", applies: true, run: () => setUpSpoolOnce(config.status.spool_path) },
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

/**
 * Makes the spool's directory and takes its lock, as every sink open does, then lets both go.
 * No spool is opened: that would adopt the rows of a dead process's spool into a file of this
 * user's. Directories made for it are removed again, so a check run by another user leaves
 * none the daemon could not write in.
 */
async function setUpSpoolOnce(spoolPath: string): Promise<void> {
  const { SpoolLock } = await import("../sink/spool-lock.ts");
  const missing = missingDirectories(resolve(dirname(spoolPath)));
  try {
    mkdirSync(dirname(spoolPath), { recursive: true });
    SpoolLock.tryTake(spoolPath)?.release(); // held by a live gs: usable all the same
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`status.spool_path ${spoolPath} could not be set up (${reason}), expected a file gs can create and write`);
  }
  for (const made of missing) {
    try {
      rmdirSync(made);
    } catch {
      return; // no longer empty: something else uses it now
    }
  }
}

/** The directories from `directory` up that do not exist yet, deepest first. */
function missingDirectories(directory: string): string[] {
  const missing: string[] = [];
  for (let current = directory; !existsSync(current) && dirname(current) !== current; current = dirname(current)) missing.push(current);
  return missing;
}
