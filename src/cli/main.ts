#!/usr/bin/env bun
// The `gs` executable: the list of subcommands, each loaded only when it runs.
import type { ArgsDef, CommandDef } from "citty";
import packageJson from "../../package.json" with { type: "json" };
import { lazyCommand } from "./lazy-command.ts";
import { runCli } from "./run-cli.ts";

const root: CommandDef<ArgsDef> = {
  meta: {
    name: "gs",
    version: packageJson.version,
    description: "Gamma-scalping daemon: keeps a long straddle delta-hedged on Interactive Brokers",
  },
  subCommands: {
    daemon: lazyCommand({ name: "daemon", description: "Run the hedging daemon (simulated market by default, or IB)", load: () => import("./commands/daemon.ts") }),
    serve: lazyCommand({ name: "serve", description: "Run the status and control server (HTTP API and dashboard)", load: () => import("./commands/serve.ts") }),
    status: lazyCommand({ name: "status", description: "Print the current status of one or all daemons", load: () => import("./commands/status.ts") }),
    ctl: lazyCommand({ name: "ctl", description: "Control a running daemon: stop, pause, resume, flatten, retry-broker, accept-position", load: () => import("./commands/ctl.ts") }),
    backtest: lazyCommand({ name: "backtest", description: "Replay history through the same hedging logic and report PnL and guard hits", load: () => import("./commands/backtest.ts") }),
    data: lazyCommand({ name: "data", description: "Import and inspect market data used by backtests", load: () => import("./commands/data.ts") }),
    stats: lazyCommand({ name: "stats", description: "Statistics over recorded status history and operations", load: () => import("./commands/stats.ts") }),
    check: lazyCommand({ name: "check", description: "Check the configuration (config), the IB connection (ib) or the daemon (phase1)", load: () => import("./commands/check.ts") }),
    init: lazyCommand({ name: "init", description: "Write a fully commented example gs.toml with every key and its default", load: () => import("./commands/init.ts") }),
    migrate: lazyCommand({ name: "migrate", description: "Apply pending database migrations to the configured status sink", load: () => import("./commands/migrate.ts") }),
  },
};

process.exitCode = await runCli(root, process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  debug: process.env.GS_DEBUG === "1",
  version: packageJson.version,
});
