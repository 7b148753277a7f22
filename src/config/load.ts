// Loads the effective configuration: defaults < file < environment < --set flags.
// All problems from all sources are collected and thrown together as one ConfigError.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { collectEnvValues, collectFileValues, collectFlagValues } from "./assignments.ts";
import type { Assignment, Collected, ValueSource } from "./assignments.ts";
import { configHash } from "./config-hash.ts";
import { ConfigError } from "./config-problem.ts";
import type { ConfigProblem } from "./config-problem.ts";
import { crossCheck } from "./cross-checks.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { GS_CONFIG_SCHEMA } from "./schema.ts";
import type { GsConfig } from "./schema.ts";
import { CONFIG_LEAVES } from "./schema-leaves.ts";
import { readTomlFile } from "./toml-file.ts";

export const DEFAULT_CONFIG_FILE = "gs.toml";

export interface ConfigInputs {
  /** `--config PATH`; wins over GS_CONFIG and ./gs.toml. */
  readonly configPath?: string | null;
  /** `--set key=value` overrides (highest precedence). */
  readonly overrides?: readonly string[];
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths and ./gs.toml are resolved against; defaults to process.cwd(). */
  readonly cwd?: string;
}

export interface LoadedConfig {
  readonly config: GsConfig;
  /** sha256 hex of the canonical effective config. */
  readonly configHash: string;
  /** The file read, or null when running on defaults and environment only. */
  readonly filePath: string | null;
  /** Where every key's effective value came from, by dotted key path (every key is present). */
  readonly sources: ReadonlyMap<string, ValueSource>;
  /** Things that are not errors but deserve a look (e.g. an env var that names no key). */
  readonly warnings: readonly string[];
}

function chooseFile(inputs: ConfigInputs, env: Readonly<Record<string, string | undefined>>, cwd: string): string | null {
  const explicit = inputs.configPath ?? env.GS_CONFIG;
  if (explicit !== undefined && explicit !== null && explicit !== "") return resolve(cwd, explicit);
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : null;
}

function setAt(target: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let table = target;
  for (const segment of segments.slice(0, -1)) table = table[segment] as Record<string, unknown>;
  const last = segments.at(-1);
  if (last !== undefined) table[last] = Array.isArray(value) ? [...value] : value;
}

export function describeSource(source: ValueSource): string {
  switch (source.type) {
    case "default":
      return "default";
    case "file":
      return source.path;
    case "env":
      return `env ${source.name}`;
    case "flag":
      return `--set ${source.text}`;
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}

export function loadConfig(inputs: ConfigInputs = {}): LoadedConfig {
  const env = inputs.env ?? process.env;
  const cwd = inputs.cwd ?? process.cwd();
  const filePath = chooseFile(inputs, env, cwd);
  const problems: ConfigProblem[] = [];
  const layers: Collected[] = [];

  if (filePath !== null) {
    const read = readTomlFile(filePath);
    if (read.type === "parsed") layers.push(collectFileValues(read.data, filePath));
    else problems.push(read.problem);
  }
  layers.push(collectEnvValues(env), collectFlagValues(inputs.overrides ?? []));

  const merged = Value.Create(GS_CONFIG_SCHEMA) as Record<string, unknown>;
  const sources = new Map<string, ValueSource>(CONFIG_LEAVES.map((leaf) => [leaf.keyPath, { type: "default" }]));
  const assignments: Assignment[] = layers.flatMap((layer) => layer.assignments);
  for (const { leaf, value, source } of assignments) {
    setAt(merged, leaf.segments, value);
    sources.set(leaf.keyPath, source);
  }
  problems.push(...layers.flatMap((layer) => layer.problems));

  const config = deepFreeze(merged) as GsConfig;
  const originOf = (keyPath: string) => describeSource(sources.get(keyPath) ?? { type: "default" });
  // Cross-key rules only make sense on individually valid values.
  if (problems.length === 0) problems.push(...crossCheck(config, originOf));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    config,
    configHash: configHash(config),
    filePath,
    sources,
    warnings: layers.flatMap((layer) => layer.warnings),
  };
}
