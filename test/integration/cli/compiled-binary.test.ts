// The compiled `gs` must run alone: no node_modules, no source tree, no config beside it.
// Built with the project's own `build` script (only the output path changed).
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createTestDatabase, postgresAvailability } from "../../support/postgres.ts";
import { makeTempDir, PROJECT_ROOT, projectBuildCommand, runGs } from "./run-gs.ts";

const build = makeTempDir("gs-binary-build-");
const empty = makeTempDir("gs-binary-run-");
afterAll(() => {
  build.remove();
  empty.remove();
});

const binary = join(build.dir, "gs");
let built: boolean | null = null;
/** Builds once for the file's tests. */
function buildBinary(): boolean {
  built ??= Bun.spawnSync(projectBuildCommand(binary), { cwd: PROJECT_ROOT, stdout: "pipe", stderr: "pipe" }).exitCode === 0;
  return built;
}

test("`bun run build` produces a gs that runs the main job from an empty directory", () => {
  expect(buildBinary()).toBe(true);
  const gs = (args: readonly string[], env: Readonly<Record<string, string>> = {}) => runGs([binary], args, { cwd: empty.dir, env });

  const help = gs(["--help"]);
  expect(help.exitCode).toBe(0);
  expect(help.stdout).toContain("daemon");
  expect(gs(["nonsense"]).exitCode).toBe(2);

  expect(gs(["init"]).exitCode).toBe(0);
  const check = gs(["check", "config"], { GS_HEDGE_COOLDOWN_S: "30" });
  expect(check.exitCode).toBe(0);
  expect(check.stdout).toContain("cooldown_s = 30  # env GS_HEDGE_COOLDOWN_S");

  // Embedded assets: SQL migrations and the bundled market data must be inside the binary.
  const migrate = gs(["migrate"]);
  expect(migrate.stderr).toBe("");
  expect(migrate.exitCode).toBe(0);
  const daemon = gs(["daemon", "--duration", "1"]);
  expect(daemon.exitCode).toBe(0);
  expect(existsSync(join(empty.dir, "var/gs.db"))).toBe(true);
}, 60_000);

const postgres = postgresAvailability();
test.skipIf(!postgres.available)("the compiled (minified) gs daemon reports a PostgreSQL refusal at once, exit 2, instead of waiting it out", async () => {
  expect(buildBinary()).toBe(true);
  const database = await createTestDatabase();
  const url = new URL(database.url);
  url.pathname = "/no_such_gs_database";
  const daemon = runGs([binary], ["daemon", "--duration", "20", "--set", "status.sink=postgres", "--set", `status.postgres.url=${url}`], { cwd: empty.dir });
  expect(daemon.exitCode).toBe(2);
  expect(daemon.stderr).toContain("3D000");
  expect(daemon.stderr).toContain("expected an existing database");
  await database.drop();
}, 90_000);
