// Starts spool-lock-party.ts as a separate gs process (optionally pid 1 of its own pid
// namespace, as in a container) and lets a test wait for its markers, its exit or kill it.
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface SpoolParty {
  /** Resolves when the party has opened its spool ("<role>-open"). */
  readonly opened: Promise<void>;
  /** Everything it printed, once it has exited. */
  readonly output: Promise<string>;
  /** Asks a holder to close its spool and exit; resolves once it has. */
  exit(): Promise<void>;
  /** SIGKILL: no cleanup, its lock file stays behind. */
  kill(): Promise<void>;
}

/** Can this machine run a process as pid 1 of a new pid namespace (root, or user namespaces)? */
export function pidNamespacesAvailable(): boolean {
  return Bun.spawnSync(["unshare", "--pid", "--fork", "--mount-proc", "true"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

export function startSpoolParty(role: "daemon" | "other" | "holder", spoolPath: string, rendezvous: string, options: { readonly ownPidNamespace?: boolean } = {}): SpoolParty {
  const command = [process.execPath, join(import.meta.dir, "spool-lock-party.ts"), role, spoolPath, rendezvous];
  const child = Bun.spawn(options.ownPidNamespace === true ? ["unshare", "--pid", "--fork", "--mount-proc", ...command] : command, { stdout: "pipe", stderr: "inherit" });
  const output = new Response(child.stdout).text();
  const openMarker = join(rendezvous, `${role}-open`);
  const opened = (async () => {
    while (!existsSync(openMarker)) {
      if (child.exitCode !== null) throw new Error(`spool party ${role} exited (${child.exitCode}) before opening its spool: ${await output}`);
      await Bun.sleep(10);
    }
  })();
  return {
    opened,
    output,
    exit: async () => {
      await Bun.write(join(rendezvous, "holder-exit"), "");
      await child.exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}
