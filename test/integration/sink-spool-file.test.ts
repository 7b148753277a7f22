// The spool file itself: ordering by sequence, torn lines after a crash, trimming that keeps
// later appends, one owner per file across processes, adoption of a dead owner's spool.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SequencedWrite } from "../../src/sink/queued-write.ts";
import { Spool, siblingSpoolPath } from "../../src/sink/spool.ts";
import { operationRow } from "../support/sink-rows.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-spool-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const entry = (seq: number): SequencedWrite => ({ seq, write: { type: "operation", row: operationRow(seq) } });
const seqs = (spool: Spool) => spool.read().writes.map((write) => write.seq);

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

  test("a second owner of the same path (another live process) gets its own pid file", () => {
    const path = join(directory, "shared.ndjson");
    writeFileSync(`${path}.lock`, String(process.ppid)); // the test runner's parent: alive, not us
    const spool = new Spool(path);
    expect(spool.path).toBe(siblingSpoolPath(path, process.pid));
    spool.append([entry(1)]);
    spool.close();
    rmSync(`${path}.lock`);
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
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(String(process.pid));
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
