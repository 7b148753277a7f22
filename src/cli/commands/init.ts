// `gs init [PATH]`: write the documented example config, never over an existing file
// unless --force.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineCommand } from "citty";
import { DEFAULT_CONFIG_FILE } from "../../config/load.ts";
import { UserError } from "../../config/user-error.ts";
import { renderExampleConfig } from "../example-config.ts";

export default defineCommand({
  args: {
    path: { type: "positional", required: false, default: DEFAULT_CONFIG_FILE, description: "Where to write the config" },
    force: { type: "boolean", default: false, description: "Overwrite the file if it exists" },
    stdout: { type: "boolean", default: false, description: "Print the example to stdout instead of writing a file" },
  },
  run({ args }) {
    const text = renderExampleConfig();
    if (args.stdout) {
      process.stdout.write(text);
      return;
    }
    const path = resolve(args.path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, { flag: args.force ? "w" : "wx" });
    } catch (error) {
      const code = error instanceof Error && "code" in error ? String(error.code) : "";
      if (code === "EEXIST") throw new UserError(`${path} already exists, expected a new path (or --force to overwrite it)`);
      throw new UserError(`cannot write ${path} (${error instanceof Error ? error.message : String(error)})`);
    }
    process.stdout.write(`wrote ${path}\ncheck it with: gs check config --config ${path}\n`);
  },
});
