// `gs check phase1` end to end: it starts a real daemon on the sim market and must pass
// every acceptance case on a clean machine (temp SQLite, no config file).
import type { Subprocess } from "bun";
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { PostgresSink } from "../../src/sink/postgres/postgres-sink.ts";
import { createTestDatabase, postgresAvailability } from "../support/postgres.ts";
import { operationRow, statusRow } from "../support/sink-rows.ts";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");

/** Runs `gs check phase1` in `cwd`; the result, and nothing left running. */
async function checkPhase1(cwd: string, args: readonly string[], env: Record<string, string>): Promise<{ exitCode: number; stdout: string }> {
  const child = Bun.spawn([process.execPath, MAIN, "check", "phase1", ...args], { cwd, env: { ...process.env, GS_CONFIG: "", ...env }, stdout: "pipe", stderr: "pipe" });
  try {
    const [exitCode, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    return { exitCode, stdout };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

test("gs check phase1 passes every case and exits 0", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "gs-check-phase1-test-"));
  let spawned: Subprocess | null = null;
  try {
    const child = Bun.spawn([process.execPath, MAIN, "check", "phase1"], { cwd, env: { ...process.env, GS_CONFIG: "" }, stdout: "pipe", stderr: "pipe" });
    spawned = child;
    const [exitCode, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    expect(stdout).toContain("all 7 phase-1 cases passed");
    expect(stdout).not.toContain("FAIL");
    for (const name of ["sink writable", "status_current written on entering RUNNING", "heartbeat advancing", "operations written for a hedge", "status_history appended", "control file command consumed", "SIGTERM"]) {
      expect(stdout).toContain(name);
    }
    expect(exitCode).toBe(0);
  } finally {
    if (spawned !== null && spawned.exitCode === null) spawned.kill("SIGKILL"); // a timed-out case leaves nothing running
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);

test("gs check phase1 fails with exit 1 and says why when the sink is unusable", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "gs-check-phase1-test-"));
  let spawned: Subprocess | null = null;
  try {
    const args = ["check", "phase1", "--set", "status.sink=postgres", "--set", "status.postgres.url=postgres://gs:secret@127.0.0.1:1/gs"];
    const child = Bun.spawn([process.execPath, MAIN, ...args], { cwd, env: { ...process.env, GS_CONFIG: "" }, stdout: "pipe", stderr: "pipe" });
    spawned = child;
    const [exitCode, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    expect(stdout).toContain("FAIL");
    expect(stdout).toContain("127.0.0.1:1");
    expect(stdout).not.toContain("secret");
    expect(exitCode).toBe(1);
  } finally {
    if (spawned !== null && spawned.exitCode === null) spawned.kill("SIGKILL"); // a timed-out case leaves nothing running
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);

// The check's daemon must read the same config as the check: a relative --config used to be
// looked up in the daemon's temp directory, and GS_CONFIG was replaced by "".
test("a relative --config reaches the check's daemon", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "gs-check-phase1-test-"));
  try {
    writeFileSync(join(cwd, "gs.toml"), "[hedge]\nthreshold_shares = 25\n");
    const run = await checkPhase1(cwd, ["--config", "gs.toml"], {});
    expect(run.stdout).toContain("all 7 phase-1 cases passed");
    expect(run.exitCode).toBe(0);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);

const postgres = postgresAvailability();
test.skipIf(!postgres.available)(`GS_CONFIG naming a PostgreSQL sink reaches the check's daemon${postgres.available ? "" : ` (${postgres.reason})`}`, async () => {
  const cwd = mkdtempSync(join(tmpdir(), "gs-check-phase1-test-"));
  const database = await createTestDatabase();
  try {
    writeFileSync(join(cwd, "pg.toml"), `[status]\nsink = "postgres"\n\n[status.postgres]\nurl = "${database.url}"\n`);
    const run = await checkPhase1(cwd, [], { GS_CONFIG: "pg.toml" });
    expect(run.stdout).toContain("all 7 phase-1 cases passed");
    expect(run.exitCode).toBe(0);
  } finally {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);

// PostgreSQL keeps the rows of earlier checks under the same daemon id: a run that cannot
// hedge (max_daily_hedges = 0) must fail the hedge case, not pass on an hour-old fill.
test.skipIf(!postgres.available)(`only this run's rows count: an earlier check's fill and history do not pass it${postgres.available ? "" : ` (${postgres.reason})`}`, async () => {
  const cwd = mkdtempSync(join(tmpdir(), "gs-check-phase1-test-"));
  const database = await createTestDatabase();
  try {
    const earlier = PostgresSink.open({ url: database.url, spoolPath: join(cwd, "seed-spool.ndjson") });
    await earlier.migrate();
    const earlierMs = Date.now() - 3_600_000;
    const orderRef = "gs:phase1-check:SPY:earlier.1";
    (["hedge_intent", "order_sent", "order_ack", "fill"] as const).forEach((type, index) => {
      earlier.writeOperation(operationRow(index, { daemonId: "phase1-check", type, orderRef, tsMs: earlierMs + index, opId: `earlier:${index}` }));
    });
    for (let index = 0; index < 50; index++) earlier.writeStatus(statusRow({ daemonId: "phase1-check", tsMs: earlierMs + index }), { history: true });
    await earlier.flush();
    await earlier.close();
    writeFileSync(join(cwd, "pg.toml"), `[status]\nsink = "postgres"\n\n[status.postgres]\nurl = "${database.url}"\n`);
    const run = await checkPhase1(cwd, ["--set", "guards.max_daily_hedges=0"], { GS_CONFIG: "pg.toml" });
    expect(run.stdout).toMatch(/operations written for a hedge \(intent, sent, ack, fill\)\s+FAIL\s+no fill within/);
    const historyRows = Number(/status_history appended \(one row per operation\)\s+\w+\s+(\d+) rows/.exec(run.stdout)?.[1]);
    expect(historyRows).toBeLessThan(50);
    expect(run.exitCode).toBe(1);
  } finally {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
}, 90_000);
