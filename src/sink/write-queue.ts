// The write path shared by both sinks: a bounded in-process queue, flushed in batches
// (on size or a short timer), one transaction per batch through a dialect BatchWriter.
//
// Order and durability rules:
// - enqueue() is synchronous and cheap: the trading path never awaits the database.
// - While the spool holds rows, new batches go to the spool too, so the database always
//   receives writes in enqueue order; the spool is replayed before anything newer.
// - A batch the database refuses as data (not as "unavailable") is retried row by row;
//   rows it still refuses go to `<spool stem>.rejected<ext>` with the error, never silently dropped.
// - A full queue spills to the spool instead of dropping rows or blocking the caller: the
//   full queue becomes an overflow that is written to the spool after the caller's task
//   (setImmediate), before the drain's next database write, and first thing in flush().
// - A batch that does not commit within batchTimeoutMs (hung database) counts as unavailable,
//   so flush() is bounded and the rows end up in the spool (a late commit is harmless: idempotent).
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { DeadlineExceededError, withDeadline } from "./deadline.ts";
import type { BatchWriter, QueuedWrite, SequencedWrite } from "./queued-write.ts";
import { planBatch } from "./queued-write.ts";
import { type Spool, siblingSpoolPath } from "./spool.ts";

export interface WriteQueueOptions {
  readonly writer: BatchWriter;
  readonly spool: Spool;
  /** Rows held in memory at most; beyond that the queue spills to the spool. */
  readonly capacityRows: number;
  /** Rows per transaction. */
  readonly batchRows: number;
  /** How long a partial batch may wait before it is flushed. */
  readonly flushIntervalMs: number;
  /** First retry of a spool replay after a failure; doubles per failure up to MAX_RETRY_INTERVAL_MS. */
  readonly retryIntervalMs: number;
  /** A batch not committed within this counts as "database unavailable": it goes to the spool. */
  readonly batchTimeoutMs: number;
}

export interface WriteQueueHealth {
  readonly queueDepth: number;
  readonly spooledRows: number;
  readonly failedWrites: number;
  readonly writtenRows: number;
  readonly rejectedRows: number;
  /** Rows dropped because the database, the spool and memory (capacityRows) were all full. */
  readonly lostRows: number;
  readonly lastError: string | null;
  readonly reachable: boolean;
}

type ApplyOutcome = "written" | "unavailable";

/** Backoff cap: a long outage costs one failed attempt per 30 s (a SQLite attempt blocks up to busy_timeout). */
const MAX_RETRY_INTERVAL_MS = 30_000;

export class WriteQueue {
  private queue: SequencedWrite[] = [];
  /** Full queues waiting for the spool, oldest first (in memory until spillOverflow()). */
  private overflow: SequencedWrite[][] = [];
  private overflowRows = 0;
  private spillTimer: ReturnType<typeof setImmediate> | null = null;
  private nextSeq: number;
  private inFlightRows = 0;
  private started = false;
  private closed = false;
  private running: Promise<void> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private nextReplayAtMs = 0;
  private failedWrites = 0;
  private writtenRows = 0;
  private rejectedRows = 0;
  private lostRows = 0;
  /** Set while the spool refuses appends (disk full): rows then wait in memory, up to capacity. */
  private spoolFailing = false;
  private spoolError = "";
  private lastError: string | null = null;
  private reachable = true;
  private consecutiveFailures = 0;
  private readonly rejectPath: string;
  /** This run's writer id: its rows are ordered by sequence, not by the wall clock. */
  private readonly runId = randomUUID();

  constructor(private readonly options: WriteQueueOptions) {
    this.nextSeq = options.spool.lastSeq;
    this.rejectPath = siblingSpoolPath(options.spool.path, "rejected");
  }

  enqueue(write: QueuedWrite): void {
    if (this.closed) throw new Error("sink write after close(): expected writes only while the sink is open");
    if (this.spoolFailing && this.queue.length >= this.options.capacityRows) {
      // Database and spool both refuse and memory is at capacity: the one honest option left
      // is to count the row as lost and say so (health().lostRows, lastError).
      this.lostRows += 1;
      this.lastError = `${this.lostRows} row(s) lost: the database and the spool are both failing and ${this.options.capacityRows} rows already wait in memory (${this.spoolError})`;
      return;
    }
    const seq = ++this.nextSeq;
    this.queue.push({ seq, write, origin: { writerRunId: this.runId, writerSeq: seq } });
    if (this.queue.length >= this.options.capacityRows) {
      this.moveQueueToOverflow();
    } else if (this.started && this.queue.length >= this.options.batchRows) {
      void this.kick();
    } else if (this.started && this.flushTimer === null) {
      this.flushTimer = setTimeout(this.onFlushTimer, this.options.flushIntervalMs);
    }
  }

  /** Begins writing (after migrations ran): replays any spool left by an earlier run. */
  start(): void {
    this.started = true;
    void this.kick();
  }

  /** Resolves when everything enqueued so far is in the database or the spool. */
  async flush(): Promise<void> {
    if (!this.started) {
      // Not migrated yet: the database cannot take rows, the spool can.
      this.moveQueueToOverflow();
      this.spillOverflow();
      return;
    }
    // Before any await: the overflow is on disk even if the database then hangs (the daemon's
    // second-signal exit waits for flush() only briefly).
    this.spillOverflow();
    this.clearFlushTimer();
    this.nextReplayAtMs = 0;
    await this.kick();
    if (this.queue.length > 0 || this.overflowRows > 0) await this.kick();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.clearFlushTimer();
    if (this.spillTimer !== null) clearImmediate(this.spillTimer);
    this.spillTimer = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.options.spool.close();
  }

  health(): WriteQueueHealth {
    return {
      queueDepth: this.queue.length + this.overflowRows + this.inFlightRows,
      spooledRows: this.options.spool.rows,
      failedWrites: this.failedWrites,
      writtenRows: this.writtenRows,
      rejectedRows: this.rejectedRows,
      lostRows: this.lostRows,
      lastError: this.lastError,
      reachable: this.reachable,
    };
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = null;
    void this.kick();
  };

  private kick(): Promise<void> {
    if (this.running === null) {
      this.running = this.drain()
        .catch((error: unknown) => this.onDrainFailure(error))
        .finally(() => {
          this.running = null;
          if ((this.queue.length > 0 || this.overflowRows > 0) && this.flushTimer === null && !this.closed) {
            this.flushTimer = setTimeout(this.onFlushTimer, this.options.flushIntervalMs);
          }
        });
    }
    return this.running;
  }

  /**
   * A file error the drain did not expect (the spool unreadable...): said in health and retried,
   * never an unhandled rejection. No rows are at stake: each is in memory or in the spool.
   */
  private onDrainFailure(error: unknown): void {
    this.failedWrites += 1;
    this.lastError = `write loop: ${describeError(error)}; retrying`;
    this.scheduleRetry();
  }

  private async drain(): Promise<void> {
    // Yield first: a kick from enqueue() must not run a (synchronous) SQLite batch inside the caller.
    await Promise.resolve();
    const { spool, batchRows } = this.options;
    for (;;) {
      // Older than anything queued: to the spool before the queue can reach the database.
      if (!this.spillOverflow() || !this.started) return;
      if (spool.rows > 0 && Date.now() >= this.nextReplayAtMs) await this.replaySpool();
      if (this.queue.length === 0) return;
      const batch = this.queue.length <= batchRows ? this.queue : this.queue.slice(0, batchRows);
      this.queue = batch === this.queue ? [] : this.queue.slice(batchRows);
      if (spool.rows > 0) {
        if (!this.appendToSpool(batch)) return;
        this.armRetryTimer();
        continue;
      }
      this.inFlightRows = batch.length;
      const outcome = await this.apply(batch);
      this.inFlightRows = 0;
      if (outcome === "unavailable") {
        if (!this.appendToSpool(batch)) return;
        this.scheduleRetry();
      }
    }
  }

  /** False when the spool itself failed (disk full...): the rows go back to memory, in order. */
  private appendToSpool(batch: SequencedWrite[]): boolean {
    try {
      this.options.spool.append(batch);
      this.spoolFailing = false;
      return true;
    } catch (error) {
      this.failedWrites += 1;
      this.spoolFailing = true;
      this.spoolError = `spool ${this.options.spool.path}: ${describeError(error)}`;
      const lost = this.lostRows > 0 ? `, ${this.lostRows} row(s) lost` : "";
      this.lastError = `${this.spoolError}; ${batch.length + this.queue.length} row(s) wait in memory${lost}`;
      this.queue = batch.concat(this.queue);
      this.scheduleRetry();
      return false;
    }
  }

  private async replaySpool(): Promise<void> {
    const { spool, batchRows } = this.options;
    const contents = spool.read();
    for (let start = 0; start < contents.writes.length; start += batchRows) {
      const outcome = await this.apply(contents.writes.slice(start, start + batchRows));
      if (outcome === "unavailable") {
        this.scheduleRetry();
        return;
      }
    }
    if (contents.corruptLines > 0) {
      this.lastError = `spool ${spool.path}: ${contents.corruptLines} torn line(s) skipped`;
    }
    try {
      spool.discard(contents.byteLength);
    } catch (error) {
      // In the database and still in the spool: newer rows keep queueing behind it, and the
      // next replay writes it again, which idempotent writes absorb.
      this.failedWrites += 1;
      this.lastError = `spool ${spool.path}: ${contents.writes.length} replayed row(s) could not be trimmed, they replay again: ${describeError(error)}`;
      this.scheduleRetry();
    }
  }

  /** One transaction; a data refusal falls back to row-by-row so one bad row cannot block the rest. */
  private async apply(batch: readonly SequencedWrite[]): Promise<ApplyOutcome> {
    const { writer } = this.options;
    try {
      await withDeadline(writer.write(planBatch(batch)), this.options.batchTimeoutMs, `a batch of ${batch.length} row(s)`);
      this.writtenRows += batch.length;
      this.reachable = true;
      this.consecutiveFailures = 0;
      return "written";
    } catch (error) {
      this.failedWrites += 1;
      this.lastError = describeError(error);
      if (error instanceof DeadlineExceededError || writer.isUnavailable(error)) {
        this.reachable = false;
        this.consecutiveFailures += 1;
        return "unavailable";
      }
    }
    if (batch.length === 1) return this.reject(batch, this.lastError);
    for (const single of batch) {
      if ((await this.apply([single])) === "unavailable") return "unavailable";
    }
    return "written";
  }

  /** Sets refused rows aside; when even that fails (disk full) they are kept like unwritten ones. */
  private reject(batch: readonly SequencedWrite[], reason: string): ApplyOutcome {
    const lines = batch.map((entry) => `${JSON.stringify({ ...entry, error: reason })}\n`).join("");
    try {
      appendFileSync(this.rejectPath, lines);
    } catch (error) {
      this.lastError = `${reason}; and ${this.rejectPath} could not take the refused row (${describeError(error)}): it is kept and retried`;
      return "unavailable";
    }
    this.rejectedRows += batch.length;
    return "written";
  }

  /** O(1) on the caller's path: the disk write happens in spillOverflow(), after the caller's task. */
  private moveQueueToOverflow(): void {
    if (this.queue.length === 0) return;
    this.overflow.push(this.queue);
    this.overflowRows += this.queue.length;
    this.queue = [];
    this.spillTimer ??= setImmediate(this.onSpillTimer);
  }

  private readonly onSpillTimer = (): void => {
    this.spillTimer = null;
    this.spillOverflow();
  };

  /**
   * Appends the overflow to the spool; false when the spool failed (the rows are then back in
   * memory, in order, past capacity: kept, not dropped). Synchronous, so it never lands
   * between a replay's read and its discard.
   */
  private spillOverflow(): boolean {
    if (this.overflowRows === 0) return true;
    const spilled = this.overflow.length === 1 ? (this.overflow[0] ?? []) : this.overflow.flat();
    this.overflow = [];
    this.overflowRows = 0;
    if (!this.appendToSpool(spilled)) return false;
    this.nextReplayAtMs = 0;
    if (this.started) void this.kick();
    return true;
  }

  /** After a failure: no replay attempt before retryIntervalMs (flush() may force one). */
  private scheduleRetry(): void {
    const backoff = 2 ** Math.min(Math.max(this.consecutiveFailures - 1, 0), 10);
    this.nextReplayAtMs = Date.now() + Math.min(this.options.retryIntervalMs * backoff, MAX_RETRY_INTERVAL_MS);
    this.armRetryTimer();
  }

  private armRetryTimer(): void {
    if (this.retryTimer !== null || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.nextReplayAtMs = 0;
      void this.kick();
    }, Math.max(0, this.nextReplayAtMs - Date.now()));
    // The retry must not keep a finished CLI process alive; close() flushes anyway.
    this.retryTimer.unref();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
