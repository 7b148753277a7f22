// Local append-only JSONL spool: where batches go while the database is unreachable.
// One line per queued write, `{"seq":N,"write":{...}}`; replay sorts by seq, so the
// order of appends does not matter (a failed in-flight batch may land after newer rows).
//
// Several processes (daemon, status server, CLI) may share one configured spool path.
// The first one holds the kernel lock of `<path>.lock` (see spool-lock.ts); the others spool
// to `<stem>.<pid>[-<n>]<ext>`. A spool whose owner died (its lock free) is adopted (appended
// to ours, then deleted) on the next open.
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { SpoolLock } from "./spool-lock.ts";
import type { SequencedWrite } from "./queued-write.ts";

export interface SpoolContents {
  readonly writes: readonly SequencedWrite[];
  /** Bytes read: `discard(byteLength)` removes exactly these, keeping later appends. */
  readonly byteLength: number;
  /** Lines that were not valid JSON (a write torn by a crash or power loss). */
  readonly corruptLines: number;
}

/** The spool file (or its directory or lock) could not be set up: the error names the path asked for. */
export class SpoolOpenError extends Error {
  readonly reason: string;
  /** A full disk, a quota, an I/O error: waiting may cure it. Anything else (permissions, not a directory...) is the path's. */
  readonly transient: boolean;

  constructor(
    readonly preferredPath: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot use the spool file ${preferredPath}: ${reason}`);
    this.name = "SpoolOpenError";
    this.reason = reason;
    this.transient = cause instanceof SpoolWriteError || TRANSIENT_CODES.has((cause as NodeJS.ErrnoException | null)?.code ?? "");
  }
}

/** errno codes of a file system that is full, over quota, failing or out of descriptors: none is the configuration's fault. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT", "EFBIG", "EIO", "EMFILE", "ENFILE"]);

export class Spool {
  readonly path: string;
  private rowCount = 0;
  private highestSeq = 0;
  private readonly lock: SpoolLock;

  constructor(preferredPath: string) {
    let lock: SpoolLock | null = null;
    try {
      mkdirSync(dirname(preferredPath), { recursive: true });
      const claimed = claimSpoolPath(preferredPath);
      lock = claimed.lock;
      this.path = claimed.path;
      this.lock = claimed.lock;
      terminateTornLine(this.path);
      const existing = this.read();
      this.rowCount = existing.writes.length;
      this.highestSeq = existing.writes.reduce((max, entry) => Math.max(max, entry.seq), 0);
      adoptOrphans(preferredPath, this);
    } catch (error) {
      // A retry (disk full) must find the path free again, not held by this failed attempt.
      lock?.release();
      throw new SpoolOpenError(preferredPath, error);
    }
  }

  /** Writes waiting in the file. */
  get rows(): number {
    return this.rowCount;
  }

  /** Highest sequence number in the file: a restarted queue numbers after it. */
  get lastSeq(): number {
    return this.highestSeq;
  }

  /**
   * Appends and fsyncs, all or nothing: when the disk is full the file is cut back to where
   * it was (line-clean, no half row) and a SpoolWriteError says so; the caller keeps the rows.
   * Synchronous so that a spill can never interleave with a discard.
   */
  append(writes: readonly SequencedWrite[]): void {
    if (writes.length === 0) return;
    let text = "";
    let highestSeq = this.highestSeq;
    for (const entry of writes) {
      text += `${JSON.stringify(entry)}\n`;
      if (entry.seq > highestSeq) highestSeq = entry.seq;
    }
    const fd = openSync(this.path, "a");
    try {
      appendAllOrNothing(fd, this.path, Buffer.from(text, "utf8"));
    } finally {
      closeSync(fd);
    }
    this.highestSeq = highestSeq;
    this.rowCount += writes.length;
  }

  read(): SpoolContents {
    if (!existsSync(this.path)) return { writes: [], byteLength: 0, corruptLines: 0 };
    const bytes = readFileSync(this.path);
    // Only complete lines: an append in progress elsewhere is never half-read.
    const end = bytes.lastIndexOf(0x0a) + 1;
    return { ...parseLines(bytes.subarray(0, end).toString("utf8")), byteLength: end };
  }

  /**
   * Removes the first `byteLength` bytes (already replayed), keeping anything appended since.
   * Throws when it cannot (disk full...): the rows then stay and replay again (idempotent).
   */
  discard(byteLength: number): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      this.rowCount = 0;
      throw new Error(`spool ${this.path} vanished after its rows were replayed (removed by something other than gs): rows appended since, if any, are lost`);
    }
    const rest = bytes.subarray(byteLength);
    if (rest.length === 0) {
      // Everything was replayed (the usual case): emptying in place needs no free space, a copy would.
      truncateSync(this.path, 0);
    } else {
      const temporary = `${this.path}.tmp`;
      writeFileSync(temporary, rest);
      renameSync(temporary, this.path);
    }
    this.rowCount = this.read().writes.length;
  }

  /** Releases the lock; the file itself stays for the next start if it still has rows. */
  close(): void {
    if (this.rowCount === 0 && existsSync(this.path)) unlinkSync(this.path);
    this.lock.release();
  }
}

/** The spool could not take a batch (disk full, file too large...): nothing of it was kept. */
export class SpoolWriteError extends Error {
  override readonly name = "SpoolWriteError";
}

/**
 * A short write (Bun returns one instead of throwing when the disk fills up) is continued
 * until every byte is written; if the disk refuses, the file is cut back to its old end.
 */
function appendAllOrNothing(fd: number, path: string, bytes: Buffer): void {
  const startBytes = fstatSync(fd).size;
  let written = 0;
  try {
    while (written < bytes.length) {
      const count = writeSync(fd, bytes, written);
      if (count <= 0) throw new Error(`the disk accepted 0 of the remaining ${bytes.length - written} bytes`);
      written += count;
    }
    fsyncSync(fd);
  } catch (error) {
    ftruncateSync(fd, startBytes);
    const reason = error instanceof Error ? error.message : String(error);
    throw new SpoolWriteError(`spool ${path} could not take ${bytes.length} bytes (${written} written, then cut back): ${reason}`);
  }
}

/** A crash mid-append leaves a line without "\n": end it so the next append starts clean. */
function terminateTornLine(path: string): void {
  if (!existsSync(path)) return;
  const bytes = readFileSync(path);
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) writeFileSync(path, "\n", { flag: "a" });
}

function claimSpoolPath(preferredPath: string): { path: string; lock: SpoolLock } {
  const preferredLock = SpoolLock.tryTake(preferredPath);
  if (preferredLock !== null) return { path: preferredPath, lock: preferredLock };
  // Another process, or another sink of this process, owns it: take the first free pid file.
  for (let instance = 0; instance < 1_000; instance += 1) {
    const ownPath = siblingSpoolPath(preferredPath, instance === 0 ? `${process.pid}` : `${process.pid}-${instance}`);
    const lock = SpoolLock.tryTake(ownPath);
    if (lock !== null) return { path: ownPath, lock };
  }
  throw new Error(`no free spool file next to ${preferredPath}: was every ${basename(preferredPath)} variant locked, expected one free`);
}

/** `var/gs-spool.ndjson` -> `var/gs-spool.<tag>.ndjson` (tag: a pid, or "rejected"). */
export function siblingSpoolPath(preferredPath: string, tag: string | number): string {
  const extension = extname(preferredPath);
  return `${preferredPath.slice(0, preferredPath.length - extension.length)}.${tag}${extension}`;
}

/** Moves the rows of spools whose owner died into `target`, keeping their order after ours. */
function adoptOrphans(preferredPath: string, target: Spool): void {
  const directory = dirname(preferredPath);
  const tail = extname(preferredPath);
  const head = basename(preferredPath).slice(0, basename(preferredPath).length - tail.length);
  const candidates = [preferredPath];
  for (const name of readdirSync(directory)) {
    const middle = name.startsWith(head) && name.endsWith(tail) ? name.slice(head.length, name.length - tail.length) : "";
    if (/^\.\d+(-\d+)?$/.test(middle)) candidates.push(join(directory, name));
  }
  for (const path of candidates) {
    if (path === target.path || !existsSync(path)) continue;
    const lock = SpoolLock.tryTake(path);
    if (lock === null) continue; // its owner runs
    try {
      const { writes } = parseLines(readFileSync(path, "utf8"));
      let seq = target.lastSeq;
      target.append(writes.map((entry) => ({ ...entry, seq: ++seq })));
      unlinkSync(path);
    } finally {
      lock.release();
    }
  }
}

function parseLines(text: string): { writes: SequencedWrite[]; corruptLines: number } {
  const writes: SequencedWrite[] = [];
  let corruptLines = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      writes.push(JSON.parse(line) as SequencedWrite);
    } catch {
      corruptLines += 1;
    }
  }
  writes.sort((a, b) => a.seq - b.seq);
  return { writes, corruptLines };
}
