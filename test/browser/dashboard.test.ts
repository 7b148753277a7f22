// The dashboard in real headless Chromium against a real `gs serve` on a real SQLite sink:
// the page loads with no external requests, shows the lamp and its reasons, updates live
// from /events, and its buttons (token + confirmation) round-trip to daemon_control.
// Screenshots go to test-artifacts/ (gitignored). Without Chromium the suite is skipped
// with the reason in its name, never silently.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadConfig } from "../../src/config/load.ts";
import { memoryServerLog } from "../../src/server/server-log.ts";
import { startServer } from "../../src/server/start-server.ts";
import type { RunningServer } from "../../src/server/start-server.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { freeLoopbackPort } from "../support/postgres.ts";
import { operationRow, statusRow } from "../support/sink-rows.ts";

// The first PostgreSQL test starts the throwaway cluster; Chromium and daemons take seconds too.
setDefaultTimeout(60_000);

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
const TOKEN = "browser-test-token-5b1e7c";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const skipReason = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install -y chromium)`;
if (skipReason !== null) console.warn(`dashboard browser test skipped: ${skipReason}`);
const suite = skipReason === null ? describe : describe.skip;

suite(`dashboard in headless Chromium${skipReason === null ? "" : ` (skipped: ${skipReason})`}`, () => {
  let directory = "";
  /** The first history row's time (see the first test). */
  let firstHistoryMs = 0;
  let sink: SqliteSink;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "gs-browser-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    sink = SqliteSink.open({ path: join(directory, "gs.db") });
    await sink.migrate();
    const now = Date.now();
    firstHistoryMs = now - 30 * 60_000;
    for (let minute = 30; minute >= 1; minute -= 1) {
      sink.writeStatus(statusRow({ daemonId: "gs-1", tsMs: now - minute * 60_000, portfolioDeltaShares: Math.round(30 * Math.sin(minute / 4)), hedgeShares: -60 + minute }), { history: true });
    }
    sink.writeStatus(
      statusRow({
        daemonId: "gs-1",
        tsMs: now,
        blockReasons: [],
        details: {
          brokerName: "sim",
          brokerClientId: 7,
          marketDataKind: "live",
          dailyHedgeLimit: 50,
          realizedVolToday: 0.16,
          impliedVol: 0.13,
          breakevenMoveUsd: 3.62,
          breakevenMovePct: 0.69,
          scalpingPnlUsd: 85.2,
          optionMtmPnlUsd: -61.4,
          dailyCommissionsUsd: 4.25,
          dailyPnlUsd: 19.55,
          dailyLossLimitUsd: 5000,
          legs: [
            { contractKey: "SPY|OPT|20250131|580|C", right: "C", strike: 580, expiryYmd: "20250131", quantity: 10, multiplier: 100, impliedVol: 0.13, delta: 0.53, gamma: 0.021, theta: -0.16, vega: 0.61, price: 9.12, greeksSource: "broker" },
            { contractKey: "SPY|OPT|20250131|580|P", right: "P", strike: 580, expiryYmd: "20250131", quantity: 10, multiplier: 100, impliedVol: 0.13, delta: -0.47, gamma: 0.021, theta: -0.11, vega: 0.61, price: 7.4, greeksSource: "broker" },
          ],
        },
      }),
      { history: true },
    );
    for (let index = 0; index < 6; index += 1) sink.writeOperation(operationRow(index, { daemonId: "gs-1", tsMs: now - (6 - index) * 10_000, type: index % 2 === 0 ? "order_sent" : "fill" }));
    await sink.flush();
    await sink.saveBacktestRun({
      runId: "bt-browser-c0ffee-fa11ed",
      startedAtMs: now - 3_600_000,
      finishedAtMs: now - 3_590_000,
      configHash: "c0ffee",
      dataFingerprint: "fa11ed",
      fromDay: "2024-03-01",
      toDay: "2024-06-28",
      summary: { pnl: { totalUsd: 1234.5, scalpingUsd: 2100.25 }, hedges: 412, maxDrawdownUsd: 350, dailySharpe: 1.37 },
    });

    const port = await freeLoopbackPort();
    const loaded = loadConfig({ env: {}, cwd: directory, overrides: [`server.port=${port}`, `server.token=${TOKEN}`, "status.daemon_id=gs-1", `status.sqlite.path=${join(directory, "gs.db")}`] });
    server = await startServer({ config: loaded.config, log: memoryServerLog([], [TOKEN]), version: "browser-test", sink });

    const { chromium } = await import("playwright-core");
    context = await chromium.launchPersistentContext(join(directory, "chromium-profile"), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 1100 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (request) => {
      if (!request.url().startsWith(server.url)) externalRequests.push(request.url());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // CSP violations and failed loads surface as console errors, not page errors.
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().includes("401")) pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    await sink?.close();
    if (directory !== "") rmSync(directory, { recursive: true, force: true });
  });

  test("loads offline and shows the lamp, reasons, numbers, legs, chart and operations from the sink", async () => {
    // The chart asks for history since the page's New York midnight. Run within half an hour
    // after it, the real clock would leave the earlier rows out: the page's clock reads the
    // first row's time (timers keep running; only Date stands still).
    await page.clock.setFixedTime(firstHistoryMs);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#lamp[data-lamp="green"]');
    await page.waitForSelector('#stream-state[data-state="live"]');
    expect(await page.textContent("#lamp-text")).toBe("GREEN · ok");
    expect(await page.textContent("#state")).toBe("RUNNING");
    expect(await page.textContent("#broker")).toBe("sim connected (client 7)");
    expect(await page.textContent("#breakeven")).toBe("±$3.62 (0.69%)");
    expect(await page.textContent("#realized-vol")).toBe("16.0%");
    expect(await page.textContent("#hedges-count")).toBe("3");
    expect(await page.textContent("#pnl-today")).toBe("$19.55");
    expect(await page.textContent("#pnl-limit")).toBe("−$5,000.00");
    expect(await page.textContent("#pnl-commissions")).toBe("−$4.25");
    expect(await page.locator("#legs tbody tr").count()).toBe(2);
    expect(await page.locator("#external-shares").isVisible()).toBe(false); // none declared: no row
    await page.waitForFunction(() => document.querySelectorAll("#operations tbody tr").length === 6);
    expect(await page.locator("#chart polyline.delta").getAttribute("points")).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+){10,}/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-green.png"), fullPage: true });
    expect(externalRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("the backtest runs panel lists the runs recorded in the sink", async () => {
    await page.waitForFunction(() => document.querySelectorAll("#backtests tbody tr").length === 1);
    const cells = await page.locator("#backtests tbody tr td").allTextContents();
    expect(cells.slice(1)).toEqual(["bt-browser-c0ffee-fa11ed", "2024-03-01 – 2024-06-28", "$1,234.50", "$2,100.25", "412", "$350.00", "1.37"]);
  });

  test("shares declared outside the strategy get their own row in the delta card", async () => {
    sink.writeStatus(statusRow({ daemonId: "gs-1", tsMs: Date.now(), blockReasons: [], details: { brokerName: "sim", externalShares: 400 } }), { history: false });
    await sink.flush();
    await page.waitForSelector("#external-shares", { state: "visible" });
    expect(await page.textContent("#external-shares")).toBe("+400 sh");
  });

  test("the lamp turns yellow live (SSE) when the daemon pauses, with the reason", async () => {
    sink.writeStatus(statusRow({ daemonId: "gs-1", tsMs: Date.now(), state: "PAUSED", paused: true, blockReasons: [] }), { history: false });
    await sink.flush();
    await page.waitForSelector('#lamp[data-lamp="yellow"]');
    expect(await page.textContent("#reasons")).toContain("Hedging is paused by an operator.");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-yellow.png"), fullPage: true });
  });

  test("Pause asks for the token and confirmation, then round-trips through daemon_control", async () => {
    await page.click('button[data-command="pause"]');
    await page.waitForSelector("#control-dialog[open]");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-confirm.png") });
    await page.fill("#token-input", TOKEN);
    await page.click("#dialog-send");
    await page.waitForFunction(() => document.getElementById("control-result")?.textContent?.includes("queued as #") === true);
    const claimed = await sink.claimControl("gs-1", Date.now());
    expect(claimed.map((row) => [row.command, row.issuedBy.startsWith("http ")])).toEqual([["pause", true]]);
    const id = claimed[0]?.id ?? 0;
    sink.completeControl(id, "paused", Date.now());
    await sink.flush();
    await page.waitForFunction((expected) => document.getElementById("control-result")?.textContent === expected, `pause #${id} done: paused`);
  });

  test.each([
    ["flatten", "flatten", "I understand flatten closes all hedge stock at market"],
    ["accept-position", "accept_position", "I checked the account: these shares are the strategy's hedge"],
  ] as const)("%s cannot be sent without ticking the confirmation; then it carries confirm: true", async (path, command, confirmText) => {
    await page.click(`button[data-command="${path}"]`);
    await page.waitForSelector("#control-dialog[open]");
    expect(await page.textContent("#command-confirm-label")).toContain(confirmText);
    await page.click("#dialog-send");
    expect(await page.locator("#control-dialog").getAttribute("open")).not.toBeNull();
    expect(await sink.claimControl("gs-1", Date.now())).toEqual([]);
    await page.check("#command-confirm");
    await page.click("#dialog-send");
    await page.waitForFunction((prefix) => document.getElementById("control-result")?.textContent?.startsWith(prefix) === true, `${path} queued as #`);
    const claimed = await sink.claimControl("gs-1", Date.now());
    expect(claimed.map((row) => [row.command, row.args])).toEqual([[command, { confirm: true }]]);
  });

  test("when reads need the token (non-loopback bind), the page asks for it once, then shows the lamp", async () => {
    const { createServerApp } = await import("../../src/server/app.ts");
    const { BearerAuth } = await import("../../src/server/bearer-auth.ts");
    const { EventHub } = await import("../../src/server/event-stream.ts");
    const { StatusService } = await import("../../src/server/status-service.ts");
    const clock = { nowMs: () => Date.now() };
    const service = new StatusService({ sink, clock, rules: { staleDataMs: 5_000 }, defaultDaemonId: "gs-1" });
    const events = new EventHub(service, clock);
    // The app of a non-loopback server, listening on loopback so the test exposes nothing.
    const guarded = createServerApp({ service, clock, auth: new BearerAuth(TOKEN), readsNeedToken: true, events, log: memoryServerLog([], [TOKEN]), version: "browser-test" });
    const port = await freeLoopbackPort();
    guarded.listen({ hostname: "127.0.0.1", port });
    const fresh = await context.newPage();
    try {
      await fresh.goto(`http://127.0.0.1:${port}/`);
      await fresh.waitForSelector("#control-dialog[open]");
      expect(await fresh.textContent("#dialog-title")).toBe("Token needed");
      await fresh.fill("#token-input", TOKEN);
      await fresh.click("#dialog-send");
      await fresh.waitForSelector('#lamp[data-lamp="yellow"]');
      await fresh.waitForSelector('#stream-state[data-state="live"]');
      await fresh.screenshot({ path: join(ARTIFACTS, "dashboard-token-needed.png") });
    } finally {
      await fresh.close();
      events.close();
      await guarded.stop(true);
    }
  });

  test("a wrong token is refused and nothing is queued", async () => {
    await page.click('button[data-command="stop"]');
    await page.fill("#token-input", "not-the-token-at-all");
    await page.click("#dialog-send");
    await page.waitForFunction(() => document.getElementById("control-result")?.textContent?.startsWith("stop refused (401)") === true);
    expect(await sink.claimControl("gs-1", Date.now())).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-refused.png"), fullPage: true });
  });
});
