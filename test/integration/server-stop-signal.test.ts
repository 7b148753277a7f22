// `gs serve` stopped by SIGTERM while it is still starting (loading its modules): a clean
// stop, exit 0, as at any later point; never a crash of the signal handler or death by signal.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { freeLoopbackPort } from "../support/postgres.ts";
import { MAIN_TS, makeTempDir, runGs } from "./cli/run-gs.ts";

const temp = makeTempDir("gs-serve-signal-");
afterAll(() => temp.remove());
const PRELOAD = join(import.meta.dir, "../support/signal-on-import.ts");

test.each(["src/server/start-server.ts", "src/systemd/notify.ts"])("SIGTERM while %s loads: exit 0", async (module) => {
  const settings = [`server.port=${await freeLoopbackPort()}`, `status.sqlite.path=${join(temp.dir, "gs.db")}`, `status.spool_path=${join(temp.dir, "gs.spool")}`];
  const run = runGs(["bun", "--preload", PRELOAD, MAIN_TS], ["serve", ...settings.flatMap((setting) => ["--set", setting])], {
    cwd: temp.dir,
    env: { GS_TEST_SIGTERM_ON_IMPORT: module },
  });
  expect(run.stderr).not.toContain("Error");
  expect(run.stderr).toContain("SIGTERM received, stopping");
  expect(run.exitCode).toBe(0);
}, 20_000);
