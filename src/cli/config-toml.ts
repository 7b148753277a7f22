// Renders a config as TOML in schema order, one block per section. `gs init` uses it for
// the documented example; `gs check config` for the effective values with their sources.
import { KindGuard } from "@sinclair/typebox";
import type { TObject } from "@sinclair/typebox";
import { GS_CONFIG_SCHEMA } from "../config/schema.ts";
import { findLeaf } from "../config/schema-leaves.ts";
import type { ConfigLeaf } from "../config/schema-leaves.ts";
import { commentLines, tomlValue } from "./toml-text.ts";

export interface TomlRenderOptions {
  /** Value to write for a leaf (its default, or the effective value, masked). */
  readonly valueOf: (leaf: ConfigLeaf) => unknown;
  /** Comment lines above each key. */
  readonly docLines: (leaf: ConfigLeaf) => readonly string[];
  /** Text after the value on the same line (e.g. `# env GS_IB_PORT`), or "". */
  readonly trailer: (leaf: ConfigLeaf) => string;
  /** Comment lines under each [section] header. */
  readonly sectionDoc: boolean;
}

export function renderConfigToml(options: TomlRenderOptions): string {
  const out: string[] = [];
  const renderSection = (section: TObject, prefix: readonly string[]) => {
    const entries = Object.entries(section.properties);
    // TOML needs a table's own keys before its sub-tables.
    for (const [key, schema] of entries) {
      if (KindGuard.IsObject(schema)) continue;
      const leaf = findLeaf([...prefix, key].join("."));
      if (leaf === undefined) throw new Error(`config schema: leaf ${key} missing`);
      const docLines = options.docLines(leaf);
      // Documented keys read better as separate paragraphs.
      if (docLines.length > 0) out.push("");
      out.push(...docLines);
      const trailer = options.trailer(leaf);
      out.push(`${key} = ${tomlValue(options.valueOf(leaf))}${trailer === "" ? "" : `  ${trailer}`}`);
    }
    for (const [key, schema] of entries) {
      if (!KindGuard.IsObject(schema)) continue;
      const path = [...prefix, key];
      out.push("", `[${path.join(".")}]`);
      if (options.sectionDoc && typeof schema.description === "string") out.push(...commentLines(schema.description));
      renderSection(schema, path);
    }
  };
  renderSection(GS_CONFIG_SCHEMA, []);
  return `${out.join("\n")}\n`;
}
