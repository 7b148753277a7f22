// The documented example gs.toml written by `gs init`: every key, its default, its meaning.
import { Value } from "@sinclair/typebox/value";
import { commentLines } from "./toml-text.ts";
import { renderConfigToml } from "./config-toml.ts";

const HEADER = [
  "gs configuration. Every key is listed with its default value and what it accepts;",
  "delete the keys you do not change, or keep them as documentation.",
  "Any key can be overridden from the environment: GS_ + the key path upper-cased with dots",
  "as underscores (status.sqlite.path -> GS_STATUS_SQLITE_PATH, ib.client_id -> GS_IB_CLIENT_ID).",
  "Precedence: --set key=value flag > environment > this file > built-in default.",
  "Relative paths are relative to the directory gs runs in.",
  "`gs check config` shows the effective values and where each came from.",
];

export function renderExampleConfig(): string {
  const header = HEADER.map((line) => `# ${line}`).join("\n");
  const body = renderConfigToml({
    valueOf: (leaf) => Value.Default(leaf.schema, undefined),
    docLines: (leaf) => commentLines(leaf.expected === "a string" ? leaf.description : `${leaf.description} Accepts ${leaf.expected}.`),
    trailer: () => "",
    sectionDoc: true,
  });
  return `${header}\n${body}`;
}
