// `gs check phase1` end to end: it starts a real daemon on the sim market and must pass
// every acceptance case on a clean machine (temp SQLite, no config file).
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");

test("gs check phase1 passes every case and exits 0", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "gs-check-phase1-test-"));
  try {
    const child = Bun.spawn(["bun", MAIN, "check", "phase1"], { cwd, env: { ...process.env, GS_CONFIG: "" }, stdout: "pipe", stderr: "pipe" });
    const [exitCode, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    expect(stdout).toContain("all 6 phase-1 cases passed");
    expect(stdout).not.toContain("FAIL");
    for (const name of ["sink writable", "status_current written on entering RUNNING", "heartbeat advancing", "operations written for a hedge", "control file command consumed", "SIGTERM"]) {
      expect(stdout).toContain(name);
    }
    expect(exitCode).toBe(0);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);
