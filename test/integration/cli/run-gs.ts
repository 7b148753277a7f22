// Runs `gs` as a user would: a separate process, in an empty working directory, with an
// environment free of the developer's GS_* variables.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const PROJECT_ROOT = resolve(import.meta.dir, "../../..");
export const MAIN_TS = join(PROJECT_ROOT, "src/cli/main.ts");

export interface GsRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cleanEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("GS_")) env[name] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** `command` is the argv prefix, e.g. ["bun", MAIN_TS] or [pathToCompiledGs]. */
export function runGs(command: readonly string[], args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>> }): GsRun {
  const result = Bun.spawnSync([...command, ...args], { cwd: options.cwd, env: cleanEnv(options.env ?? {}), stdout: "pipe", stderr: "pipe" });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

export function makeTempDir(prefix: string): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The project's own `build` script (package.json) as an argv, writing to `outfile` instead of dist/gs. */
export function projectBuildCommand(outfile: string): string[] {
  const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const script = scripts.build ?? "";
  if (!script.includes("--compile") || !script.includes("--outfile dist/gs")) {
    throw new Error(`package.json's build script was "${script}", expected a bun build --compile ... --outfile dist/gs`);
  }
  return script.replace("--outfile dist/gs", `--outfile ${outfile}`).split(/\s+/);
}
