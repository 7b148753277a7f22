// `gs check ib` as a user runs it, against the fake TWS: what it reports, and that it
// never sends an order.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { FakeTws } from "../fake-tws/index.ts";
import { MAIN_TS, makeTempDir, runGs } from "./cli/run-gs.ts";

let tws: FakeTws;
let temp: ReturnType<typeof makeTempDir>;

/** `days` calendar days from now as YYYYMMDD (New York date; the test avoids the edges). */
function ymdIn(days: number): string {
  const t = new Date(Date.now() + days * 86_400_000);
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
  return parts.replaceAll("-", "");
}

/** The developer's own GS_* settings must not leak into a run that stands for a user's. */
function withoutGsVariables(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith("GS_")) env[name] = value;
  return env;
}

async function runCheck(extra: readonly string[] = []): Promise<ReturnType<typeof runGs>> {
  const proc = Bun.spawn(["bun", MAIN_TS, "check", "ib", "--set", `ib.port=${tws.port}`, "--set", "ib.connect_timeout_s=2", "--wait", "2", ...extra], {
    cwd: temp.dir, env: withoutGsVariables(), stdout: "pipe", stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

beforeEach(async () => {
  tws = new FakeTws();
  await tws.start(0);
  temp = makeTempDir("gs-check-ib-");
});

afterEach(async () => {
  await tws.stop();
  temp.remove();
});

describe("gs check ib", () => {
  test("reports accounts, positions, the legs it would manage with greeks, and sends no order", async () => {
    const expiry = ymdIn(28);
    const call = tws.optionContract("SPY", expiry, 600, "C");
    const put = tws.optionContract("SPY", expiry, 600, "P");
    const far = tws.optionContract("SPY", ymdIn(120), 600, "C");
    tws.setPosition(call, 10, 1250);
    tws.setPosition(put, 10, 1180);
    tws.setPosition(far, 1, 2500);
    tws.setPosition(tws.stockContract("SPY"), -35, 601.2);
    tws.setQuote("SPY", { bid: 600.1, ask: 600.3, last: 600.2 });
    tws.setGreeks(call, { impliedVol: 0.16, delta: 0.52, gamma: 0.011, vega: 0.62, theta: -0.21, optionPrice: 12.5, underlyingPrice: 600.2 });
    tws.setGreeks(put, { impliedVol: 0.17, delta: -0.48, gamma: 0.011, vega: 0.61, theta: -0.19, optionPrice: 11.9, underlyingPrice: 600.2 });

    const run = await runCheck();
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("connected as client id 1, server version 193");
    expect(run.stdout).toContain("accounts: DU1234567");
    expect(run.stdout).toContain("positions (4):");
    expect(run.stdout).toContain("stock: -35 shares of SPY, 0 declared external (strategy.external_shares), -35 hedge\n");
    expect(run.stdout).toContain("note: a first start (no records for this daemon yet) expects 0 hedge shares and blocks on these -35: set strategy.external_shares = -35");
    expect(run.stdout).toContain("spot 600.20");
    expect(run.stdout).toContain("legs gs would manage (2):");
    expect(run.stdout).toMatch(new RegExp(`SPY ${expiry} 600 call\\s+10\\s+iv 0\\.1600 delta 0\\.5200`));
    expect(run.stdout).toMatch(new RegExp(`SPY ${expiry} 600 put\\s+10\\s+iv 0\\.1700 delta -0\\.4800`));
    expect(run.stdout).toContain(`SPY|OPT|${ymdIn(120)}|600|C: outside_dte`);
    expect(run.stdout).toContain("disconnected; no orders were sent.");
    expect(run.stdout).not.toContain("(505)"); // the client decoded every message of the fake
    expect(tws.requestsOf("place_order")).toEqual([]);
    expect(tws.requestsOf("cancel_order")).toEqual([]);
  });

  test("--json prints the same report as data, the stock split by strategy.external_shares", async () => {
    tws.setQuote("SPY", { bid: 500, ask: 500.2 });
    tws.setPosition(tws.stockContract("SPY"), 1_200, 480);
    const run = await runCheck(["--json", "--set", "strategy.external_shares=1000"]);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as { connection: { serverVersion: number }; spot: number; legs: unknown[]; stock: unknown };
    expect(report.connection.serverVersion).toBe(193);
    expect(report.spot).toBeCloseTo(500.1, 6);
    expect(report.legs).toEqual([]);
    expect(report.stock).toEqual({ symbol: "SPY", shares: 1_200, externalShares: 1_000, hedgeShares: 200 });
  });

  test("shares all declared external need no note", async () => {
    tws.setQuote("SPY", { bid: 500, ask: 500.2 });
    tws.setPosition(tws.stockContract("SPY"), 1_000, 480);
    const run = await runCheck(["--set", "strategy.external_shares=1000"]);
    expect(run.stdout).toContain("stock: 1000 shares of SPY, 1000 declared external (strategy.external_shares), 0 hedge\n");
    expect(run.stdout).not.toContain("note: a first start");
  });

  test("TWS not running: a clear message and a hint, exit 1, no stack trace", async () => {
    await tws.stop();
    const run = await runCheck();
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`gs check ib: cannot reach TWS at 127.0.0.1:${tws.port}`);
    expect(run.stderr).toContain("hint: is TWS / IB Gateway running");
    expect(run.stderr).not.toContain("    at ");
  });
});
