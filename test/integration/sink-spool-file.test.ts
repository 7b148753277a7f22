// The spool file itself: ordering by sequence, torn lines after a crash, trimming that keeps
// later appends, one owner per file across processes, adoption of a dead owner's spool.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { SequencedWrite } from "../../src/sink/queued-write.ts";
import { Spool, siblingSpoolPath } from "../../src/sink/spool.ts";
import { operationRow } from "../support/sink-rows.ts";
import { type SpoolParty, startSpoolParty } from "../support/spool-lock-parties.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-spool-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const entry = (seq: number): SequencedWrite => ({ seq, write: { type: "operation", row: operationRow(seq) } });
const seqs = (spool: Spool) => spool.read().writes.map((write) => write.seq);
/** Another live gs process holding `path`'s lock (spool-lock-party.ts, role holder). */
async function startHolder(path: string): Promise<SpoolParty> {
  const holder = startSpoolParty("holder", path, mkdtempSync(join(directory, "rendezvous-")));
  await holder.opened;
  return holder;
}

describe("spool file", () => {
  test("reads back in sequence order whatever the append order", () => {
    const spool = new Spool(join(directory, "order", "spool.ndjson"));
    spool.append([entry(3), entry(4)]);
    spool.append([entry(1), entry(2)]);
    expect(seqs(spool)).toEqual([1, 2, 3, 4]);
    expect(spool.rows).toBe(4);
    expect(spool.lastSeq).toBe(4);
    spool.close();
  });

  test("discard keeps what was appended after the read", () => {
    const spool = new Spool(join(directory, "trim.ndjson"));
    spool.append([entry(1), entry(2)]);
    const read = spool.read();
    spool.append([entry(3)]);
    spool.discard(read.byteLength);
    expect(seqs(spool)).toEqual([3]);
    expect(spool.rows).toBe(1);
    spool.discard(spool.read().byteLength);
    spool.close();
    expect(existsSync(join(directory, "trim.ndjson"))).toBe(false);
  });

  test("a line torn by a crash is counted as corrupt and does not swallow the next append", () => {
    const path = join(directory, "torn.ndjson");
    writeFileSync(path, `${JSON.stringify(entry(1))}\n{"seq":2,"write":{"ty`);
    const spool = new Spool(path);
    spool.append([entry(3)]);
    const read = spool.read();
    expect(read.writes.map((write) => write.seq)).toEqual([1, 3]);
    expect(read.corruptLines).toBe(1);
    expect(spool.lastSeq).toBe(3);
    spool.close();
  });

  test("a second owner of the same path (another live process) gets its own pid file; its rows are adopted once both are gone", async () => {
    const path = join(directory, "shared", "spool.ndjson");
    const holder = await startHolder(path);
    const spool = new Spool(path);
    expect(spool.path).toBe(siblingSpoolPath(path, process.pid));
    spool.append([entry(1)]);
    spool.close();
    await holder.exit();
    const next = new Spool(path);
    expect(next.path).toBe(path);
    expect(next.rows).toBe(1);
    next.close();
  });

  test("the lock of an owner killed without cleanup is taken over, with its rows", async () => {
    const path = join(directory, "killed", "spool.ndjson");
    const holder = await startHolder(path);
    writeFileSync(path, `${JSON.stringify(entry(1))}\n${JSON.stringify(entry(2))}\n`, { flag: "a" });
    await holder.kill();
    expect(existsSync(`${path}.lock`)).toBe(true);
    const spool = new Spool(path);
    expect(spool.path).toBe(path);
    expect(spool.rows).toBe(2);
    spool.close();
  });

  test("the spool of a dead owner is adopted, after the rows already there", () => {
    const path = join(directory, "adopt.ndjson");
    const deadPid = 2_147_000_000; // above pid_max: never a live process
    const orphanPath = siblingSpoolPath(path, deadPid);
    writeFileSync(orphanPath, `${JSON.stringify(entry(7))}\n${JSON.stringify(entry(8))}\n`);
    writeFileSync(`${orphanPath}.lock`, String(deadPid));
    writeFileSync(path, `${JSON.stringify(entry(1))}\n`);
    writeFileSync(`${path}.lock`, String(deadPid));
    const spool = new Spool(path);
    expect(spool.path).toBe(path);
    const adopted = spool.read().writes;
    expect(adopted.map((write) => (write.write.type === "operation" ? write.write.row.opId : ""))).toEqual(
      [1, 7, 8].map((index) => operationRow(index).opId),
    );
    expect(existsSync(orphanPath)).toBe(false);
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(`${process.pid}\n`);
    spool.close();
  });
});

// After a crash the lock file names the old pid, which may be alive again: our own after a
// container restart (pid 1 both times), an unrelated process's after a reboot. Nobody holds
// its kernel lock, so whatever it names (here in the formats of earlier versions) it is taken over.
describe.if(existsSync("/proc/1/stat"))("spool lock file left by a crash, naming a pid alive again", () => {
  const pidOneStartTicks = readFileSync("/proc/1/stat", "utf8").split(") ")[1]?.split(" ")[19] ?? "";
  const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  const leftBehind = (name: string, lock: string): string => {
    const path = join(directory, "reused", `${name}.ndjson`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, [1, 2, 3].map((seq) => `${JSON.stringify(entry(seq))}\n`).join(""));
    writeFileSync(`${path}.lock`, lock);
    return path;
  };

  test.each([
    ["our own pid (container restart)", `${process.pid} ${bootId} 1`],
    ["our own pid, lock of the older pid-only format", String(process.pid)],
    ["pid 1 of an earlier boot", `1 00000000-0000-0000-0000-000000000000 ${pidOneStartTicks}`],
    ["pid 1, started at another time", `1 ${bootId} 1`],
    ["pid 1 as it runs now (same boot, same start time)", `1 ${bootId} ${pidOneStartTicks}`],
    ["pid 1, lock of the older pid-only format", "1"],
  ])("%s: the old rows are taken over, not stranded", (name, lock) => {
    const path = leftBehind(name.replace(/\W+/g, "-"), lock);
    const spool = new Spool(path);
    expect(spool.path).toBe(path);
    expect(spool.rows).toBe(3);
    spool.close();
  });
});

describe("spool file, several sinks in one process", () => {
  test("each gets its own file; rows spooled by one are adopted after it closes", () => {
    const path = join(directory, "many", "spool.ndjson");
    const spools = [new Spool(path), new Spool(path), new Spool(path)];
    expect(new Set(spools.map((spool) => spool.path)).size).toBe(3);
    expect(spools[0]?.path).toBe(path);
    spools[2]?.append([entry(5)]);
    for (const spool of spools) spool.close();
    const next = new Spool(path);
    expect(next.path).toBe(path);
    expect(seqs(next)).toEqual([1]);
    next.close();
  });
});
