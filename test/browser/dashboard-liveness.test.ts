// The dashboard's lamp in real headless Chromium when the page stops hearing the truth: a
// network path that stalls without closing (SSH tunnel, proxy: no FIN, no RST) and a dead
// `gs serve`. The page must not keep showing the last green: a heartbeat older than
// stale_after turns it red, and silence from the server (no event, no ping) makes it unknown.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { loadConfig } from "../../src/config/load.ts";
import { MISSED_PINGS_FOR_LOSS } from "../../src/server/dashboard/dashboard-liveness.ts";
import { DEFAULT_EVENT_STREAM_OPTIONS } from "../../src/server/event-stream.ts";
import { memoryServerLog } from "../../src/server/server-log.ts";
import { startServer } from "../../src/server/start-server.ts";
import type { RunningServer } from "../../src/server/start-server.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { freeLoopbackPort } from "../support/postgres.ts";
import { statusRow } from "../support/sink-rows.ts";

setDefaultTimeout(60_000);

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const skipReason = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install -y chromium)`;
if (skipReason !== null) console.warn(`dashboard liveness browser test skipped: ${skipReason}`);
const suite = skipReason === null ? describe : describe.skip;

/** A TCP forwarder whose path can go silent: sockets stay open, nothing more is forwarded or closed. */
class FreezableProxy {
  frozen = false;
  private readonly sockets: Socket[] = [];
  private constructor(private readonly server: Server) {}

  static async to(port: number): Promise<FreezableProxy> {
    const proxy: FreezableProxy = new FreezableProxy(
      createServer((client) => {
        const upstream = connect(port, "127.0.0.1");
        proxy.sockets.push(client, upstream);
        client.on("data", (chunk) => void (proxy.frozen || upstream.write(chunk)));
        upstream.on("data", (chunk) => void (proxy.frozen || client.write(chunk)));
        // Closes pass through unless frozen: a dead server is seen as one, a stalled path is not.
        client.on("close", () => void (proxy.frozen || upstream.destroy()));
        upstream.on("close", () => void (proxy.frozen || client.destroy()));
        client.on("error", () => {});
        upstream.on("error", () => {});
      }),
    );
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", () => resolve()));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }
}

suite(`dashboard lamp liveness in headless Chromium${skipReason === null ? "" : ` (skipped: ${skipReason})`}`, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A green daemon with the given heartbeat interval, served by a real `gs serve`, opened in Chromium through a proxy. */
  async function greenPage(heartbeatIntervalS: number): Promise<{ page: Page; proxy: FreezableProxy; server: RunningServer }> {
    const directory = mkdtempSync(join(tmpdir(), "gs-liveness-"));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const sink = SqliteSink.open({ path: join(directory, "gs.db") });
    cleanups.push(() => sink.close());
    await sink.migrate();
    sink.writeStatus(statusRow({ daemonId: "gs-1", tsMs: Date.now(), heartbeatIntervalS, blockReasons: [], dataAgeMs: 10, details: { brokerName: "sim", marketDataKind: "live" } }), { history: true });
    await sink.flush();
    const port = await freeLoopbackPort();
    const loaded = loadConfig({ env: {}, cwd: directory, overrides: [`server.port=${port}`, "status.daemon_id=gs-1", `status.sqlite.path=${join(directory, "gs.db")}`] });
    const server = await startServer({ config: loaded.config, log: memoryServerLog([], []), version: "liveness-test", sink });
    cleanups.push(() => server.stop().catch(() => {})); // some tests stop it themselves
    const proxy = await FreezableProxy.to(port);
    cleanups.push(() => proxy.close());
    const { chromium } = await import("playwright-core");
    const context: BrowserContext = await chromium.launchPersistentContext(join(directory, "profile"), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    cleanups.push(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${proxy.url}/`);
    await page.waitForSelector('#lamp[data-lamp="green"]');
    await page.waitForSelector('#stream-state[data-state="live"]');
    return { page, proxy, server };
  }

  test("a stalled path turns the lamp red once the heartbeat it last saw is older than stale_after", async () => {
    const { page, proxy } = await greenPage(1); // stale after 3 s
    proxy.frozen = true;
    await page.waitForSelector('#lamp[data-lamp="red"]', { timeout: 6_000 });
    expect(await page.textContent("#lamp-why")).toContain("over the 3 s allowed");
  });

  test("a stalled path with a fresh heartbeat: no event and no ping for a few ping intervals makes the lamp unknown", async () => {
    const { page, proxy } = await greenPage(60);
    proxy.frozen = true;
    const lossMs = MISSED_PINGS_FOR_LOSS * DEFAULT_EVENT_STREAM_OPTIONS.pingMs;
    await Bun.sleep(lossMs - 3_000);
    expect(await page.getAttribute("#lamp", "data-lamp")).toBe("green"); // pings are still due: not yet lost
    await page.waitForSelector('#lamp[data-lamp="unknown"]', { timeout: 6_000 });
    expect(await page.textContent("#lamp-why")).toContain("Live updates lost: nothing from gs serve for");
    expect(await page.textContent("#stream-state")).toBe("reconnecting…");
    proxy.frozen = false; // the path recovers: the next reconnect (at most one more silence window) makes the page live again
    await page.waitForSelector('#lamp[data-lamp="green"]', { timeout: lossMs + 5_000 });
    expect(await page.textContent("#lamp-why")).toBe("");
  });

  test("gs serve going away makes the lamp unknown at once, not green with a small note", async () => {
    const { page, server } = await greenPage(60);
    await server.stop();
    await page.waitForSelector('#lamp[data-lamp="unknown"]', { timeout: 3_000 });
    expect(await page.textContent("#lamp-why")).toContain("Live updates lost: the connection to gs serve failed or closed");
  });
});
