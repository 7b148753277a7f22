// The README's two fresh-machine commands, the package scripts and CI must agree: CI runs
// exactly the README's test command, so what a newcomer runs is what CI proves.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

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
