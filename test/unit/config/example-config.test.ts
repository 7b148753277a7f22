import { expect, test } from "bun:test";
import { renderExampleConfig } from "../../../src/cli/example-config.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { CONFIG_LEAVES } from "../../../src/config/schema-leaves.ts";
import { makeSandbox } from "./config-fixture.ts";

test("the `gs init` example loads, sets every key from the file, and equals the defaults", () => {
  const sandbox = makeSandbox();
  try {
    const path = sandbox.write("gs.toml", renderExampleConfig());
    const loaded = loadConfig({ cwd: sandbox.dir, env: {}, configPath: path });
    expect(loaded.config).toEqual(defaultConfig());
    for (const leaf of CONFIG_LEAVES) expect(loaded.sources.get(leaf.keyPath)).toEqual({ type: "file", path });
  } finally {
    sandbox.remove();
  }
});

test("the example documents every key with its doc line", () => {
  const text = renderExampleConfig();
  for (const leaf of CONFIG_LEAVES) {
    expect(leaf.description.length).toBeGreaterThan(10);
    const key = leaf.segments.at(-1) ?? "";
    expect(text).toMatch(new RegExp(`^${key} = `, "m"));
  }
  expect(text).toContain("# Hedge when |portfolio delta| reaches this many shares. Accepts an integer from 1 to");
});
