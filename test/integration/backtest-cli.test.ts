// `gs backtest` as a user runs it: a separate process in an empty directory, the real
// SQLite sink on disk, files written where asked; bad input exits 2 with a clear message.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import { MAIN_TS, makeTempDir, PROJECT_ROOT, projectBuildCommand, runGs } from "./cli/run-gs.ts";

const temp = makeTempDir("gs-backtest-cli-");
afterAll(() => temp.remove());
const gs = (args: readonly string[]) => runGs(["bun", MAIN_TS], ["backtest", ...args], { cwd: temp.dir });
const JULY = ["--from", "2024-07-01", "--to", "2024-07-31"];

interface JsonSummary {
  readonly runId: string;
  readonly configHash: string;
  readonly dataFingerprint: string;
  readonly fromDay: string;
  readonly toDay: string;
  readonly pnl: Record<string, number>;
  readonly hedges: number;
  readonly months: readonly { month: string }[];
  readonly guards: { readonly violations: readonly unknown[]; readonly checkedOrders: number };
}

describe("gs backtest", () => {
  test("--json: a month of the bundled sample, attribution adds up, zero guard violations", () => {
    const run = gs([...JULY, "--json", "--no-save"]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const summary = JSON.parse(run.stdout) as JsonSummary;
    expect(summary.fromDay).toBe("2024-07-01");
    expect(summary.toDay).toBe("2024-07-31");
    const p = summary.pnl as Record<string, number>;
    const parts = (p.scalpingUsd as number) + (p.thetaUsd as number) + (p.vegaUsd as number) - (p.hedgeSlippageUsd as number) - (p.rollCostsUsd as number) - (p.commissionsUsd as number);
    expect(p.totalUsd as number).toBeCloseTo(parts, 6);
    expect(summary.hedges).toBeGreaterThan(10);
    expect(summary.guards.violations).toEqual([]);
    expect(summary.months.map((m) => m.month)).toEqual(["2024-07"]);
  });

  test("--from before the data is clamped and said so", () => {
    const run = gs(["--from", "2024-01-01", "--to", "2024-04-05", "--no-save"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("data starts 2024-03-26, after the requested --from 2024-01-01");
    expect(run.stdout).toContain("Guard verification:");
    expect(run.stdout).toContain("0 violations");
  });

  test("the run is recorded in the sink's backtest_runs", async () => {
    const db = join(temp.dir, "runs.db");
    const run = gs([...JULY, "--set", `status.sqlite.path=${db}`, "--set", `status.spool_path=${join(temp.dir, "spool.ndjson")}`]);
    expect(run.exitCode).toBe(0);
    const runId = /run (bt-\S+) recorded/.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();
    const sink = SqliteSink.open({ path: db });
    try {
      const rows = await sink.listBacktestRuns(10);
      expect(rows.map((row) => row.runId)).toContain(runId as string);
      expect(rows[0]?.fromDay).toBe("2024-07-01");
    } finally {
      await sink.close();
    }
  });

  test("--log writes one line per decision after a header with the config hash and data fingerprint", () => {
    const jsonl = join(temp.dir, "decisions.jsonl");
    const csv = join(temp.dir, "decisions.csv");
    const json = JSON.parse(gs([...JULY, "--no-save", "--json", "--log", jsonl]).stdout) as JsonSummary;
    const lines = readFileSync(jsonl, "utf8").trim().split("\n");
    const header = JSON.parse(lines[0] as string) as { type: string; configHash: string; dataFingerprint: string };
    expect(header).toMatchObject({ type: "header", configHash: json.configHash, dataFingerprint: json.dataFingerprint });
    const decisions = lines.slice(1).map((line) => JSON.parse(line) as { decision: string; order: unknown });
    expect(decisions.length).toBe(22 * 78 - 36); // July 2024: 22 sessions, one 13:00 early close
    expect(decisions.filter((d) => d.order !== null).length).toBe(json.hedges);
    gs([...JULY, "--no-save", "--log", csv]);
    const csvLines = readFileSync(csv, "utf8").trim().split("\n");
    expect(csvLines[0]).toContain(`configHash=${json.configHash}`);
    expect(csvLines[1]).toStartWith("ts,ts_ms,spot,bid,ask,delta_shares,decision,code");
    expect(csvLines.length).toBe(2 + decisions.length);
  });

  test("--html writes one self-contained page with the three charts", () => {
    const path = join(temp.dir, "report.html");
    const run = gs([...JULY, "--no-save", "--html", path]);
    expect(run.exitCode).toBe(0);
    const html = readFileSync(path, "utf8");
    expect(html.match(/<svg /g)?.length).toBe(3);
    for (const title of ["Equity curve", "PnL attribution over time", "Delta and hedge position"]) expect(html).toContain(title);
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  test("an --html file that fails to write at the end (disk full) loses neither the run nor the report: exit 1, run recorded", async () => {
    const db = join(temp.dir, "full.db");
    const run = gs([...JULY, "--html", "/dev/full", "--set", `status.sqlite.path=${db}`, "--set", `status.spool_path=${join(temp.dir, "full-spool.ndjson")}`]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("gs: --html report not written to '/dev/full': ENOSPC");
    expect(run.stderr).not.toContain("unexpected error");
    const runId = /run (bt-\S+) recorded/.exec(run.stdout)?.[1];
    const sink = SqliteSink.open({ path: db });
    try {
      expect((await sink.listBacktestRuns(10)).map((row) => row.runId)).toEqual([runId as string]);
    } finally {
      await sink.close();
    }
  });

  test("checking that an output file can be written leaves no file behind", () => {
    const path = join(temp.dir, "never-written.html");
    expect(gs(["--from", "2024-07-04", "--to", "2024-07-04", "--no-save", "--html", path]).exitCode).toBe(2);
    expect(existsSync(path)).toBe(false);
  });

  test("checking an output path that is a symbolic link keeps the link, creates nothing and changes no file", () => {
    const noBars = ["--from", "2024-07-04", "--to", "2024-07-04", "--no-save"];
    const dangling = join(temp.dir, "report-link.html");
    const target = join(temp.dir, "report-target.html");
    symlinkSync(target, dangling);
    expect(gs([...noBars, "--html", dangling]).stderr).toContain("no bars between");
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(existsSync(target)).toBe(false);
    const kept = join(temp.dir, "kept.jsonl");
    writeFileSync(kept, "an earlier log\n");
    const live = join(temp.dir, "log-link.jsonl");
    symlinkSync(kept, live);
    expect(gs([...noBars, "--log", live]).stderr).toContain("no bars between");
    expect(readFileSync(live, "utf8")).toBe("an earlier log\n");
    const loop = join(temp.dir, "loop.html");
    symlinkSync(loop, loop);
    const looped = gs([...noBars, "--html", loop]);
    expect(looped.exitCode).toBe(2);
    expect(looped.stderr).toContain(`--html was '${loop}', which cannot be written (`);
    expect(lstatSync(loop).isSymbolicLink()).toBe(true);
  });

  test("--sweep runs the grid on workers and prints a ranked table", async () => {
    const db = join(temp.dir, "sweep.db");
    const run = gs([...JULY, "--sweep", "hedge.threshold_shares=25,50", "--sweep", "backtest.contracts=5,10", "--workers", "2", "--set", `status.sqlite.path=${db}`, "--set", `status.spool_path=${join(temp.dir, "sweep-spool.ndjson")}`]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("4 runs on 2 worker(s)");
    const rows = run.stdout.split("\n").filter((line) => /^\d+\s{2,}/.test(line));
    expect(rows.length).toBe(4);
    const totals = rows.map((line) => Number((line.split(/\s{2,}/)[3] as string).replace(/[$,]/g, "")));
    expect([...totals].sort((a, b) => b - a)).toEqual(totals);
    const sink = SqliteSink.open({ path: db });
    try {
      expect((await sink.listBacktestRuns(10)).length).toBe(4);
    } finally {
      await sink.close();
    }
  });
});

describe("gs backtest with bad input exits 2 with a clear message", () => {
  const malformed = join(temp.dir, "malformed.csv");
  writeFileSync(malformed, "timestamp,open,high,low,close,volume\n2024-07-01 13:30:00Z,1,1,1,1,1\n2024-07-01 13:35:00Z,x,1,1,1,1\n2024-07-01 13:40:00Z,1,1\n");
  test.each([
    [["--from", "2024-08-01", "--to", "2024-07-01"], "--from 2024-08-01 is after --to 2024-07-01"],
    [["--from", "2024-07-04", "--to", "2024-07-04"], "no bars between 2024-07-04 and 2024-07-04"],
    [["--from", "2023-01-01", "--to", "2023-12-31"], "the data (bundled SPY"],
    [["--set", "strategy.symbol=QQQ"], "unknown symbol QQQ for the bundled sample"],
    [["--data", "/nonexistent/bars.csv"], "data file '/nonexistent/bars.csv' does not exist"],
    [["--data", malformed], "line 3: open was not a number"],
    [["--data", malformed], "line 4: 3 fields, expected 6"],
    [["--data", "gbm:seed=1"], "gbm spec 'seed=1' has no vol="],
    [["--data", "gbm:seed=1,vol=0.2,bar=1s,days=25200"], "gbm path of 25200 days of 1s bars was 589,680,000 bars, expected at most 10,000,000 (a backtest of that many takes about 3 GB of memory)"],
    [["--iv", "-3"], "--iv was '-3'"],
    [["--set", "backtest.contracts=0"], "backtest.contracts was '0'"],
    [["--sweep", "hedge.threshold_shares"], "--sweep was 'hedge.threshold_shares', expected key=v1,v2"],
    [["--from", "2024-13-01"], "--from was '2024-13-01', expected a date YYYY-MM-DD"],
    [["--data", "cache:1m"], "no 1m bars of SPY cached for this range; fetch them with gs data fetch SPY"],
    [["--log", "/nonexistent-gs-dir/decisions.jsonl"], "--log was '/nonexistent-gs-dir/decisions.jsonl', but the directory /nonexistent-gs-dir does not exist"],
    [["--html", "/tmp"], "--html was '/tmp', which is a directory"],
    [["--log", "/proc/self/decisions.jsonl"], "--log was '/proc/self/decisions.jsonl', which cannot be written (ENOENT: no such file or directory); expected a writable file path"],
    [["--html", "/proc/self/report.html"], "--html was '/proc/self/report.html', which cannot be written (ENOENT: no such file or directory); expected a writable file path"],
  ])("%p", (args, message) => {
    const run = gs([...args, "--no-save"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test("a sweep on bad data says so once, before any run", () => {
    const run = gs(["--data", "/nonexistent/bars.csv", "--sweep", "hedge.threshold_shares=25,50,75", "--no-save"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split("data file '/nonexistent/bars.csv' does not exist").length).toBe(2);
    expect(run.stderr).not.toContain("every sweep combination was rejected");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test("a sweep key typo is named once, with its fix, before any run", () => {
    const run = gs(["--sweep", "hedge.threshold_shares=25,50", "--sweep", "guards.min_price_move_pct=0,0.05,0.1", "--no-save"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split("guards.min_price_move_pct is not a known key (did you mean hedge.min_price_move_pct?)").length).toBe(2);
    expect(run.stdout).toBe("");
  });
});

describe("gs data", () => {
  test("fetch needs the IB broker; bad symbols and dates are named", () => {
    const data = (args: readonly string[]) => runGs(["bun", MAIN_TS], ["data", ...args], { cwd: temp.dir });
    expect(data(["fetch", "SPY", "--from", "2024-01-01"]).stderr).toContain('gs data fetch needs broker = "ib" (was "sim")');
    const lower = data(["fetch", "spy", "--from", "2024-01-01"]);
    expect(lower.exitCode).toBe(2);
    expect(lower.stderr).toContain("symbol was 'spy', expected an upper-case ticker");
    expect(data(["fetch", "SPY", "--from", "2024-02-30", "--set", "broker=ib"]).stderr).toContain("--from was '2024-02-30'");
    const show = data(["show", "SPY", "--bar", "1m"]);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toContain("no 1m bars of SPY cached");
  });
});

describe("the compiled binary", () => {
  test("runs a sweep on workers (the binary is its own worker entry)", () => {
    const build = makeTempDir("gs-backtest-binary-");
    try {
      const binary = join(build.dir, "gs");
      const compile = Bun.spawnSync(projectBuildCommand(binary), { cwd: PROJECT_ROOT, stdout: "pipe", stderr: "pipe" });
      expect(compile.exitCode).toBe(0);
      const run = runGs([binary], ["backtest", ...JULY, "--no-save", "--sweep", "hedge.threshold_shares=25,50", "--workers", "2"], { cwd: build.dir });
      expect(run.stderr).toBe("");
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain("2 runs on 2 worker(s)");
    } finally {
      build.remove();
    }
  }, 120_000);
});
