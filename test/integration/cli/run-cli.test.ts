// Exit-code mapping of the CLI runner, on a small command tree built for the test.
import { describe, expect, test } from "bun:test";
import type { ArgsDef, CommandDef } from "citty";
import { runCli } from "../../../src/cli/run-cli.ts";
import { UserError } from "../../../src/config/user-error.ts";

let savedFlag: unknown = "not run";

const root: CommandDef<ArgsDef> = {
  meta: { name: "gs", description: "test tree" },
  subCommands: {
    ok: { meta: { name: "ok", description: "succeeds" }, run: () => undefined },
    crash: {
      meta: { name: "crash", description: "fails unexpectedly" },
      run: () => {
        throw new Error("socket exploded");
      },
    },
    mistake: {
      meta: { name: "mistake", description: "fails by user mistake" },
      run: () => {
        throw new UserError("--from was 2024-13-01, expected a date YYYY-MM-DD");
      },
    },
    record: {
      meta: { name: "record", description: "records a run unless told not to" },
      args: { save: { type: "boolean", default: true, description: "record it" }, "dry-run": { type: "boolean", description: "do nothing" } },
      run: ({ args }) => {
        savedFlag = args.save;
      },
    },
    needs: {
      meta: { name: "needs", description: "needs a positional" },
      args: { file: { type: "positional", required: true, description: "a file" } },
      run: () => undefined,
    },
  },
};

async function run(args: readonly string[], debug = false) {
  let stdout = "";
  let stderr = "";
  const exitCode = await runCli(root, args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    debug,
    version: "9.9.9",
  });
  return { exitCode, stdout, stderr };
}

describe("runCli exit codes", () => {
  test("success is 0", async () => {
    expect((await run(["ok"])).exitCode).toBe(0);
  });

  test("an unexpected error is exit 1 with a one-line message and no stack", async () => {
    const result = await run(["crash"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("gs: unexpected error: socket exploded\n(run with GS_DEBUG=1 for the stack trace)\n");
  });

  test("GS_DEBUG=1 adds the stack trace", async () => {
    const result = await run(["crash"], true);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("gs: unexpected error: socket exploded\n");
    expect(result.stderr).toMatch(/^\s+at /m);
  });

  test("a UserError is exit 2 with its message only", async () => {
    const result = await run(["mistake"]);
    expect(result).toEqual({ exitCode: 2, stdout: "", stderr: "gs: --from was 2024-13-01, expected a date YYYY-MM-DD\n" });
  });

  test("a missing required argument is exit 2 with usage", async () => {
    const result = await run(["needs"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Missing required positional argument: FILE");
    expect(result.stderr).toContain("USAGE gs needs");
  });

  test.each([
    [["record", "--no-save"], false],
    [["record", "--save=false"], false],
    [["record", "--save"], true],
  ])("a flag the check accepts is the flag citty applies: %p", async (args, applied) => {
    savedFlag = "not run";
    expect((await run(args)).exitCode).toBe(0);
    expect(savedFlag).toBe(applied);
  });

  test.each([["--NO-SAVE"], ["--No-Save"], ["--no_save"], ["--nosave"], ["--noSave"], ["--SAVE=false"], ["--dry_run"], ["--DRY-RUN"]])(
    "a spelling citty would ignore is an unknown option (exit 2), never run: %p",
    async (flag) => {
      savedFlag = "not run";
      const result = await run(["record", flag]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toStartWith(`gs: unknown option ${flag.split("=")[0]} for gs record (did you mean --`);
      expect(savedFlag).toBe("not run");
    },
  );

  test("--version prints the version", async () => {
    expect(await run(["--version"])).toEqual({ exitCode: 0, stdout: "9.9.9\n", stderr: "" });
  });
});
