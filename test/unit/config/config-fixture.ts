// Writes config files into a fresh temp directory per test file and loads them with an
// explicit environment, so tests never see the developer's GS_* variables or ./gs.toml.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../../src/config/config-problem.ts";
import { loadConfig } from "../../../src/config/load.ts";
import type { ConfigInputs } from "../../../src/config/load.ts";

export interface ConfigSandbox {
  readonly dir: string;
  write(name: string, text: string): string;
  remove(): void;
}

export function makeSandbox(): ConfigSandbox {
  const dir = mkdtempSync(join(tmpdir(), "gs-config-test-"));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Loads expecting failure; returns the ConfigError (fails the test if loading succeeds). */
export function loadError(inputs: ConfigInputs): ConfigError {
  try {
    loadConfig({ env: {}, ...inputs });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected the config to be rejected, but it loaded");
}
