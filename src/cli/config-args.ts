// Flags every config-reading command shares. `--set` is the "flag" precedence level
// (flag > env > file > default); it may be repeated.
import type { ArgsDef } from "citty";
import { loadConfig } from "../config/load.ts";
import type { LoadedConfig } from "../config/load.ts";

export const CONFIG_ARGS = {
  config: {
    type: "string",
    valueHint: "PATH",
    description: "Config file (default: $GS_CONFIG, else ./gs.toml if present, else built-in defaults)",
  },
  set: {
    type: "string",
    valueHint: "KEY=VALUE",
    description: "Override one config key, e.g. --set hedge.threshold_shares=30 (repeatable)",
  },
} as const satisfies ArgsDef;

/** `--set` may be repeated; citty keeps only the last, so the raw arguments are read. */
export function setFlagValues(rawArgs: readonly string[]): string[] {
  const values: string[] = [];
  for (let index = 0; index < rawArgs.length; index++) {
    const token = rawArgs[index] ?? "";
    if (token === "--") break;
    if (token === "--set" && index + 1 < rawArgs.length) values.push(rawArgs[++index] ?? "");
    else if (token.startsWith("--set=")) values.push(token.slice("--set=".length));
  }
  return values;
}

/**
 * Loads the effective config for a command that declared CONFIG_ARGS. Throws ConfigError
 * (a UserError: exit code 2, every problem listed) and prints warnings to stderr.
 */
export function loadConfigFromArgs(
  context: { readonly args: { readonly config?: string | undefined }; readonly rawArgs: readonly string[] },
  /** `key=value` from a command's own flags (e.g. `--speed` -> `sim.speed=…`); they win over --set. */
  commandOverrides: readonly string[] = [],
): LoadedConfig {
  const overrides = [...setFlagValues(context.rawArgs), ...commandOverrides];
  const loaded = loadConfig({ configPath: context.args.config ?? null, overrides });
  for (const warning of loaded.warnings) process.stderr.write(`gs: warning: ${warning}\n`);
  return loaded;
}
