// `gs serve`: the status and control server (HTTP API, SSE, metrics, dashboard) in the
// foreground until SIGTERM/SIGINT, then a clean stop (systemd's gs-serve.service runs it).
import { defineCommand } from "citty";
import packageJson from "../../../package.json" with { type: "json" };
import { loadConfig } from "../../config/load.ts";
import { CONFIG_ARGS, setFlagValues } from "../config-args.ts";

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    host: { type: "string", valueHint: "ADDRESS", description: "Listen address (sets server.host; default 127.0.0.1; non-loopback needs a token)" },
    port: { type: "string", valueHint: "PORT", description: "Listen port (sets server.port; default 8765)" },
  },
  async run(context) {
    const overrides = setFlagValues(context.rawArgs);
    if (context.args.host !== undefined) overrides.push(`server.host=${context.args.host}`);
    if (context.args.port !== undefined) overrides.push(`server.port=${context.args.port}`);
    const loaded = loadConfig({ configPath: context.args.config ?? null, overrides });
    for (const warning of loaded.warnings) process.stderr.write(`gs: warning: ${warning}\n`);
    const { startServer, resolveServerToken } = await import("../../server/start-server.ts");
    const { consoleServerLog } = await import("../../server/server-log.ts");
    const config = loaded.config;
    const secrets = [resolveServerToken(config.server) ?? "", config.status.postgres.url].filter((secret) => secret !== "");
    const log = consoleServerLog(secrets, config.log.format, undefined, config.log.level);
    const server = await startServer({ config, log, version: packageJson.version });
    // Under a Type=notify unit: ready once listening; watchdog pings from this event loop.
    const { systemdNotifier } = await import("../../systemd/notify.ts");
    const notifier = systemdNotifier(process.env, (message) => log.log("warn", message));
    const stopWatchdog = notifier.startWatchdog();
    notifier.send(`READY=1\nSTATUS=serving on ${config.server.host}:${config.server.port}`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.log("info", `${signal} received, stopping`);
        notifier.send("STOPPING=1");
        resolve();
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    stopWatchdog();
    notifier.close();
    await server.stop();
  },
});
