// `gs serve`: the status and control server (HTTP API, SSE, metrics, dashboard) in the
// foreground until SIGTERM/SIGINT, then a clean stop (systemd's gs-serve.service runs it).
import { defineCommand } from "citty";
import packageJson from "../../../package.json" with { type: "json" };
import { loadConfig } from "../../config/load.ts";
import type { DaemonLog } from "../../daemon/daemon-log.ts";
import { CONFIG_ARGS, setFlagValues } from "../config-args.ts";

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    host: { type: "string", valueHint: "ADDRESS", description: "Listen address (sets server.host; default 127.0.0.1; non-loopback needs a token)" },
    port: { type: "string", valueHint: "PORT", description: "Listen port (sets server.port; default 8765)" },
  },
  async run(context) {
    // Caught from the start, so a stop asked for while the modules below load is a clean
    // stop (exit 0), not the default death by signal nor a handler reaching a missing log.
    let stopSignal = "";
    const stopRequested = new Promise<void>((resolve) => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
          stopSignal = signal;
          resolve();
        });
      }
    });
    const overrides = setFlagValues(context.rawArgs);
    if (context.args.host !== undefined) overrides.push(`server.host=${context.args.host}`);
    if (context.args.port !== undefined) overrides.push(`server.port=${context.args.port}`);
    const loaded = loadConfig({ configPath: context.args.config ?? null, overrides });
    for (const warning of loaded.warnings) process.stderr.write(`gs: warning: ${warning}\n`);
    const { startServer, resolveServerToken } = await import("../../server/start-server.ts");
    const { consoleServerLog } = await import("../../server/server-log.ts");
    const { openSinkPatiently } = await import("../../daemon/open-sink-patiently.ts");
    const { SYSTEM_CLOCK } = await import("../../daemon/clock.ts");
    const { systemdNotifier } = await import("../../systemd/notify.ts");
    const config = loaded.config;
    const secrets = [resolveServerToken(config.server) ?? "", config.status.postgres.url].filter((secret) => secret !== "");
    const log = consoleServerLog(secrets, config.log.format, undefined, config.log.level);
    const notifier = systemdNotifier(process.env, (message) => log.log("warn", message));
    void stopRequested.then(() => {
      log.log("info", `${stopSignal} received, stopping`);
      notifier.send("STOPPING=1");
    });
    // As the daemon: up (READY) while it waits for a PostgreSQL that is still starting, its
    // STATUS says so; exit 2 would make systemd give up on a dashboard the database outlives.
    const stopWatchdog = notifier.startWatchdog();
    notifier.send("READY=1\nSTATUS=opening the status database");
    try {
      const sinkLog: DaemonLog = { log: (level, _state, message) => log.log(level === "debug" ? "info" : level, message) };
      const sink = await openSinkPatiently(config, SYSTEM_CLOCK, sinkLog, stopRequested);
      if (sink === null) {
        log.log("info", "stopped before the status database was reachable");
        return;
      }
      const server = await startServer({ config, log, version: packageJson.version, sink }).catch(async (error: unknown) => {
        await sink.close();
        throw error;
      });
      notifier.send(`STATUS=serving on ${config.server.host}:${config.server.port}`);
      await stopRequested;
      await server.stop();
      await sink.close();
    } finally {
      stopWatchdog();
      notifier.close();
    }
  },
});
