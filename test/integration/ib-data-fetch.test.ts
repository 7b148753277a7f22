// `gs data fetch` with broker = ib, as a user runs it, against the fake TWS: history comes
// through the IB adapter's historicalBars into the SQLite cache, and a rerun resumes.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { FakeTws } from "../fake-tws/index.ts";
import type { FakeBar } from "../fake-tws/index.ts";
import { MAIN_TS, makeTempDir } from "./cli/run-gs.ts";

const SESSION_BARS = 78; // 09:30-16:00 in 5-minute bars
const OPENS_UTC_MS = [Date.UTC(2024, 2, 26, 13, 30), Date.UTC(2024, 2, 27, 13, 30)];

let tws: FakeTws;
let temp: ReturnType<typeof makeTempDir>;

function sessionBars(openMs: number): FakeBar[] {
  return Array.from({ length: SESSION_BARS }, (_, i) => ({
    time: String((openMs + i * 300_000) / 1000), open: 520, high: 520.5, low: 519.5, close: 520.25, volume: 1_000, wap: 520.1, barCount: 40,
  }));
}

async function gs(args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith("GS_")) env[name] = value;
  const settings = ["--set", "broker=ib", "--set", `ib.port=${tws.port}`, "--set", `status.sqlite.path=${join(temp.dir, "gs.db")}`, "--set", `status.spool_path=${join(temp.dir, "spool.jsonl")}`];
  const proc = Bun.spawn(["bun", MAIN_TS, ...args, ...settings], { cwd: temp.dir, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

beforeEach(async () => {
  tws = new FakeTws();
  await tws.start(0);
  tws.historicalBars.set("SPY", OPENS_UTC_MS.flatMap(sessionBars));
  temp = makeTempDir("gs-ib-fetch-");
});

afterEach(async () => {
  await tws.stop();
  expect(tws.protocolErrors).toEqual([]);
  temp.remove();
});

test("gs data fetch caches two sessions of 5-minute bars from TWS, and a rerun finds them cached", async () => {
  const first = await gs(["data", "fetch", "SPY", "--from", "2024-03-26", "--to", "2024-03-27", "--bar", "5m"]);
  expect(first.exitCode).toBe(0);
  expect(first.stdout).toContain(`cached ${2 * SESSION_BARS} 5m bars of SPY in 1 request(s)`);
  expect(tws.requestsOf("req_historical_data").map((r) => r.request)).toMatchObject([{ barSize: "5 mins", whatToShow: "TRADES", regularHoursOnly: true, formatDate: 2 }]);

  const again = await gs(["data", "fetch", "SPY", "--from", "2024-03-26", "--to", "2024-03-27", "--bar", "5m"]);
  expect(again.exitCode).toBe(0);
  expect(again.stdout).toContain("cached 0 5m bars of SPY in 0 request(s); 1 window(s) were already cached");
  expect(tws.requestsOf("req_historical_data")).toHaveLength(1);
}, 30_000);
