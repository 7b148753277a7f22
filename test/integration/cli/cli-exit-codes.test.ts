import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN_TS, makeTempDir, runGs } from "./run-gs.ts";

const temp = makeTempDir("gs-cli-test-");
afterAll(() => temp.remove());
const gs = (args: readonly string[], env: Readonly<Record<string, string>> = {}) => runGs(["bun", MAIN_TS], args, { cwd: temp.dir, env });

const SUBCOMMANDS = ["daemon", "serve", "status", "ctl", "backtest", "data", "stats", "check", "init", "migrate"];

describe("gs command line", () => {
  test("--help lists every subcommand with a one-line description, exit 0", () => {
    const run = gs(["--help"]);
    expect(run.exitCode).toBe(0);
    for (const name of SUBCOMMANDS) expect(run.stdout).toMatch(new RegExp(`^\\s+${name}\\s{2,}\\S.+$`, "m"));
  });

  test("--version prints the package version", () => {
    const run = gs(["--version"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(join(import.meta.dir, "../../../package.json"), "utf8")) as { version: string }).version);
  });

  test.each([
    [[], "gs needs a command"],
    [["deamon"], 'unknown command "deamon" for gs'],
    [["check", "confg"], 'unknown command "confg" for gs check'],
    [["check"], "gs check needs a command"],
    [["check", "config", "--bogus"], "unknown option --bogus for gs check config"],
    [["check", "config", "--config"], "option --config needs a value"],
    [["init", "a.toml", "b.toml"], 'unexpected argument "b.toml" for gs init'],
    [["ctl", "flatten", "--confirm=no", "--no-wait"], 'option --confirm was given "no", expected no value, true or false'],
    [["ctl", "flatten", "--confirm=0", "--no-wait"], 'option --confirm was given "0", expected no value, true or false'],
    [["ctl", "stop", "--wait=no"], 'option --wait was given "no", expected no value, true or false'],
    [["ctl", "stop", "--no-wait=false"], "option --no-wait takes no value, was --no-wait=false"],
    [["status", "--json=0"], 'option --json was given "0", expected no value, true or false'],
    [["backtest", "--save=no"], 'option --save was given "no", expected no value, true or false'],
    [["backtest", "--NO-SAVE"], "unknown option --NO-SAVE for gs backtest (did you mean --no-save?)"],
    [["status", "--JSON"], "unknown option --JSON for gs status (did you mean --json?)"],
    [["status", "--no_json"], "unknown option --no_json for gs status (did you mean --no-json?)"],
    [["backtest", "--dataTz=UTC"], "unknown option --dataTz for gs backtest (did you mean --data-tz?)"],
    [["serve", "--tokn=secret-value"], "unknown option --tokn for gs serve"],
  ])("usage error %p: short message and usage on stderr, exit 2", (args, message) => {
    const run = gs(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(`gs: ${message}`);
    expect(run.stderr).toContain("USAGE");
    expect(run.stdout).toBe("");
  });

  test("a bad config exits 2 listing every problem, without a stack trace", () => {
    const path = join(temp.dir, "bad.toml");
    writeFileSync(path, "[guards]\nmax_daily_hedges = -1\n[hedge]\ntreshold_shares = 1\n");
    const run = gs(["check", "config", "--config", path], { GS_IB_PORT: "x" });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("invalid configuration (3 problems)");
    expect(run.stderr).toContain(`${path}: guards.max_daily_hedges was -1, expected an integer from 0 to 100000`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test("check config shows values with sources and never prints secrets", () => {
    const run = gs(["check", "config", "--set", "hedge.cooldown_s=30", "--set=ib.port=4002"], {
      GS_SERVER_TOKEN: "tok-hunter2-0123456789",
      GS_STATUS_POSTGRES_URL: "postgres://gs:pw-hunter2@db:5432/gs",
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("cooldown_s = 30  # --set hedge.cooldown_s=30");
    expect(run.stdout).toContain("port = 4002  # --set ib.port=4002");
    expect(run.stdout).toContain('token = "****"  # env GS_SERVER_TOKEN');
    expect(run.stdout).toContain('url = "postgres://gs:****@db:5432/gs"  # env GS_STATUS_POSTGRES_URL');
    expect(run.stdout).toContain("threshold_shares = 25  # default");
    expect(run.stdout).not.toContain("hunter2");
    const json = JSON.parse(gs(["check", "config", "--json"], { GS_SERVER_TOKEN: "tok-hunter2-0123456789" }).stdout) as {
      keys: Record<string, { value: unknown; source: string }>;
    };
    expect(json.keys["server.token"]).toEqual({ value: "****", source: "env GS_SERVER_TOKEN" });
  });

  test("check config refuses the files gs serve and gs daemon would refuse: a missing sim CSV, a token file others can read", () => {
    const tokenFile = join(temp.dir, "token");
    writeFileSync(tokenFile, "file-token-0123456789\n");
    chmodSync(tokenFile, 0o644);
    const missingCsv = join(temp.dir, "absent.csv");
    const run = gs(["check", "config", "--set", "sim.source=csv", "--set", `sim.csv_path=${missingCsv}`, "--set", `server.token_file=${tokenFile}`]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("invalid configuration (2 problems)");
    expect(run.stderr).toContain(`--set server.token_file=${tokenFile}: server.token_file ${tokenFile} had mode 0644, expected 0600`);
    expect(run.stderr).toContain(`--set sim.csv_path=${missingCsv}: data file '${missingCsv}' does not exist`);
    chmodSync(tokenFile, 0o600);
    expect(gs(["check", "config", "--set", `server.token_file=${tokenFile}`]).exitCode).toBe(0);
  });

  test("an unusable token file or spool path is a config problem (exit 2) in check config and in serve, not an unexpected error", () => {
    const tokenDir = join(temp.dir, "token-dir");
    mkdirSync(tokenDir, { mode: 0o700 });
    const spoolPath = "/proc/no-such-dir/spool.ndjson";
    const check = gs(["check", "config", "--set", `server.token_file=${tokenDir}`, "--set", `status.spool_path=${spoolPath}`]);
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain("invalid configuration (2 problems)");
    expect(check.stderr).toContain(`--set server.token_file=${tokenDir}: server.token_file ${tokenDir} was a directory, expected a file holding the token`);
    expect(check.stderr).toContain(`--set status.spool_path=${spoolPath}: status.spool_path ${spoolPath} could not be set up (ENOENT`);
    const serve = gs(["serve", "--set", `server.token_file=${tokenDir}`]);
    expect(serve.exitCode).toBe(2);
    expect(serve.stderr).toContain(`server.token_file ${tokenDir} was a directory`);
    expect(serve.stderr).not.toContain("unexpected error");
  });

  test("check config leaves no directory behind for a spool path it set up", () => {
    const dir = join(temp.dir, "spool-check");
    mkdirSync(dir);
    const run = runGs(["bun", MAIN_TS], ["check", "config", "--set", "status.spool_path=deep/er/spool.ndjson"], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("check config leaves a dead process's spool where it is: its rows are the next sink open's to replay", () => {
    const dir = join(temp.dir, "spool-orphan");
    mkdirSync(join(dir, "var"), { recursive: true });
    const orphan = join(dir, "var", "gs-spool.999999.ndjson"); // a sibling spool whose process is gone
    const rows = `${JSON.stringify({ seq: 1, write: { kind: "operation", row: { opId: "x" } } })}\n`;
    writeFileSync(orphan, rows);
    const run = runGs(["bun", MAIN_TS], ["check", "config"], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(readFileSync(orphan, "utf8")).toBe(rows);
    expect(readdirSync(join(dir, "var")).sort()).toEqual(["gs-spool.999999.ndjson"]);
  });

  test.each(["status", "stats", "ctl stop --no-wait", "data show SPY"])(
    "gs %s from a directory without the daemon's SQLite database refuses (exit 2) instead of creating an empty one",
    (command) => {
      const args = command.split(" ");
      const dir = join(temp.dir, `elsewhere-${args[0]}`);
      mkdirSync(dir);
      const run = runGs(["bun", MAIN_TS], args, { cwd: dir });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`status.sqlite.path was var/gs.db (${join(dir, "var/gs.db")}), which does not exist: expected the database gs daemon writes; run from the daemon's working directory or pass --config`);
      expect(existsSync(join(dir, "var"))).toBe(false);
    },
  );

  test("init writes a config that check config accepts, and refuses to overwrite it without --force", () => {
    const first = gs(["init"]);
    expect(first.exitCode).toBe(0);
    expect(existsSync(join(temp.dir, "gs.toml"))).toBe(true);
    const check = gs(["check", "config"]);
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toContain(`# file: ${join(temp.dir, "gs.toml")}`);
    const again = gs(["init"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("already exists, expected a new path (or --force to overwrite it)");
    expect(gs(["init", "--force"]).exitCode).toBe(0);
  });
});
