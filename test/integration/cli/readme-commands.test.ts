// The README's two fresh-machine commands, the package scripts and CI must agree: CI runs
// exactly the README's test command, so what a newcomer runs is what CI proves.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freeLoopbackPort } from "../../support/postgres.ts";
import { MAIN_TS, makeTempDir } from "./run-gs.ts";

const ROOT = resolve(import.meta.dir, "../../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

function quickStartCommands(): string[] {
  const readme = read("README.md");
  const start = readme.indexOf("## Quick start");
  const end = readme.indexOf("\n## ", start + 1);
  expect(start).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([^\n]+)\n```/g)].map((match) => match[1] ?? "");
}

test("README quick start has exactly two commands: run the daemon, run the tests", () => {
  const commands = quickStartCommands();
  expect(commands).toHaveLength(2);
  expect(commands[0]).toBe("npm install -g bun && bun install && bun run build && ./dist/gs daemon");
  expect(commands[1]).toBe("npm install -g bun && bun install && bun run test");
});

test("CI runs the README's test command, and the scripts it names exist", () => {
  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
  expect(scripts.build).toContain("bun build src/cli/main.ts --compile");
  expect(scripts.build).toContain("--outfile dist/gs");
  // Bun ignores bunfig's timeout; the suite's timeout must be on the command line.
  expect(scripts.test).toMatch(/^bun test --timeout \d+$/);
  expect(read(".ci/run")).toContain("bun install --frozen-lockfile && bun run test;");
});

function shellBlockAfter(heading: string): string {
  const readme = read("README.md");
  const start = readme.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  return /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? "";
}

/** Resolves once the daemon logs that it runs (its database exists from then on); keeps draining its log after. */
function untilRunning(stderr: ReadableStream<Uint8Array>): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    const decoder = new TextDecoder();
    void (async () => {
      for await (const chunk of stderr) {
        text += decoder.decode(chunk);
        if (text.includes("state=RUNNING")) resolve();
      }
      reject(new Error(`the daemon ended before running: ${text}`));
    })();
  });
}

// Run as written (gs from source, a free port): the token must reach both gs serve and gs ctl.
test("README's status server example pauses a running daemon", async () => {
  const temp = makeTempDir("gs-readme-serve-");
  const daemon = Bun.spawn(["bun", MAIN_TS, "daemon"], { cwd: temp.dir, env: { ...process.env, GS_CONFIG: "" }, stdout: "ignore", stderr: "pipe" });
  try {
    await untilRunning(daemon.stderr);
    const port = await freeLoopbackPort();
    const block = shellBlockAfter("## Status server and dashboard").replaceAll("./dist/gs", `bun ${MAIN_TS}`).replaceAll("8765", String(port));
    const script = `set -e\n${block}kill $!\nwait $! || true\n`;
    const run = Bun.spawnSync(["bash", "-c", script], { cwd: temp.dir, env: { ...process.env, GS_CONFIG: "", GS_SERVER_TOKEN: "", GS_SERVER_PORT: String(port) }, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    expect(run.stderr.toString()).not.toContain("gs:");
    expect(run.stdout.toString()).toContain("pause queued as #1");
    expect(run.exitCode).toBe(0);
  } finally {
    daemon.kill("SIGTERM");
    await daemon.exited;
    temp.remove();
  }
}, 60_000);
