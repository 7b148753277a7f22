// End to end, on SQLite and on PostgreSQL: a real `gs daemon` on the simulated broker and a
// real `gs serve` (two OS processes sharing only the database). Every control command goes
// in through the server (one through `gs ctl`), is consumed by the daemon, and its effect
// shows in /status; stop ends the daemon cleanly and turns the lamp red at once.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ControlReceipt, ControlView } from "../../src/server/control-view.ts";
import type { OperationsPage } from "../../src/server/operations-view.ts";
import type { StatusView } from "../../src/server/status-view-schema.ts";
import { freeLoopbackPort } from "../support/postgres.ts";
import { describeSinks } from "../support/sinks.ts";

// The first PostgreSQL test starts the throwaway cluster; Chromium and daemons take seconds too.
setDefaultTimeout(60_000);

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");
const TOKEN = "e2e-token-3c9d1f0a7b2e";
const E2E_TIMEOUT_MS = 120_000;

type Child = Bun.Subprocess<"ignore", "pipe", "pipe">;
const children: Child[] = [];
const directories: string[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function gs(args: readonly string[], directory: string): Child {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: directory, GS_SERVER_TOKEN: TOKEN, NO_COLOR: "1" };
  const child = Bun.spawn([process.execPath, MAIN, ...args], { cwd: directory, env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  children.push(child);
  return child;
}

/** Polls until `read` returns a value `done` accepts; the test timeout bounds the wait. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // server not up yet
    }
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 400)}`);
}

describeSinks("gs daemon + gs serve end to end", (_makeSink, context) => {
  test(
    "every control command is consumed by the daemon and its effect shows in /status",
    async () => {
      const database = await context.makeDatabase();
      const directory = mkdtempSync(join(tmpdir(), "gs-e2e-"));
      directories.push(directory);
      const sinkArgs = [
        "--set", `status.sink=${database.kind}`,
        "--set", database.kind === "sqlite" ? `status.sqlite.path=${database.location}` : `status.postgres.url=${database.location}`,
        "--set", "status.daemon_id=e2e",
        "--set", "status.heartbeat_s=0.5",
        "--set", "control.poll_ms=100",
      ];
      const daemon = gs(["daemon", ...sinkArgs, "--set", `status.spool_path=${join(directory, "daemon.spool")}`, "--set", `control.file=${join(directory, "gs.control")}`], directory);
      const port = await freeLoopbackPort();
      const serve = gs(["serve", "--port", String(port), ...sinkArgs, "--set", `status.spool_path=${join(directory, "serve.spool")}`], directory);
      const base = `http://127.0.0.1:${port}`;
      const status = async (): Promise<StatusView> => (await (await fetch(`${base}/status`)).json()) as StatusView;
      const send = async (path: string, body: object = {}): Promise<ControlView> => {
        const response = await fetch(`${base}/control/${path}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
        expect(response.status).toBe(202);
        const receipt = (await response.json()) as ControlReceipt;
        return until(async () => (await (await fetch(`${base}${receipt.status_url}`)).json()) as ControlView, (view) => view.consumed && view.result !== null, `${path} consumed`);
      };

      const running = await until(status, (view) => view.state === "RUNNING" && view.market_data?.spot !== null, "daemon RUNNING with a quote");
      expect(running.daemon_id).toBe("e2e");
      expect(running.broker?.connected).toBe(true);

      const unauthorized = await fetch(`${base}/control/stop`, { method: "POST" });
      expect(unauthorized.status).toBe(401);

      const paused = await send("pause", { reason: "e2e" });
      expect(paused.result).toBe("paused");
      const pausedView = await until(status, (view) => view.state === "PAUSED", "PAUSED in /status");
      expect(pausedView.status_lamp).toBe("yellow");
      expect(pausedView.block_reasons.map((reason) => reason.code)).toContain("paused");

      // resume straight through the sink with `gs ctl` (no server), as on the daemon's host
      const resume = gs(["ctl", "resume", ...sinkArgs, "--set", `status.spool_path=${join(directory, "ctl.spool")}`, "--timeout", "60"], directory);
      const resumeOutput = await new Response(resume.stdout).text();
      expect(await resume.exited).toBe(0);
      expect(resumeOutput).toMatch(/^resume queued as #\d+ for daemon e2e via (sqlite|postgres)[^\n]*\ndaemon e2e: resumed\n$/);
      await until(status, (view) => view.state === "RUNNING" && !view.paused, "RUNNING again");

      const retry = await send("retry-broker");
      expect(retry.result).not.toMatch(/^failed/);
      expect((await status()).broker?.connected).toBe(true);

      // Flatten must have something to close, or "flat" below would prove nothing: wait until
      // the daemon holds hedge stock from a filled hedge (at sim speed it hedges within seconds).
      const hedged = await until(status, (view) => (view.position?.hedge_shares ?? 0) !== 0 && view.position?.pending_shares === 0, "a filled hedge position");
      expect(hedged.state).toBe("RUNNING");
      const operations = async (query: string): Promise<OperationsPage["operations"]> =>
        ((await (await fetch(`${base}/operations?daemon_id=e2e&limit=1000&${query}`)).json()) as OperationsPage).operations;
      expect((await operations("type=fill,partial_fill")).length).toBeGreaterThan(0);

      const flatten = await send("flatten", { confirm: true });
      expect(flatten.result).toMatch(/^flatten: (cancelling \d+ working order\(s\), then )?closing -?\d+ hedge shares; paused$/);
      const flat = await until(status, (view) => view.paused && view.position?.hedge_shares === 0 && view.position.pending_shares === 0, "flat and paused");
      expect(flat.state).toBe("PAUSED");
      // ...and it got there by a closing order of its own that filled, not by never having traded.
      const flattenIntents = (await operations("type=hedge_intent")).filter((operation) => operation.reason === "flatten");
      expect(flattenIntents).toHaveLength(1);
      const closingRef = flattenIntents[0]?.order_ref ?? null;
      expect(closingRef).not.toBeNull();
      const closingFills = (await operations("type=fill,partial_fill")).filter((operation) => operation.order_ref === closingRef);
      expect(closingFills.reduce((shares, fill) => shares + (fill.quantity_shares ?? 0), 0)).toBeGreaterThan(0);

      // stop through the operator CLI, the way an operator on SSH would
      const ctl = gs(["ctl", "stop", "--server", base, "--timeout", "60"], directory);
      const ctlOutput = await new Response(ctl.stdout).text();
      expect(await ctl.exited).toBe(0);
      expect(ctlOutput).toMatch(/^stop queued as #\d+ for daemon e2e via http:\/\/127\.0\.0\.1:\d+\ndaemon e2e: /);
      expect(await daemon.exited).toBe(0);
      const stopped = await until(status, (view) => view.state === "STOPPED", "STOPPED in /status");
      expect(stopped.status_lamp).toBe("red");
      expect(stopped.block_reasons.map((reason) => reason.code)).toEqual(["daemon_stopped"]);

      const cliStatus = gs(["status", "--json", ...sinkArgs, "--set", `status.spool_path=${join(directory, "status.spool")}`], directory);
      const cliView = JSON.parse(await new Response(cliStatus.stdout).text()) as StatusView;
      expect(await cliStatus.exited).toBe(0);
      expect([cliView.daemon_id, cliView.state, cliView.status_lamp]).toEqual(["e2e", "STOPPED", "red"]);

      serve.kill("SIGTERM");
      expect(await serve.exited).toBe(0);
      const serveLog = await new Response(serve.stderr).text();
      expect(serveLog).toContain("listening on http://127.0.0.1:");
      expect(serveLog).toContain("SIGTERM received, stopping");
      expect(serveLog).not.toContain(TOKEN);
    },
    E2E_TIMEOUT_MS,
  );
});
