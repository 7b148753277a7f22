// `gs serve` startup rules (token sources, 0600 token file, loopback-only without a token),
// log redaction, and the `gs status` terminal table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { GsConfig } from "../../src/config/schema.ts";
import { UserError } from "../../src/config/user-error.ts";
import { memoryServerLog, redactSecrets } from "../../src/server/server-log.ts";
import { isLoopbackHost } from "../../src/server/loopback.ts";
import { resolveServerToken, startServer } from "../../src/server/start-server.ts";
import { renderStatusTable } from "../../src/server/status-table.ts";
import { deriveStatusView } from "../../src/server/status-view.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { freeLoopbackPort } from "../support/postgres.ts";
import { statusRow, T0_MS } from "../support/sink-rows.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-server-startup-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function serverConfig(overrides: string[]): GsConfig["server"] {
  return loadConfig({ env: {}, cwd: directory, overrides }).config.server;
}

function tokenFile(name: string, content: string, mode: number): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe("server token", () => {
  test("none configured is null (control refused, reads open on loopback)", () => {
    expect(resolveServerToken(serverConfig([]))).toBeNull();
  });

  test("from server.token (which GS_SERVER_TOKEN sets)", () => {
    expect(resolveServerToken(serverConfig(["server.token=0123456789abcdef01"]))).toBe("0123456789abcdef01");
    const fromEnv = loadConfig({ env: { GS_SERVER_TOKEN: "env-token-0123456789" }, cwd: directory }).config.server;
    expect(resolveServerToken(fromEnv)).toBe("env-token-0123456789");
  });

  test("from a 0600 token file (first line, trimmed)", () => {
    const path = tokenFile("good", "file-token-0123456789\nignored\n", 0o600);
    expect(resolveServerToken(serverConfig([`server.token_file=${path}`]))).toBe("file-token-0123456789");
  });

  test.each([0o644, 0o640, 0o604])("a token file with mode %o is refused, naming the fix", (mode) => {
    const path = tokenFile(`loose-${mode}`, "file-token-0123456789\n", mode);
    expect(() => resolveServerToken(serverConfig([`server.token_file=${path}`]))).toThrow(`had mode 0${mode.toString(8)}, expected 0600 (run: chmod 600 ${path})`);
  });

  test("missing or empty token file, both sources at once, and short tokens are refused", () => {
    expect(() => resolveServerToken(serverConfig([`server.token_file=${join(directory, "absent")}`]))).toThrow("was not readable");
    const folder = join(directory, "token-folder");
    mkdirSync(folder, { mode: 0o700 });
    expect(() => resolveServerToken(serverConfig([`server.token_file=${folder}`]))).toThrow(new UserError(`server.token_file ${folder} was a directory, expected a file holding the token, readable by the user gs runs as`));
    const empty = tokenFile("empty", "\n", 0o600);
    expect(() => resolveServerToken(serverConfig([`server.token_file=${empty}`]))).toThrow("was empty");
    const good = tokenFile("both", "file-token-0123456789\n", 0o600);
    // The config loader refuses this too; resolveServerToken does not rely on it.
    expect(() => resolveServerToken({ ...serverConfig([`server.token_file=${good}`]), token: "0123456789abcdef01" })).toThrow("were both set");
    expect(() => resolveServerToken(serverConfig(["server.token=short"]))).toThrow("was 5 characters, expected at least 16");
  });
});

describe("server bind", () => {
  test.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
    ["localhost", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["gs.example.com", false],
  ])("%s is loopback: %p", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  test("a non-loopback address without a token is refused with the token, before anything is opened", () => {
    const config = { ...loadConfig({ env: {}, cwd: directory }).config };
    const exposed = { ...config.server, host: "0.0.0.0" } as GsConfig["server"];
    expect(() => resolveServerToken(exposed)).toThrow("server.host was 0.0.0.0, a non-loopback address, with no token");
  });

  test("a started server logs where it listens and what needs the token, without the token or DB password", async () => {
    const sink = SqliteSink.open({ path: join(directory, "gs.db") });
    await sink.migrate();
    const port = await freeLoopbackPort();
    const token = "startup-token-0123456789";
    const loaded = loadConfig({ env: {}, cwd: directory, overrides: [`server.port=${port}`, `server.token=${token}`] });
    const lines: string[] = [];
    const server = await startServer({ config: loaded.config, log: memoryServerLog(lines, [token]), version: "test", sink });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/control/stop`, { method: "POST", headers: { authorization: "Bearer nope-nope-nope-nope" } })).status).toBe(401);
      // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example
      const rebound = await fetch(`${server.url}/status`, { headers: { host: `evil.example:${port}` } });
      expect(rebound.status).toBe(403);
      expect(await rebound.json()).toMatchObject({ error: "forbidden_host" });
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) expect((await fetch(`${server.url}/status`, { headers: { host } })).status).toBe(200);
      // a second server on the same port is refused, never silently sharing it
      const second = await startServer({ config: loaded.config, log: memoryServerLog([], [token]), version: "test", sink }).catch((caught: unknown) => caught);
      expect(second).toBeInstanceOf(UserError);
      expect((second as Error).message).toContain(`cannot listen on 127.0.0.1:${port} (server.host/server.port)`);
    } finally {
      await server.stop();
      await sink.close();
    }
    expect(lines[0]).toBe(`[Server] listening on http://127.0.0.1:${port} (sink SQLite var/gs.db; reads open on loopback; control needs the token)`);
    expect(lines.join("\n")).not.toContain(token);
  });
});

describe("log redaction", () => {
  test("hides URL passwords and every listed secret", () => {
    expect(redactSecrets("cannot reach postgres://gs:s3cr3t@db:5432/gs (timeout)", [])).toBe("cannot reach postgres://gs:****@db:5432/gs (timeout)");
    expect(redactSecrets("header was Bearer abcd1234efgh", ["abcd1234efgh"])).toBe("header was Bearer ****");
  });
});

describe("gs status table", () => {
  test("renders the same view as /status: lamp, state, reasons, legs", () => {
    const row = statusRow({
      dataAgeMs: 9_000,
      details: {
        brokerName: "sim",
        brokerClientId: 3,
        dailyHedgeLimit: 50,
        realizedVolToday: 0.15,
        impliedVol: 0.13,
        breakevenMoveUsd: 3.6,
        breakevenMovePct: 0.62,
        scalpingPnlUsd: 40,
        optionMtmPnlUsd: -25,
        dailyCommissionsUsd: 3.5,
        dailyPnlUsd: 11.5,
        dailyLossLimitUsd: 5000,
        legs: [{ contractKey: "k", right: "C", strike: 580, expiryYmd: "20250131", quantity: 10, multiplier: 100, impliedVol: 0.13, delta: 0.53, gamma: 0.021, theta: -0.16, vega: 0.6, price: 9.12, greeksSource: "broker" }],
      },
    });
    const view = deriveStatusView({ rows: [row], daemonId: null, lastOperation: null, nowMs: T0_MS + 2_000, rules: { staleDataMs: 5_000 } });
    const lines = renderStatusTable(view, false).split("\n");
    expect(lines).toContain("daemon          gs-test");
    expect(lines).toContain("lamp            YELLOW (degraded)");
    expect(lines).toContain("heartbeat       2.0 s ago (every 5 s, red after 15 s)");
    expect(lines).toContain("broker          sim connected client 3");
    expect(lines).toContain("volatility      realised 15.0% vs implied 13.0%; breakeven move $3.60 (0.62%)");
    expect(lines).toContain("hedges today    3 of 50");
    // Today's PnL is the sum of its parts (commissions subtracted), next to the breaker's limit; the hedge stock's own PnL apart.
    expect(lines).toContain("pnl today       $11.50 (scalping $40.00, options -$25.00, commissions -$3.50); breaker at -$5000.00");
    expect(lines.find((line) => line.startsWith("hedge stock "))).toMatch(/^hedge stock +realised today \S+, unrealised on average cost \S+$/);
    expect(lines).toContain("                - [yellow] stale_data: Last quote is 9.0 s old, expected at most 5.0 s.");
    expect(lines).toContain("  20250131 580 C x10  price 9.12  iv 13.0%  delta 0.530  gamma 0.0210  theta -0.160 (broker)");
    expect(renderStatusTable(view, true)).toContain("\u001b[33m● YELLOW (degraded)\u001b[0m");
    const deltaLine = lines.find((line) => line.startsWith("delta ")) ?? "";
    expect(deltaLine).toMatch(/^delta +\S+ sh \(options \S+, hedge \S+, working \S+\)$/);

    const withExternal = statusRow({ details: { ...row.details, externalShares: 400 } });
    const external = deriveStatusView({ rows: [withExternal], daemonId: null, lastOperation: null, nowMs: T0_MS + 2_000, rules: { staleDataMs: 5_000 } });
    expect(renderStatusTable(external, false)).toContain("; +400 external, not hedged)");

    const noLimit = statusRow({ details: { ...row.details, dailyLossLimitUsd: null } });
    expect(renderStatusTable(deriveStatusView({ rows: [noLimit], daemonId: null, lastOperation: null, nowMs: T0_MS + 2_000, rules: { staleDataMs: 5_000 } }), false)).toContain("commissions -$3.50); no loss limit");
  });
});

describe("gs ctl straight to the sink", () => {
  const main = join(import.meta.dir, "../../src/cli/main.ts");
  const run = async (args: string[]) => {
    const child = Bun.spawn([process.execPath, main, "ctl", ...args, "--set", `status.sqlite.path=${join(directory, "ctl.db")}`, "--set", `status.spool_path=${join(directory, "ctl.spool")}`], {
      cwd: directory,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { stdout, stderr, code };
  };

  // gs ctl queues into the daemon's database; it never creates one (see cli-exit-codes).
  beforeAll(async () => {
    const sink = SqliteSink.open({ path: join(directory, "ctl.db"), spoolPath: join(directory, "check.spool") });
    await sink.migrate();
    sink.writeStatus(statusRow({ daemonId: "gs-1" }), { history: false }); // gs-1 has run against this database
    await sink.close();
  });

  test("a daemon id that never wrote a status row (a typo) is a user error (exit 2) naming the known ids, and nothing is queued", async () => {
    const typo = await run(["stop", "--daemon-id", "gs-11", "--no-wait"]);
    expect([typo.code, typo.stderr.trim()]).toEqual([2, 'gs: daemon_id was "gs-11", which has never written a status row; expected one of: gs-1']);
    const sink = SqliteSink.open({ path: join(directory, "ctl.db"), spoolPath: join(directory, "check.spool") });
    try {
      expect(await sink.claimControl("gs-11", Date.now())).toEqual([]);
    } finally {
      await sink.close();
    }
  });

  test("a command nobody consumes stays queued; gs ctl says so and exits 1", async () => {
    const result = await run(["pause", "--timeout", "0.5", "--reason", "maintenance"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^pause queued as #(\d+) for daemon gs-1 via sqlite /);
    expect(result.stderr).toContain("was not consumed within 0.5 s; it stays queued. Is daemon gs-1 running (gs status)?");
    const sink = SqliteSink.open({ path: join(directory, "ctl.db"), spoolPath: join(directory, "check.spool") });
    try {
      const queued = await sink.claimControl("gs-1", Date.now());
      expect(queued.map((row) => [row.command, row.args, row.issuedBy.startsWith("gs ctl ")])).toEqual([["pause", { reason: "maintenance" }, true]]);
    } finally {
      await sink.close();
    }
  });

  test("flatten or accept-position without --confirm and unknown commands are user errors (exit 2) that queue nothing", async () => {
    const flatten = await run(["flatten"]);
    expect([flatten.code, flatten.stderr.trim()]).toEqual([2, "gs: flatten closes all hedge stock at market and leaves hedging paused: add --confirm to send it"]);
    const accept = await run(["accept-position"]);
    expect([accept.code, accept.stderr.trim()]).toEqual([2, "gs: accept-position takes the broker's stock position as this strategy's hedge and clears the reconciliation block: add --confirm to send it"]);
    const unknown = await run(["explode"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('command was "explode", expected one of: stop, pause, resume, flatten, retry-broker, accept-position');
    const sink = SqliteSink.open({ path: join(directory, "ctl.db"), spoolPath: join(directory, "check.spool") });
    try {
      expect(await sink.claimControl("gs-1", Date.now())).toEqual([]);
    } finally {
      await sink.close();
    }
  });
});

