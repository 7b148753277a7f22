// Where /events has got to in the operations table. PostgreSQL takes a row's id at INSERT
// and shows the row at COMMIT, so with several writers (daemons on other hosts, a spool
// replay) a lower id can appear after a higher one was streamed. The cursor therefore only
// settles an id once it is old enough that no transaction can still be holding a lower
// one: rows above the settled id are read again on every poll, and the ids already sent
// there are remembered so each row is streamed once.

/**
 * How long an id may stay unsettled. A batch that is not committed within the sink's batch
 * deadline goes to the spool, and PostgreSQL's statement timeout (30 s) ends any other: a
 * row invisible for longer than this will not appear under its id.
 */
export const OPERATION_SETTLE_MS = 60_000;
/** At most this many ids stay unsettled, so a poll re-reads a bounded window under any burst. */
export const OPERATION_WINDOW_IDS = 2_000;

interface Sighting {
  readonly tsMs: number;
  readonly highestId: number;
}

export class OperationCursor {
  /** Every id at or below this was streamed or will never be. */
  private settled: number;
  private highest: number;
  /** Ids above `settled` already streamed. */
  private readonly sent = new Set<number>();
  /** The highest id seen at each poll still inside the settle time, oldest first. */
  private readonly sightings: Sighting[] = [];

  /** Starts at the newest id there is: what came before is history, not news. */
  constructor(newestId: number) {
    this.settled = newestId;
    this.highest = newestId;
  }

  /** Re-read from here on each poll. */
  get settledId(): number {
    return this.settled;
  }

  /** The id was streamed already, or settled before it could be (a reconnecting client's replay may send it). */
  streamed(id: number): boolean {
    return id <= this.settled || this.sent.has(id);
  }

  /** True the first time an id is offered: stream it then, never again. */
  take(id: number): boolean {
    if (id <= this.settled || this.sent.has(id)) return false;
    this.sent.add(id);
    if (id > this.highest) this.highest = id;
    return true;
  }

  /** After a poll at nowMs: settles what is old enough, or what a burst pushes out of the window. */
  settle(nowMs: number): void {
    const sightings = this.sightings;
    sightings.push({ tsMs: nowMs, highestId: this.highest });
    let byTime = this.settled;
    while (sightings.length > 0 && nowMs - (sightings[0] as Sighting).tsMs >= OPERATION_SETTLE_MS) byTime = (sightings.shift() as Sighting).highestId;
    const next = Math.max(this.settled, byTime, this.highest - OPERATION_WINDOW_IDS);
    if (next === this.settled) return;
    this.settled = next;
    for (const id of this.sent) if (id <= next) this.sent.delete(id);
  }
}
