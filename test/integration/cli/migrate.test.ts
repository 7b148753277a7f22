// `gs migrate` against a real SQLite file and a real PostgreSQL database.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createTestDatabase, postgresAvailability } from "../../support/postgres.ts";
import { MAIN_TS, makeTempDir, runGs } from "./run-gs.ts";

const temp = makeTempDir("gs-migrate-test-");
afterAll(() => temp.remove());
const gs = (args: readonly string[], env: Readonly<Record<string, string>> = {}) => runGs(["bun", MAIN_TS], args, { cwd: temp.dir, env });

describe("gs migrate", () => {
  test("creates the default SQLite database and is idempotent", () => {
    const first = gs(["migrate"]);
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^SQLite var\/gs\.db: schema at version [1-9]\d*\n$/);
    expect(existsSync(join(temp.dir, "var/gs.db"))).toBe(true);
    const second = gs(["migrate"]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  test("an unreachable PostgreSQL is a clear error (exit 2) that never shows the password", () => {
    const run = gs(["migrate", "--set", "status.sink=postgres"], { GS_STATUS_POSTGRES_URL: "postgres://gs:pw-hunter2@127.0.0.1:1/gs" });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("postgres://gs:****@127.0.0.1:1/gs");
    expect(run.stderr).not.toContain("hunter2");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  const postgres = postgresAvailability();
  test.skipIf(!postgres.available)(`migrates a real PostgreSQL database${postgres.available ? "" : ` (${postgres.reason})`}`, async () => {
    const database = await createTestDatabase();
    try {
      const env = { GS_STATUS_SINK: "postgres", GS_STATUS_POSTGRES_URL: database.url };
      const first = gs(["migrate"], env);
      expect(first.stderr).toBe("");
      expect(first.exitCode).toBe(0);
      expect(first.stdout).toMatch(/^PostgreSQL postgres:\/\/.+: schema at version [1-9]\d*\n$/);
      expect(gs(["migrate"], env).stdout).toBe(first.stdout);
    } finally {
      await database.drop();
    }
  });
});
