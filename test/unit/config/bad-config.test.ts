import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync } from "node:fs";
import { UserError } from "../../../src/config/user-error.ts";
import { loadError, makeSandbox } from "./config-fixture.ts";

const sandbox = makeSandbox();
afterAll(() => sandbox.remove());

describe("a bad config file names the file, the key, the value found and what was expected", () => {
  test.each([
    ["unknown key", "[hedge]\ntreshold_shares = 30\n", "hedge.treshold_shares", "is not a known key (did you mean hedge.threshold_shares?)"],
    ["unknown section", "[hedging]\nthreshold_shares = 30\n", "hedging", "is not a known key (did you mean hedge?)"],
    ["wrong type", "[hedge]\ncooldown_s = \"60s\"\n", "hedge.cooldown_s", 'was "60s", expected a number from 0 to 86400'],
    ["TOML nan", "[hedge]\ncooldown_s = nan\n", "hedge.cooldown_s", "was nan, expected a number from 0 to 86400"],
    ["TOML inf", "[hedge]\ncooldown_s = inf\n", "hedge.cooldown_s", "was inf, expected a number from 0 to 86400"],
    ["TOML -inf", "[hedge]\ncooldown_s = -inf\n", "hedge.cooldown_s", "was -inf, expected a number from 0 to 86400"],
    ["float for an integer", "[ib]\nclient_id = 1.5\n", "ib.client_id", "was 1.5, expected an integer from 0 to 2147483647"],
    ["out of range", "[guards]\nmax_daily_hedges = -1\n", "guards.max_daily_hedges", "was -1, expected an integer from 0 to 100000"],
    ["bad enum", 'broker = "alpaca"\n', "broker", 'was "alpaca", expected one of "sim", "ib"'],
    ["section given a value", "hedge = 5\n", "hedge", "was 5, expected a table [hedge]"],
    ["table given for a value", "[status.sink]\nkind = 1\n", "status.sink", "was a table, expected one of"],
    ["list item pattern", '[guards]\nearnings_dates = ["30/01/2025"]\n', "guards.earnings_dates", 'was ["30/01/2025"], expected a list of dates'],
    ["pattern with a hint", '[status]\ndaemon_id = "gs 1"\n', "status.daemon_id", "expected 1 to 64 letters, digits, '.', '_' or '-'"],
    ["another config format", "[meta]\nschema_version = 2\n", "meta.schema_version", "was 2, expected 1 (the config format this gs reads)"],
  ])("%s", (_name, text, keyPath, expected) => {
    const path = sandbox.write("bad.toml", text);
    const error = loadError({ configPath: path });
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.keyPath).toBe(keyPath);
    expect(error.message).toContain(`${path}: ${keyPath} `);
    expect(error.message).toContain(expected);
  });

  test("bad TOML reports the line and its key", () => {
    const path = sandbox.write("syntax.toml", 'broker = "sim"\n\n[hedge]\nthreshold_shares = = 30\ncooldown_s = 5\n');
    const error = loadError({ configPath: path });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(`${path}: line 4 (key hedge.threshold_shares) is not valid TOML`);
  });

  test.each([
    ["unterminated token", '[server]\ntoken = "s3cr3t-hunter2\n', "line 2 (key server.token) is not valid TOML (Unterminated string"],
    ["unquoted database URL", "[status.postgres]\nurl = postgres://gs:hunter2@db/gs\n", "line 2 (key status.postgres.url) is not valid TOML (Strings must be quoted)"],
    ["unquoted token", "[server]\ntoken = hunter2\n", "line 2 (key server.token) is not valid TOML (Strings must be quoted)"],
  ])("bad TOML never echoes the value, which may be a secret: %s", (_name, text, expected) => {
    const path = sandbox.write("secret-syntax.toml", text);
    const error = loadError({ configPath: path });
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("hunter2");
  });

  test("bad TOML after a multi-line list still points at the right line", () => {
    const path = sandbox.write("multiline.toml", '[guards]\nearnings_dates = [\n  "2025-01-30",\n  "2025-04-24",\n]\nmax_daily_hedges = 5 5\n');
    expect(loadError({ configPath: path }).message).toContain("line 6 (key guards.max_daily_hedges) is not valid TOML");
  });

  test("a missing file is an error when named explicitly", () => {
    const path = `${sandbox.dir}/absent.toml`;
    const error = loadError({ configPath: path });
    expect(error.message).toContain(`${path}: cannot be read (no such file), expected a readable TOML file`);
  });

  test("a directory is not a config file", () => {
    expect(loadError({ configPath: sandbox.dir }).message).toContain("cannot be read (it is a directory)");
  });

  // root reads any file regardless of its mode, so this case only runs for other users.
  test.skipIf(process.getuid?.() === 0)("an unreadable file is reported (skipped as root)", () => {
    const path = sandbox.write("secret.toml", "broker = \"sim\"\n");
    chmodSync(path, 0o000);
    expect(loadError({ configPath: path }).message).toContain("cannot be read (permission denied)");
  });

  test("every problem is reported at once, from every source", () => {
    const path = sandbox.write(
      "many.toml",
      ['broker = "paper"', "[hedge]", "treshold_shares = 30", "min_shares = 0", "[server]", "port = 70000"].join("\n"),
    );
    const error = loadError({
      configPath: path,
      env: { GS_IB_PORT: "seven", GS_GUARDS_TRADING_HOURS_ONLY: "maybe" },
      overrides: ["hedge.policy=wide", "nonsense"],
    });
    expect(error.problems.map((problem) => problem.keyPath).sort()).toEqual(
      ["broker", "guards.trading_hours_only", "hedge.min_shares", "hedge.policy", "hedge.treshold_shares", "ib.port", "server.port", null].sort(),
    );
    expect(error.message).toContain("invalid configuration (8 problems)");
    expect(error.message).toContain('env GS_IB_PORT: ib.port was "seven", expected an integer from 1 to 65535');
    expect(error.message).toContain('env GS_GUARDS_TRADING_HOURS_ONLY: guards.trading_hours_only was "maybe", expected true or false');
    expect(error.message).toContain('--set: was "nonsense", expected KEY=VALUE');
  });

  test("a bad secret is reported without printing it", () => {
    const error = loadError({ env: { GS_SERVER_TOKEN: "" }, overrides: ["server.port=1", "server.token_file=/x"], configPath: sandbox.write("s.toml", "[server]\ntoken = 12345678\n") });
    expect(error.message).toContain("server.token was a hidden number, expected a string");
    expect(error.message).not.toContain("12345678");
  });
});
