// GET /events: server-sent events. One poller per server reads the sink on an interval
// while anyone listens (so it works across hosts through PostgreSQL, with no daemon link)
// and fans out `status` when a daemon's view changes and `operation` for each new row.
// Operation events carry the row id as the SSE id, so a reconnecting client sends
// Last-Event-ID and receives what it missed. Rows that commit out of id order are caught by
// OperationCursor; a burst larger than one poll's read is paged over the next polls.
import { OPERATION_WINDOW_IDS, OperationCursor } from "./operation-cursor.ts";
import type { ServerClock, StatusService } from "./status-service.ts";
import type { StatusView } from "./status-view-schema.ts";
import { toOperationView } from "./operations-view.ts";

export interface EventStreamOptions {
  readonly pollMs: number;
  readonly pingMs: number;
  /** Operations replayed to a reconnecting client, and new ones streamed per poll, at most. */
  readonly maxReplayRows: number;
}

// Pings every 5 s keep a quiet stream under Bun's default 10 s idle timeout.
export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = { pollMs: 1000, pingMs: 5_000, maxReplayRows: 1000 };

interface Subscriber {
  readonly daemonId: string | null;
  lastStatusKey: string | null;
  /** Set when the client went away or the hub closed; sends are then dropped. */
  closed: boolean;
  send(chunk: string): void;
  close(): void;
}

const encoder = new TextEncoder();

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private cursor: OperationCursor | null = null;
  private polling = false;
  /** Carries its interval: a client that hears nothing for a few of them knows the stream is lost. */
  private readonly pingEvent: string;

  constructor(
    private readonly service: StatusService,
    private readonly clock: ServerClock,
    private readonly options: EventStreamOptions = DEFAULT_EVENT_STREAM_OPTIONS,
  ) {
    this.pingEvent = `event: ping\ndata: ${JSON.stringify({ interval_ms: options.pingMs })}\n\n`;
  }

  get listenerCount(): number {
    return this.subscribers.size;
  }

  /** A text/event-stream response that lives until the client goes away or close() is called. */
  open(daemonId: string | null, lastEventId: string | null): Response {
    let subscriber: Subscriber | null = null;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const current: Subscriber = {
          daemonId,
          lastStatusKey: null,
          closed: false,
          send: (chunk) => {
            if (current.closed) return;
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              current.closed = true; // the client is gone; cancel() unsubscribes
            }
          },
          close: () => {
            if (current.closed) return;
            current.closed = true;
            controller.close();
          },
        };
        subscriber = current;
        current.send(`retry: 3000\n\n${this.pingEvent}`); // the first ping tells the client the interval to expect
        void this.welcome(current, lastEventId);
      },
      cancel: () => {
        if (subscriber === null) return;
        subscriber.closed = true;
        this.unsubscribe(subscriber);
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
    });
  }

  /** Ends every stream and stops polling (server shutdown). */
  close(): void {
    for (const subscriber of this.subscribers) subscriber.close();
    this.subscribers.clear();
    this.stopTimers();
  }

  private async welcome(subscriber: Subscriber, lastEventId: string | null): Promise<void> {
    try {
      this.cursor ??= new OperationCursor(await this.newestOperationId());
      const cursor = this.cursor;
      if (lastEventId !== null && /^\d{1,15}$/.test(lastEventId)) {
        // What the poll has not streamed yet it streams to this client too, once subscribed.
        for (const operation of await this.service.operationsAfter(Number(lastEventId), this.options.maxReplayRows)) {
          if (cursor.streamed(operation.id)) subscriber.send(operationEvent(operation.id, toOperationView(operation)));
        }
      }
      await this.pushStatus(subscriber);
    } catch (error) {
      subscriber.send(sinkErrorEvent(error));
    }
    if (subscriber.closed) return; // the client left while we were reading
    this.subscribers.add(subscriber);
    this.startTimers();
  }

  private async newestOperationId(): Promise<number> {
    const page = await this.service.operations({ limit: 1 });
    return page.operations[0]?.id ?? 0;
  }

  private unsubscribe(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0) return;
    this.stopTimers();
    // The next listener starts from the newest operation, not from where the last one left.
    this.cursor = null;
  }

  private startTimers(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    this.pingTimer = setInterval(() => this.broadcast(this.pingEvent), this.options.pingMs);
  }

  private stopTimers(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.timer = null;
    this.pingTimer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow database must not stack up polls
    this.polling = true;
    try {
      const cursor = this.cursor;
      if (cursor !== null) {
        // The unsettled window again (at most OPERATION_WINDOW_IDS rows), then what is new.
        const operations = await this.service.operationsFrom(cursor.settledId, OPERATION_WINDOW_IDS + this.options.maxReplayRows);
        for (const operation of operations) if (cursor.take(operation.id)) this.broadcast(operationEvent(operation.id, toOperationView(operation)));
        cursor.settle(this.clock.nowMs());
      }
      for (const subscriber of this.subscribers) await this.pushStatus(subscriber);
    } catch (error) {
      this.broadcast(sinkErrorEvent(error));
    } finally {
      this.polling = false;
    }
  }

  private async pushStatus(subscriber: Subscriber): Promise<void> {
    const view = await this.service.status(subscriber.daemonId);
    const key = changeKey(view);
    if (key === subscriber.lastStatusKey) return;
    subscriber.lastStatusKey = key;
    subscriber.send(`event: status\ndata: ${JSON.stringify(view)}\n\n`);
  }

  private broadcast(chunk: string): void {
    for (const subscriber of this.subscribers) {
      subscriber.send(chunk);
      if (subscriber.closed) this.unsubscribe(subscriber);
    }
  }
}

function operationEvent(id: number, data: unknown): string {
  return `id: ${id}\nevent: operation\ndata: ${JSON.stringify(data)}\n\n`;
}

function sinkErrorEvent(error: unknown): string {
  const reason = error instanceof Error ? error.name : "Error";
  return `event: sink_error\ndata: ${JSON.stringify({ message: `The database did not answer (${reason}); retrying.` })}\n\n`;
}

/** The view minus what changes by the mere passing of time (ages), so status is pushed on real changes and lamp flips. */
function changeKey(view: StatusView): string {
  return JSON.stringify({
    ...view,
    generated_at_ms: 0,
    heartbeat: view.heartbeat === null ? null : { ...view.heartbeat, age_ms: 0 },
    daemons: view.daemons.map((daemon) => ({ ...daemon, heartbeat_age_ms: 0 })),
  });
}
