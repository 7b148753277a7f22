// Reads a text/event-stream response block by block, as a browser's EventSource would.
export interface SseEvent {
  readonly event: string;
  readonly id: string | null;
  readonly data: string;
}

/** Reads SSE blocks from a response body until one matches. */
export function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(match: (event: SseEvent) => boolean): Promise<SseEvent> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string): string | null => block.split("\n").find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
          const event = { event: field("event") ?? "message", id: field("id"), data: field("data") ?? "" };
          if (match(event)) return event;
          continue;
        }
        const { done, value } = await reader.read();
        if (done) throw new Error("event stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}
