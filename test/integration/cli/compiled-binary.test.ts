// The compiled `gs` must run alone: no node_modules, no source tree, no config beside it.
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { makeTempDir, runGs } from "./run-gs.ts";

const temp = makeTempDir("gs-binary-test-");
afterAll(() => temp.remove());

test("bun build --compile produces a gs that works from an empty directory", () => {
  const binary = join(temp.dir, "gs");
  const build = Bun.spawnSync(["bun", "build", resolve(import.meta.dir, "../../../src/cli/main.ts"), "--compile", "--outfile", binary], {
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(build.stderr.toString()).not.toContain("error");
  expect(build.exitCode).toBe(0);

  const help = runGs([binary], ["--help"], { cwd: temp.dir });
  expect(help.exitCode).toBe(0);
  expect(help.stdout).toContain("daemon");
  expect(runGs([binary], ["init"], { cwd: temp.dir }).exitCode).toBe(0);
  const check = runGs([binary], ["check", "config"], { cwd: temp.dir, env: { GS_HEDGE_COOLDOWN_S: "30" } });
  expect(check.exitCode).toBe(0);
  expect(check.stdout).toContain("cooldown_s = 30  # env GS_HEDGE_COOLDOWN_S");
  expect(runGs([binary], ["nonsense"], { cwd: temp.dir }).exitCode).toBe(2);
});
