import { afterAll, describe, expect, test } from "bun:test";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { CONFIG_LEAVES, envNameFor } from "../../../src/config/schema-leaves.ts";
import { loadError, makeSandbox } from "./config-fixture.ts";

const sandbox = makeSandbox();
afterAll(() => sandbox.remove());

describe("environment variable rule: GS_ + key path upper-cased, dots as underscores", () => {
  test.each([
    ["status.sqlite.path", "GS_STATUS_SQLITE_PATH"],
    ["server.token", "GS_SERVER_TOKEN"],
    ["ib.client_id", "GS_IB_CLIENT_ID"],
    ["broker", "GS_BROKER"],
  ])("%s -> %s", (keyPath, envName) => {
    expect(envNameFor(keyPath)).toBe(envName);
    expect(CONFIG_LEAVES.find((leaf) => leaf.keyPath === keyPath)?.envName).toBe(envName);
  });

  test("no two keys share an environment variable", () => {
    const names = CONFIG_LEAVES.map((leaf) => leaf.envName);
    expect(new Set(names).size).toBe(names.length);
  });

  test("every key can be set from the environment", () => {
    const defaults = defaultConfig() as unknown as Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    for (const leaf of CONFIG_LEAVES) {
      let value: unknown = defaults;
      for (const segment of leaf.segments) value = (value as Readonly<Record<string, unknown>>)[segment];
      const text = Array.isArray(value) ? value.join(",") : String(value);
      const loaded = loadConfig({ env: { [leaf.envName]: text }, cwd: sandbox.dir });
      expect(loaded.sources.get(leaf.keyPath)).toEqual({ type: "env", name: leaf.envName });
    }
  });

  test("values are parsed by the key's type", () => {
    const { config, sources } = loadConfig({
      cwd: sandbox.dir,
      env: {
        GS_IB_CLIENT_ID: "12",
        GS_STRATEGY_FALLBACK_VOL: " 0.35 ",
        GS_GUARDS_TRADING_HOURS_ONLY: "false",
        GS_IB_ACCEPT_DELAYED: "yes",
        GS_GUARDS_EARNINGS_DATES: "2025-01-30, 2025-04-24",
        GS_BROKER: "ib",
        GS_STATUS_SQLITE_PATH: "/data/gs.db",
        GS_HEDGE_MAX_SHARES_PER_ORDER: "1_000",
      },
    });
    expect(config.ib.client_id).toBe(12);
    expect(config.strategy.fallback_vol).toBe(0.35);
    expect(config.guards.trading_hours_only).toBe(false);
    expect(config.ib.accept_delayed).toBe(true);
    expect(config.guards.earnings_dates).toEqual(["2025-01-30", "2025-04-24"]);
    expect(config.broker).toBe("ib");
    expect(config.status.sqlite.path).toBe("/data/gs.db");
    expect(config.hedge.max_shares_per_order).toBe(1000);
    expect(sources.get("ib.client_id")).toEqual({ type: "env", name: "GS_IB_CLIENT_ID" });
  });

  test("an empty list variable means an empty list; an empty number is an error", () => {
    expect(loadConfig({ cwd: sandbox.dir, env: { GS_GUARDS_EARNINGS_DATES: "" } }).config.guards.earnings_dates).toEqual([]);
    expect(loadError({ cwd: sandbox.dir, env: { GS_IB_PORT: "" } }).message).toContain('ib.port was "", expected an integer');
  });

  test("a GS_ variable inside a config section that names no key is a warning, others are ignored", () => {
    const loaded = loadConfig({ cwd: sandbox.dir, env: { GS_HEDGE_TRESHOLD_SHARES: "5", GS_DEBUG: "1", GS_TEST_PG_URL: "postgres://x" } });
    expect(loaded.warnings).toEqual(["env GS_HEDGE_TRESHOLD_SHARES does not name a config key and is ignored (did you mean GS_HEDGE_THRESHOLD_SHARES?)"]);
    expect(loaded.config.hedge.threshold_shares).toBe(25);
  });
});

describe("precedence: --set > environment > file > default", () => {
  const file = sandbox.write("layers.toml", "[hedge]\nthreshold_shares = 30\ncooldown_s = 90\nmin_shares = 12\n");

  test("each layer wins over the ones below it, and each value's source is recorded", () => {
    const { config, sources } = loadConfig({
      cwd: sandbox.dir,
      configPath: file,
      env: { GS_HEDGE_THRESHOLD_SHARES: "40", GS_HEDGE_COOLDOWN_S: "45" },
      overrides: ["hedge.threshold_shares=50"],
    });
    expect(config.hedge.threshold_shares).toBe(50);
    expect(config.hedge.cooldown_s).toBe(45);
    expect(config.hedge.min_shares).toBe(12);
    expect(config.hedge.forced_delta).toBe(500);
    expect(sources.get("hedge.threshold_shares")).toEqual({ type: "flag", text: "hedge.threshold_shares=50" });
    expect(sources.get("hedge.cooldown_s")).toEqual({ type: "env", name: "GS_HEDGE_COOLDOWN_S" });
    expect(sources.get("hedge.min_shares")).toEqual({ type: "file", path: file });
    expect(sources.get("hedge.forced_delta")).toEqual({ type: "default" });
  });

  test("a later --set of the same key wins", () => {
    const { config } = loadConfig({ cwd: sandbox.dir, env: {}, overrides: ["hedge.cooldown_s=1", "hedge.cooldown_s=2"] });
    expect(config.hedge.cooldown_s).toBe(2);
  });

  test("file choice: --config over GS_CONFIG over ./gs.toml over none", () => {
    const dir = makeSandbox();
    try {
      expect(loadConfig({ cwd: dir.dir, env: {} }).filePath).toBeNull();
      const local = dir.write("gs.toml", "[hedge]\ncooldown_s = 1\n");
      expect(loadConfig({ cwd: dir.dir, env: {} }).filePath).toBe(local);
      const fromEnv = dir.write("env.toml", "[hedge]\ncooldown_s = 2\n");
      expect(loadConfig({ cwd: dir.dir, env: { GS_CONFIG: fromEnv } }).config.hedge.cooldown_s).toBe(2);
      const fromFlag = dir.write("flag.toml", "[hedge]\ncooldown_s = 3\n");
      const loaded = loadConfig({ cwd: dir.dir, env: { GS_CONFIG: fromEnv }, configPath: "flag.toml" });
      expect(loaded.filePath).toBe(fromFlag);
      expect(loaded.config.hedge.cooldown_s).toBe(3);
    } finally {
      dir.remove();
    }
  });

  test("with no file and no environment the config is exactly the defaults", () => {
    const loaded = loadConfig({ cwd: sandbox.dir, env: {} });
    expect(loaded.config).toEqual(defaultConfig());
    expect(Object.isFrozen(loaded.config.hedge)).toBe(true);
  });
});
