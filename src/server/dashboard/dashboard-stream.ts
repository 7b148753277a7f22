// The dashboard's live connection to /events. Read with fetch streaming, so the token travels
// in a header, never in the URL; reconnects with Last-Event-ID. A stalled path (SSH tunnel,
// proxy) delivers nothing and closes nothing, so silence itself ends the stream: the server
// pings every interval it announces, and a few missed pings mean the page is no longer live.
// Served at /dashboard-stream.ts for the client.
import { DEFAULT_PING_INTERVAL_MS, streamSilenceLimitMs } from "./dashboard-liveness.ts";

export interface StreamHandlers {
  /** One server-sent event other than ping. */
  onEvent(event: string, data: string): void;
  onLive(): void;
  /** Live updates stopped; `why` is shown to the operator. */
  onLost(why: string): void;
  /** The server wants a token; resolves when the operator answered. */
  onUnauthorized(): Promise<unknown>;
}

const RECONNECT_DELAY_MS = 3000;

export class EventFollower {
  private abort = new AbortController();
  private lastHeardAtMs = Date.now();
  private pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
  private lastEventId: string | null = null;

  constructor(
    private readonly handlers: StreamHandlers,
    private readonly headers: () => Record<string, string>,
  ) {}

  /** Drops the current connection and opens a new one at once (another daemon was chosen). */
  reconnect(): void {
    this.abort.abort();
  }

  /** Called every second: a stream silent for longer than a few pings is lost and reopened. */
  checkSilence(nowMs: number): void {
    const silentMs = nowMs - this.lastHeardAtMs;
    if (silentMs <= streamSilenceLimitMs(this.pingIntervalMs)) return;
    this.lastHeardAtMs = nowMs; // the new connection gets a full window of its own
    this.handlers.onLost(`nothing from gs serve for ${Math.round(silentMs / 1000)} s (network, tunnel or proxy stalled, or gs serve is down)`);
    this.abort.abort();
  }

  /** Follows `path()` (read again on each connect) for as long as the page lives. */
  async run(path: () => string): Promise<never> {
    for (;;) {
      try {
        this.abort = new AbortController();
        const response = await fetch(path(), { signal: this.abort.signal, headers: { ...this.headers(), ...(this.lastEventId === null ? {} : { "last-event-id": this.lastEventId }) } });
        if (response.status === 401) await this.handlers.onUnauthorized();
        if (!response.ok || response.body === null) throw new Error(`events answered ${response.status}`);
        this.lastHeardAtMs = Date.now();
        this.handlers.onLive();
        await this.read(response.body);
      } catch {
        // fall through to the reconnect below
      }
      if (this.abort.signal.aborted) continue;
      this.handlers.onLost("the connection to gs serve failed or closed");
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
    }
  }

  private async read(body: NonNullable<Response["body"]>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      this.lastHeardAtMs = Date.now();
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
  }

  private dispatch(block: string): void {
    let event = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
      else if (line.startsWith("id: ")) this.lastEventId = line.slice(4);
    }
    if (event === "ping") this.pingIntervalMs = (JSON.parse(data) as { interval_ms?: number }).interval_ms ?? this.pingIntervalMs;
    else this.handlers.onEvent(event, data);
  }
}

// The server imports this file's source text; this default export only types that import.
export default "" as string;
