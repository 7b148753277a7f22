// `gs check config`: validate (the schema, then the files the config names), then show the effective config (secrets masked) with the
// source of every value. The text output is itself a valid gs.toml.
import { defineCommand } from "citty";
import { describeSource } from "../../config/load.ts";
import type { LoadedConfig } from "../../config/load.ts";
import { CONFIG_LEAVES } from "../../config/schema-leaves.ts";
import type { ConfigLeaf } from "../../config/schema-leaves.ts";
import { maskSecret } from "../../config/secret-mask.ts";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";
import { renderConfigToml } from "../config-toml.ts";
import { checkNamedFiles } from "../named-files-check.ts";

function effectiveValue(loaded: LoadedConfig, leaf: ConfigLeaf): unknown {
  let value: unknown = loaded.config;
  for (const segment of leaf.segments) value = (value as Readonly<Record<string, unknown>>)[segment];
  return leaf.secret && typeof value === "string" ? maskSecret(value) : value;
}

function renderText(loaded: LoadedConfig): string {
  const sourceOf = (leaf: ConfigLeaf) => describeSource(loaded.sources.get(leaf.keyPath) ?? { type: "default" });
  const header = [
    "# configuration is valid",
    `# file: ${loaded.filePath ?? "(none: defaults and environment only)"}`,
    `# config hash: ${loaded.configHash}`,
    ...loaded.warnings.map((warning) => `# warning: ${warning}`),
  ];
  const body = renderConfigToml({
    valueOf: (leaf) => effectiveValue(loaded, leaf),
    docLines: () => [],
    trailer: (leaf) => `# ${sourceOf(leaf)}`,
    sectionDoc: false,
  });
  return `${header.join("\n")}\n\n${body}`;
}

function renderJson(loaded: LoadedConfig): string {
  const keys = Object.fromEntries(
    CONFIG_LEAVES.map((leaf) => [
      leaf.keyPath,
      { value: effectiveValue(loaded, leaf), source: describeSource(loaded.sources.get(leaf.keyPath) ?? { type: "default" }) },
    ]),
  );
  return `${JSON.stringify({ valid: true, file: loaded.filePath, configHash: loaded.configHash, warnings: loaded.warnings, keys }, null, 2)}\n`;
}

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    json: { type: "boolean", default: false, description: "Print JSON: every key with its value and source" },
  },
  async run(context) {
    const loaded = loadConfigFromArgs(context);
    await checkNamedFiles(loaded);
    process.stdout.write(context.args.json ? renderJson(loaded) : renderText(loaded));
  },
});
