// `gs daemon` and `gs serve` under a Type=notify unit, with the watchdog on: the real process
// tells the socket systemd would hold READY=1, its status, WATCHDOG=1 at half WATCHDOG_USEC,
// and STOPPING=1 on SIGTERM, then exits 0. Outside systemd (no NOTIFY_SOCKET) nothing is sent.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { notifySocketAddress, systemdNotifier } from "../../src/systemd/notify.ts";
import { NotifySocket } from "../support/notify-socket.ts";
import { freeLoopbackPort } from "../support/postgres.ts";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");
const directory = mkdtempSync(join(tmpdir(), "gs-notify-"));
const children: ReturnType<typeof Bun.spawn>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

/** `gs <command> [args]` in `cwd` on a SQLite file there, with these settings and environment. */
function spawnGs(command: readonly string[], cwd: string, settings: readonly string[], env: Record<string, string>) {
  const all = [`status.sqlite.path=${join(cwd, "gs.db")}`, `status.spool_path=${join(cwd, "gs.spool")}`, ...settings];
  const child = Bun.spawn([process.execPath, MAIN, ...command, ...all.flatMap((setting) => ["--set", setting])], {
    cwd,
    env: { ...process.env, GS_CONFIG: "", GS_SERVER_TOKEN: "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(child);
  return child;
}

const spawnDaemon = (cwd: string, env: Record<string, string>) => spawnGs(["daemon"], cwd, ["status.daemon_id=notify-test", "status.heartbeat_s=0.2"], env);

describe("systemd notification", () => {
  for (const [kind, socketName] of [["a socket path", "notify.sock"], ["an abstract socket", `@gs-notify-test-${process.pid}`]] as const) {
    test(`READY, running status, watchdog pings and STOPPING reach ${kind}; SIGTERM still exits 0`, async () => {
      const cwd = mkdtempSync(join(directory, "run-"));
      const socketPath = socketName.startsWith("@") ? socketName : join(cwd, socketName);
      const socket = new NotifySocket(socketPath);
      try {
        const child = spawnDaemon(cwd, { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: "300000" });
        await socket.until((messages) => messages.some((m) => m.startsWith("STATUS=daemon notify-test running")), "the running status");
        expect(socket.messages[0]).toBe("READY=1\nSTATUS=opening the status database");
        const pingsBefore = socket.messages.filter((m) => m === "WATCHDOG=1").length;
        await Bun.sleep(1_000);
        // 150 ms apart: at least 3 more in a second even on a loaded machine.
        expect(socket.drain().filter((m) => m === "WATCHDOG=1").length - pingsBefore).toBeGreaterThanOrEqual(3);
        child.kill("SIGTERM");
        expect(await child.exited).toBe(0);
        await socket.until((messages) => messages.includes("STOPPING=1"), "STOPPING=1");
        const stoppingAt = socket.messages.indexOf("STOPPING=1");
        expect(socket.messages.indexOf("READY=1\nSTATUS=opening the status database")).toBeLessThan(stoppingAt);
      } finally {
        socket.close();
      }
    }, 60_000);
  }

  test("gs serve: READY while opening the database (as the daemon), STATUS once listening, watchdog pings, STOPPING on SIGTERM, exit 0", async () => {
    const cwd = mkdtempSync(join(directory, "serve-"));
    const socket = new NotifySocket(join(cwd, "notify.sock"));
    try {
      const port = await freeLoopbackPort();
      const child = spawnGs(["serve", "--port", String(port)], cwd, [], { NOTIFY_SOCKET: join(cwd, "notify.sock"), WATCHDOG_USEC: "300000" });
      await socket.until((messages) => messages.includes(`STATUS=serving on 127.0.0.1:${port}`), "STATUS with the listening address");
      expect(socket.messages[0]).toBe("READY=1\nSTATUS=opening the status database");
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200); // serving means listening
      await socket.until((messages) => messages.filter((m) => m === "WATCHDOG=1").length >= 3, "three watchdog pings");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      await socket.until((messages) => messages.includes("STOPPING=1"), "STOPPING=1");
    } finally {
      socket.close();
    }
  }, 60_000);

  test("a receiver that stops reading cannot block the daemon: the pings are dropped, SIGTERM still exits 0", async () => {
    const cwd = mkdtempSync(join(directory, "run-"));
    const socket = new NotifySocket(join(cwd, "notify.sock"));
    try {
      // Pings every 50 ms fill the socket's 10-datagram queue within a second; nothing is read.
      const child = spawnDaemon(cwd, { NOTIFY_SOCKET: join(cwd, "notify.sock"), WATCHDOG_USEC: "100000" });
      await Bun.sleep(2_500);
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited, Bun.sleep(15_000).then(() => "still running")]);
      expect(exited).toBe(0);
      expect(await new Response(child.stderr).text()).toContain("notifying systemd at");
    } finally {
      socket.close();
    }
  }, 60_000);

  test("without NOTIFY_SOCKET nothing is sent; the socket address is built as sd_notify builds it", () => {
    const warnings: string[] = [];
    const notifier = systemdNotifier({}, (message) => warnings.push(message));
    expect(notifier.send("READY=1")).toBe(false);
    notifier.close();
    expect(warnings).toEqual([]);
    const path = notifySocketAddress("/run/systemd/notify") as Uint8Array;
    expect([path[0], path[1]]).toEqual([1, 0]); // AF_UNIX, little-endian
    expect(new TextDecoder().decode(path.subarray(2))).toBe("/run/systemd/notify\0");
    const abstract = notifySocketAddress("@name") as Uint8Array;
    expect(Array.from(abstract.subarray(2))).toEqual([0, ..."name"].map((c) => (typeof c === "number" ? c : c.charCodeAt(0))));
    expect(notifySocketAddress(`/${"x".repeat(107)}`)).toBeNull();
    expect(notifySocketAddress("@")).toBeNull();
    const tooLong = systemdNotifier({ NOTIFY_SOCKET: `/${"x".repeat(200)}` }, (message) => warnings.push(message));
    expect(tooLong.send("READY=1")).toBe(false);
    expect(warnings[0]).toContain("expected a unix socket path of at most 107 bytes");
  });
});
