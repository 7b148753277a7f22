// The key reference in docs/CONFIG.md, generated from the schema so it cannot drift:
// `bun run docs:config` rewrites it, and a test fails when it is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { KindGuard } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { GS_CONFIG_SCHEMA } from "../config/schema.ts";
import { CONFIG_LEAVES } from "../config/schema-leaves.ts";
import { tomlValue } from "./toml-text.ts";

export const REFERENCE_BEGIN = "<!-- generated: config keys (bun run docs:config) -->";
export const REFERENCE_END = "<!-- end of generated config keys -->";

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

export function renderConfigReference(): string {
  const out: string[] = [REFERENCE_BEGIN];
  let currentSection: string | null = null;
  for (const leaf of CONFIG_LEAVES) {
    const section = leaf.segments.length > 1 ? leaf.segments.slice(0, -1).join(".") : "";
    if (section !== currentSection) {
      currentSection = section;
      const schema = section === "" ? undefined : section.split(".").reduce<unknown>((node, key) => (node as { properties: Record<string, unknown> }).properties[key], GS_CONFIG_SCHEMA);
      const title = section === "" ? "Top level" : `[${section}]`;
      const about = KindGuard.IsObject(schema) && typeof schema.description === "string" ? `\n\n${schema.description}` : "";
      out.push("", `### ${title}${about}`, "", "| Key | Default | Accepts | Environment | Meaning |", "|---|---|---|---|---|");
    }
    const defaultText = tomlValue(Value.Default(leaf.schema, undefined));
    out.push(
      `| \`${leaf.keyPath}\` | \`${escapeCell(defaultText)}\` | ${escapeCell(leaf.expected)} | \`${leaf.envName}\` | ${escapeCell(leaf.description)}${leaf.secret ? " **Secret.**" : ""} |`,
    );
  }
  out.push("", REFERENCE_END);
  return out.join("\n");
}

export const CONFIG_DOC_PATH = resolve(import.meta.dir, "../../docs/CONFIG.md");

/** Replaces the generated block of docs/CONFIG.md in place. */
export function writeConfigReference(path = CONFIG_DOC_PATH): void {
  const text = readFileSync(path, "utf8");
  const begin = text.indexOf(REFERENCE_BEGIN);
  const end = text.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) throw new Error(`${path}: generated-block markers not found`);
  writeFileSync(path, `${text.slice(0, begin)}${renderConfigReference()}${text.slice(end + REFERENCE_END.length)}`);
}

if (import.meta.main) writeConfigReference();
