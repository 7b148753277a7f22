#!/usr/bin/env bun
// The `gs` executable. Parses the command line, runs one subcommand, maps errors to exit
// codes: 0 ok, 1 unexpected failure, 2 user mistake (bad flag, bad config, bad input).
import type { ArgsDef, CommandDef } from "citty";
import packageJson from "../../package.json" with { type: "json" };
import { UserError } from "../config/user-error.ts";
import { resolveInvocation } from "./argv-resolve.ts";
import { lazyCommand } from "./lazy-command.ts";

const EXIT_UNEXPECTED = 1;
const EXIT_USAGE = 2;

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
    ctl: lazyCommand({ name: "ctl", description: "Control a running daemon: stop, pause, resume, flatten, retry-broker", load: () => import("./commands/ctl.ts") }),
    backtest: lazyCommand({ name: "backtest", description: "Replay history through the same hedging logic and report PnL and guard hits", load: () => import("./commands/backtest.ts") }),
    data: lazyCommand({ name: "data", description: "Import and inspect market data used by backtests", load: () => import("./commands/data.ts") }),
    stats: lazyCommand({ name: "stats", description: "Statistics over recorded status history and operations", load: () => import("./commands/stats.ts") }),
    check: lazyCommand({ name: "check", description: "Check the configuration (config), the IB connection (ib) or the daemon (phase1)", load: () => import("./commands/check.ts") }),
    init: lazyCommand({ name: "init", description: "Write a fully commented example gs.toml with every key and its default", load: () => import("./commands/init.ts") }),
    migrate: lazyCommand({ name: "migrate", description: "Apply pending database migrations to the configured status sink", load: () => import("./commands/migrate.ts") }),
  },
};

function isCittyUsageError(error: unknown): error is Error {
  return error instanceof Error && error.name === "CLIError";
}

async function main(rawArgs: readonly string[]): Promise<number> {
  if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
    process.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  // citty decides on colour when it is first imported: plain text unless a person is looking.
  if (!process.stdout.isTTY || !process.stderr.isTTY) process.env.NO_COLOR ??= "1";
  const { renderUsage, runCommand } = await import("citty");
  const invocation = await resolveInvocation(root, rawArgs);
  // Usage titles show the full path ("gs check config"), so the parent is named by its path.
  const usageParent = invocation.parentPath === "" ? undefined : { meta: { name: invocation.parentPath, version: packageJson.version } };
  const usage = async () => renderUsage(invocation.command, usageParent);
  if (invocation.helpRequested || rawArgs.length === 0) {
    process.stdout.write(`${await usage()}\n`);
    return 0;
  }
  if (invocation.usageError !== null) {
    process.stderr.write(`gs: ${invocation.usageError}\n\n${await usage()}\n`);
    return EXIT_USAGE;
  }
  try {
    await runCommand(root, { rawArgs: [...rawArgs] });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`gs: ${error.message}\n`);
      return error.exitCode;
    }
    if (isCittyUsageError(error)) {
      process.stderr.write(`gs: ${error.message}\n\n${await usage()}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`gs: unexpected error: ${message}\n`);
    if (process.env.GS_DEBUG === "1" && error instanceof Error && error.stack !== undefined) {
      process.stderr.write(`${error.stack}\n`);
    } else {
      process.stderr.write("(run with GS_DEBUG=1 for the stack trace)\n");
    }
    return EXIT_UNEXPECTED;
  }
}

process.exitCode = await main(process.argv.slice(2));
