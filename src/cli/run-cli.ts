// Runs one invocation of a citty command tree and maps the outcome to an exit code:
// 0 ok, 1 unexpected failure, 2 user mistake (bad flag, bad config, bad input).
import type { ArgsDef, CommandDef } from "citty";
import { UserError } from "../config/user-error.ts";
import { resolveInvocation } from "./argv-resolve.ts";

export const EXIT_UNEXPECTED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** GS_DEBUG=1: print stack traces of unexpected errors. */
  readonly debug: boolean;
  readonly version: string;
}

function isCittyUsageError(error: unknown): error is Error {
  return error instanceof Error && error.name === "CLIError";
}

export async function runCli(root: CommandDef<ArgsDef>, rawArgs: readonly string[], io: CliIo): Promise<number> {
  if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
    io.stdout(`${io.version}\n`);
    return 0;
  }
  // citty decides on colour when it is first imported: plain text unless a person is looking.
  if (!process.stdout.isTTY || !process.stderr.isTTY) process.env.NO_COLOR ??= "1";
  const { renderUsage, runCommand } = await import("citty");
  const invocation = await resolveInvocation(root, rawArgs);
  // Usage titles show the full path ("gs check config"), so the parent is named by its path.
  const usageParent = invocation.parentPath === "" ? undefined : { meta: { name: invocation.parentPath, version: io.version } };
  const usage = async () => renderUsage(invocation.command, usageParent);
  if (invocation.helpRequested) {
    io.stdout(`${await usage()}\n`);
    return 0;
  }
  if (invocation.usageError !== null) {
    io.stderr(`gs: ${invocation.usageError}\n\n${await usage()}\n`);
    return EXIT_USAGE;
  }
  try {
    await runCommand(root, { rawArgs: [...rawArgs] });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`gs: ${error.message}\n`);
      return error.exitCode;
    }
    if (isCittyUsageError(error)) {
      io.stderr(`gs: ${error.message}\n\n${await usage()}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`gs: unexpected error: ${message}\n`);
    if (io.debug && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
    else io.stderr("(run with GS_DEBUG=1 for the stack trace)\n");
    return EXIT_UNEXPECTED;
  }
}
