// The control file on a real filesystem: a command is consumed exactly once, also when the
// daemon's poll claims the file between the writer's open and its write.
import { afterAll, expect, test } from "bun:test";
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { takeControlFile } from "../../src/daemon/control-file.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-control-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const controlPath = (): string => join(directory, `gs-${++files}.control`);
const commands = (lines: readonly string[]): string[] => lines.filter((line) => line.trim() !== "");

test("a writer that opened the file before the poll claimed it keeps its command", () => {
  const path = controlPath();
  const fd = openSync(path, "w"); // `echo stop > gs.control`: the shell opens (and truncates) ...
  expect(takeControlFile(path, "1")).toEqual([]); // ... the poll claims the still empty file ...
  writeSync(fd, "stop\n"); // ... and echo writes into the claimed file
  closeSync(fd);
  expect(commands(takeControlFile(path, "1"))).toEqual(["stop"]);
  expect(takeControlFile(path, "1")).toEqual([]);
  expect(existsSync(`${path}.1.claimed`)).toBe(false);
});

test("a line without its newline is read once complete, and a command written meanwhile is not lost", () => {
  const path = controlPath();
  appendFileSync(path, "pau");
  expect(takeControlFile(path, "1")).toEqual([]);
  appendFileSync(`${path}.1.claimed`, "se\n"); // the writer that held the file open finishes its line
  appendFileSync(path, "resume\n"); // another writer, after the claim: a new file
  expect(commands(takeControlFile(path, "1"))).toEqual(["pause", "resume"]);
});

test("a finished file is consumed at once, exactly once", () => {
  const path = controlPath();
  appendFileSync(path, "pause\nresume\n");
  expect(commands(takeControlFile(path, "1"))).toEqual(["pause", "resume"]);
  expect(takeControlFile(path, "1")).toEqual([]);
});
