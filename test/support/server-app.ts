// Builds the real `gs serve` app over a real sink for in-process tests (app.handle, no port).
import { BearerAuth } from "../../src/server/bearer-auth.ts";
import type { FailureLimit } from "../../src/server/bearer-auth.ts";
import { createServerApp } from "../../src/server/app.ts";
import type { ServerApp } from "../../src/server/app.ts";
import { EventHub } from "../../src/server/event-stream.ts";
import { memoryServerLog } from "../../src/server/server-log.ts";
import { StatusService } from "../../src/server/status-service.ts";
import type { Sink } from "../../src/sink/port.ts";
import { T0_MS } from "./sink-rows.ts";

export const TEST_TOKEN = "test-token-8f3a2c91d4e5";

export interface ServerUnderTest {
  readonly app: ServerApp;
  readonly service: StatusService;
  readonly events: EventHub;
  readonly logLines: string[];
  /** The server's clock; tests move it by assignment. */
  nowMs: number;
  request(method: string, path: string, init?: { token?: string | null; body?: string; headers?: Record<string, string> }): Promise<Response>;
}

export interface ServerTestOptions {
  readonly token?: string | null;
  readonly readsNeedToken?: boolean;
  readonly staleDataMs?: number;
  readonly defaultDaemonId?: string;
  readonly failureLimit?: FailureLimit;
  readonly pollMs?: number;
  readonly nowMs?: number;
  readonly readTimeoutMs?: number;
  readonly maxReplayRows?: number;
}

export function serverUnderTest(sink: Sink, options: ServerTestOptions = {}): ServerUnderTest {
  const logLines: string[] = [];
  const token = options.token === undefined ? TEST_TOKEN : options.token;
  const harness = {
    nowMs: options.nowMs ?? T0_MS + 1_000,
  } as ServerUnderTest;
  const clock = { nowMs: () => harness.nowMs };
  const service = new StatusService({ sink, clock, rules: { staleDataMs: options.staleDataMs ?? 5_000 }, defaultDaemonId: options.defaultDaemonId ?? "gs-test", ...(options.readTimeoutMs === undefined ? {} : { readTimeoutMs: options.readTimeoutMs }) });
  const events = new EventHub(service, clock, { pollMs: options.pollMs ?? 20, pingMs: 60_000, maxReplayRows: options.maxReplayRows ?? 1000 });
  const app = createServerApp({
    service,
    clock,
    auth: new BearerAuth(token, options.failureLimit),
    readsNeedToken: options.readsNeedToken ?? false,
    events,
    log: memoryServerLog(logLines, token === null ? [] : [token]),
    version: "test",
  });
  return Object.assign(harness, {
    app,
    service,
    events,
    logLines,
    request(method: string, path: string, init: { token?: string | null; body?: string; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      const bearer = init.token === undefined ? (method === "POST" ? token : null) : init.token;
      if (bearer !== null && bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      if (init.body !== undefined) headers["content-type"] ??= "application/json";
      return app.handle(new Request(`http://localhost${path}`, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) }));
    },
  });
}
