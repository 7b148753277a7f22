// Flags every config-reading command shares. `--set` is the "flag" precedence level
// (flag > env > file > default); it may be repeated.
import type { ArgsDef } from "citty";

export const CONFIG_ARGS = {
  config: {
    type: "string",
    valueHint: "PATH",
    description: "Config file (default: $GS_CONFIG, else ./gs.toml if present, else built-in defaults)",
  },
  set: {
    type: "string",
    valueHint: "KEY=VALUE",
    description: "Override one config key, e.g. --set hedge.threshold_shares=30 (repeatable)",
  },
} as const satisfies ArgsDef;
