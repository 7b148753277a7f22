// Real `gs daemon` processes for tests: each runs from source in a working directory of its
// own (GS_CONFIG cleared, settings as --set flags) on the database a sink test case made. The
// suite's afterAll kills any still running (a failed or timed-out case must not leave a daemon
// trading) and removes their directories.
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");

export type DaemonChild = Bun.Subprocess<"ignore", "pipe", "pipe">;

/** Runs a command as pid 1 of a new pid namespace, as in a container (`--kill-child`: it dies with its parent). */
const AS_PID_1 = ["unshare", "--pid", "--fork", "--kill-child"];

/** Why daemons cannot run as pid 1 here (unshare --pid needs root), or null when they can. */
export function pid1Unavailable(): string | null {
  try {
    const probe = Bun.spawnSync([...AS_PID_1, "true"], { stdout: "ignore", stderr: "pipe" });
    return probe.exitCode === 0 ? null : `unshare --pid failed: ${probe.stderr.toString().trim()}`;
  } catch (error) {
    return `unshare is not available: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The settings that point a daemon at a test database (see describeSinks' makeDatabase). */
export function sinkSettings(kind: string, location: string): string[] {
  return kind === "sqlite" ? [`status.sqlite.path=${location}`] : ["status.sink=postgres", `status.postgres.url=${location}`];
}

/** Starts daemons under one temporary directory named after `prefix`, all cleaned up after the file's tests. */
export function daemonProcesses(prefix: string): { spawn(name: string, settings: readonly string[], options?: { readonly asPid1?: boolean }): DaemonChild } {
  const directory = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const children: DaemonChild[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  });
  return {
    spawn(name, settings, options = {}) {
      const command = [process.execPath, MAIN, "daemon", ...settings.flatMap((setting) => ["--set", setting])];
      const child = Bun.spawn([...(options.asPid1 ? AS_PID_1 : []), ...command], {
        cwd: mkdtempSync(join(directory, `${name}-`)),
        env: { ...process.env, GS_CONFIG: "" },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
      children.push(child);
      return child;
    },
  };
}
