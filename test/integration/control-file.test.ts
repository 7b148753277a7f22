// The control file on a real filesystem: a command is consumed exactly once, also when the
// daemon's poll claims the file between a writer's open and its write, and a file claimed by a
// daemon that stopped before reading it is read by the next one, with the time it was written.
import { afterAll, expect, test } from "bun:test";
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, utimesSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimedPath, takeControlFile } from "../../src/daemon/control-file.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-control-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const controlPath = (): string => join(directory, `gs-${++files}.control`);

/** The commands one poll consumes ([] when it only claimed, or found nothing). */
function poll(path: string): string[] {
  return (takeControlFile(path)?.lines ?? []).filter((line) => line.trim() !== "");
}

test("a writer that opened the file before the poll claimed it keeps its command", () => {
  const path = controlPath();
  const fd = openSync(path, "w"); // `echo stop > gs.control`: the shell opens (and truncates) ...
  expect(poll(path)).toEqual([]); // ... the poll claims the still empty file ...
  writeSync(fd, "stop\n"); // ... and echo writes into the claimed file
  closeSync(fd);
  expect(poll(path)).toEqual(["stop"]);
  expect(poll(path)).toEqual([]);
  expect(existsSync(claimedPath(path))).toBe(false);
});

test("echo pause >> f; echo flatten >> f: a claim between the second echo's open and its write loses nothing", () => {
  const path = controlPath();
  appendFileSync(path, "pause\n"); // the first echo is done
  const fd = openSync(path, "a"); // the second one has opened the file ...
  expect(poll(path)).toEqual([]); // ... the poll claims it, a complete command in it ...
  writeSync(fd, "flatten\n"); // ... and the second echo writes
  closeSync(fd);
  appendFileSync(path, "resume\n"); // a writer after the claim: a new file, for the poll after
  expect(poll(path)).toEqual(["pause", "flatten"]);
  expect(poll(path)).toEqual([]);
  expect(poll(path)).toEqual(["resume"]);
});

test("a line without its newline counts: the writer had a poll's time to finish it", () => {
  const path = controlPath();
  appendFileSync(path, "resume");
  expect(poll(path)).toEqual([]);
  expect(poll(path)).toEqual(["resume"]);
});

test("a file claimed by a daemon that stopped before reading it is read by the next one, with when it was written", () => {
  const path = controlPath();
  appendFileSync(path, "resume\n");
  expect(poll(path)).toEqual([]); // claimed; the daemon stops here
  const writtenAtS = Date.now() / 1000 - 3_600;
  utimesSync(claimedPath(path), writtenAtS, writtenAtS);
  const taken = takeControlFile(path); // the next daemon's first poll (whatever its pid)
  expect(taken?.lines.filter((line) => line !== "")).toEqual(["resume"]);
  expect(Math.abs((taken?.writtenAtMs ?? 0) - writtenAtS * 1000)).toBeLessThan(1_000);
  expect(existsSync(claimedPath(path))).toBe(false);
});

test("the commands are as old as the file's first line can be: a line appended today does not make a days-old line fresh", () => {
  const path = controlPath();
  const bornMs = Date.now();
  appendFileSync(path, "flatten\n");
  // Its last write two days after its birth: the age must come from the birth, not the last write.
  const laterS = (bornMs + 2 * 86_400_000) / 1000;
  utimesSync(path, laterS, laterS);
  expect(takeControlFile(path)).toBeNull(); // claimed
  const taken = takeControlFile(path);
  expect(taken?.lines.filter((line) => line !== "")).toEqual(["flatten"]);
  expect(taken!.writtenAtMs).toBeLessThan(bornMs + 60_000);
});
