// The project is strict TypeScript with no `any`: both are checked as part of `bun test`,
// so CI and the README test command catch type errors, not only failing assertions.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../../..");

test("tsc --noEmit reports no type errors", () => {
  const tsc = join(ROOT, "node_modules/.bin/tsc");
  const run = Bun.spawnSync([tsc, "--noEmit", "-p", ROOT], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(`${run.stdout.toString()}${run.stderr.toString()}`).toBe("");
  expect(run.exitCode).toBe(0);
}, 120_000);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

test("no explicit `any` in src, test or bench", () => {
  const anyType = /(:\s*any\b|\bas\s+any\b|<any>|\bany\[\])/;
  const offenders = ["src", "test", "bench"].flatMap((dir) =>
    // This file spells the patterns out, so it is the one file not searched.
    sourceFiles(join(ROOT, dir)).filter((path) => path !== import.meta.path).flatMap((path) =>
      readFileSync(path, "utf8")
        .split("\n")
        .flatMap((line, index) => (anyType.test(line) && !line.trim().startsWith("//") ? [`${relative(ROOT, path)}:${index + 1}: ${line.trim()}`] : [])),
    ),
  );
  expect(offenders).toEqual([]);
});
