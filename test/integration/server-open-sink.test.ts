// `gs serve` at boot with its PostgreSQL not up yet: it waits (as the daemon does) instead of
// exiting 2, which systemd's RestartPreventExitStatus=2 would never restart.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, freeLoopbackPort, postgresAvailability } from "../support/postgres.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

const MAIN = join(import.meta.dir, "../../src/cli/main.ts");
const directory = mkdtempSync(join(tmpdir(), "gs-serve-open-sink-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function spawnServe(url: string, port: number) {
  const settings = ["status.sink=postgres", `status.postgres.url=${url}`, `status.spool_path=${join(directory, "gs.spool")}`];
  return Bun.spawn([process.execPath, MAIN, "serve", "--port", String(port), ...settings.flatMap((setting) => ["--set", setting])], {
    cwd: directory,
    env: { ...process.env, GS_CONFIG: "", GS_SERVER_TOKEN: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
}

/** Everything the process wrote to stderr so far, read as it arrives. */
function collect(stream: ReadableStream<Uint8Array>): () => string {
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk);
  })();
  return () => text;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await condition()) return;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const healthy = (port: number) => () => fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.status === 200, () => false);

test("an unreachable PostgreSQL is retried, not exit 2; SIGTERM while waiting exits 0", async () => {
  const child = spawnServe(`postgres://gs:pw@127.0.0.1:${await freeLoopbackPort()}/gs`, await freeLoopbackPort());
  const stderr = collect(child.stderr);
  await until(() => stderr().includes("status database unreachable, retrying") || child.exitCode !== null, "the retry line");
  expect(child.exitCode).toBeNull();
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);
  expect(stderr()).toContain("stopped before the status database was reachable");
  expect(stderr()).not.toContain(":pw@");
}, 30_000);

const postgres = postgresAvailability();
test.skipIf(!postgres.available)(`a PostgreSQL that comes up late is served once it answers${postgres.available ? "" : ` (${postgres.reason})`}`, async () => {
  const database = await createTestDatabase();
  const url = new URL(database.url);
  const proxy = await TcpProxy.start(Number(url.port));
  await proxy.cut();
  url.port = String(proxy.port);
  const port = await freeLoopbackPort();
  const child = spawnServe(url.toString(), port);
  try {
    const stderr = collect(child.stderr);
    await until(() => stderr().includes("status database unreachable, retrying") || child.exitCode !== null, "the retry line");
    expect(child.exitCode).toBeNull();
    await proxy.restore();
    await until(healthy(port), "the server to answer /healthz");
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  } finally {
    child.kill("SIGKILL");
    await proxy.close();
    await database.drop();
  }
}, 60_000);
