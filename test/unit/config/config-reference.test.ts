import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { CONFIG_DOC_PATH, renderConfigReference } from "../../../src/cli/config-reference.ts";
import { CONFIG_LEAVES } from "../../../src/config/schema-leaves.ts";

test("docs/CONFIG.md lists every key as the schema defines it (run `bun run docs:config` to refresh)", () => {
  const doc = readFileSync(CONFIG_DOC_PATH, "utf8");
  const reference = renderConfigReference();
  expect(doc).toContain(reference);
  for (const leaf of CONFIG_LEAVES) expect(reference).toContain(`| \`${leaf.keyPath}\` |`);
});
