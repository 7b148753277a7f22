// The all-defaults configuration, for `gs` without a config file and for tests.
import { Value } from "@sinclair/typebox/value";
import { deepFreeze } from "./deep-freeze.ts";
import { GS_CONFIG_SCHEMA } from "./schema.ts";
import type { GsConfig } from "./schema.ts";

/** A fresh, frozen config holding every key's default. */
export function defaultConfig(): GsConfig {
  return deepFreeze(Value.Create(GS_CONFIG_SCHEMA));
}
