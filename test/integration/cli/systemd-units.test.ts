// The shipped unit files must give a clean, bounded, graceful stop and a dedicated user.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeTempDir } from "./run-gs.ts";

const SYSTEMD_DIR = resolve(import.meta.dir, "../../../systemd");

type UnitFile = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

function parseUnit(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const equals = line.indexOf("=");
    if (current === undefined || equals < 0) throw new Error(`not a unit file line: ${raw}`);
    const key = line.slice(0, equals);
    current.set(key, [...(current.get(key) ?? []), line.slice(equals + 1)]);
  }
  return sections;
}

const value = (unit: UnitFile, section: string, key: string) => unit.get(section)?.get(key)?.at(-1);

const systemdAnalyze = Bun.which("systemd-analyze");

describe.each([
  ["gs-daemon.service", "daemon"],
  ["gs-serve.service", "serve"],
])("%s", (file, subcommand) => {
  const text = readFileSync(join(SYSTEMD_DIR, file), "utf8");
  const unit = parseUnit(text);

  test("runs the installed gs with the system config as a dedicated user", () => {
    expect(value(unit, "Service", "ExecStart")).toBe(`/usr/local/bin/gs ${subcommand} --config /etc/gs/gs.toml`);
    expect(value(unit, "Service", "User")).toBe("gs");
    expect(value(unit, "Service", "WorkingDirectory")).toBe("/var/lib/gs");
  });

  test("tells systemd when it is up and is restarted when its event loop stops pinging the watchdog", () => {
    expect(value(unit, "Service", "Type")).toBe("notify");
    expect(value(unit, "Service", "NotifyAccess")).toBe("main");
    expect(value(unit, "Service", "WatchdogSec")).toBe("30");
  });

  test("stops gracefully: SIGTERM to the main process, bounded before SIGKILL", () => {
    expect(value(unit, "Service", "KillSignal")).toBe("SIGTERM");
    expect(value(unit, "Service", "KillMode")).toBe("mixed");
    // The daemon's graceful stop is bounded at about 14 s (a hanging database); systemd must wait longer than that.
    expect(Number(value(unit, "Service", "TimeoutStopSec"))).toBeGreaterThan(14);
    expect(value(unit, "Service", "TimeoutStopSec")).toBe("30");
  });

  test("restarts after a crash but not after a configuration error (exit 2)", () => {
    expect(value(unit, "Service", "Restart")).toBe("on-failure");
    expect(value(unit, "Service", "RestartPreventExitStatus")).toBe("2");
    expect(value(unit, "Install", "WantedBy")).toBe("multi-user.target");
  });

  test("an operator's second SIGTERM or SIGINT (exit 143 or 130) is a clean stop: no restart 5 s later", () => {
    expect(value(unit, "Service", "SuccessExitStatus")?.split(/\s+/).sort()).toEqual(["130", "143"]);
  });

  test.skipIf(systemdAnalyze === null)("systemd-analyze verify reports nothing (skipped where systemd-analyze is absent)", () => {
    const temp = makeTempDir("gs-unit-test-");
    try {
      // verify insists that ExecStart exists; /bin/true stands in for the installed gs.
      const path = join(temp.dir, file);
      writeFileSync(path, text.replace("/usr/local/bin/gs", "/bin/true"));
      const run = Bun.spawnSync([systemdAnalyze ?? "systemd-analyze", "verify", path], { stdout: "pipe", stderr: "pipe" });
      expect(run.stderr.toString()).toBe("");
      expect(run.exitCode).toBe(0);
    } finally {
      temp.remove();
    }
  });
});
