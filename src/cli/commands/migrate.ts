// `gs migrate`: apply pending migrations to the configured sink and report its version.
// The daemon and server also migrate at startup; this is for deploy scripts and for
// preparing a shared PostgreSQL database before any daemon starts.
import { defineCommand } from "citty";
import type { GsConfig } from "../../config/schema.ts";
import { maskSecret } from "../../config/secret-mask.ts";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";

function describeTarget(config: GsConfig): string {
  switch (config.status.sink) {
    case "sqlite":
      return `SQLite ${config.status.sqlite.path}`;
    case "postgres":
      return `PostgreSQL ${maskSecret(config.status.postgres.url)}`;
    default: {
      const unreachable: never = config.status.sink;
      return unreachable;
    }
  }
}

export default defineCommand({
  args: { ...CONFIG_ARGS },
  async run(context) {
    const { config } = loadConfigFromArgs(context);
    const { openSink } = await import("../../sink/open-sink.ts");
    // openSink applies pending migrations; a second migrate() is a no-op that reports the version.
    const sink = await openSink(config);
    try {
      const version = await sink.migrate();
      process.stdout.write(`${describeTarget(config)}: schema at version ${version}\n`);
    } finally {
      await sink.close();
    }
  },
});
