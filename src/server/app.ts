// The Elysia app of `gs serve`. Handlers are one call into StatusService; this file only
// does HTTP: access control, input parsing, content negotiation, errors, latency metrics.
// The service and clock are injected with `decorate`: no globals, tests use app.handle().
import { Elysia } from "elysia";
import { DeadlineExceededError } from "../sink/deadline.ts";
import type { BearerAuth } from "./bearer-auth.ts";
import { CONTROL_BODY_SCHEMA, UnknownDaemonError } from "./control-view.ts";
import type { ControlPath } from "./control-view.ts";
import { DASHBOARD_ASSETS } from "./dashboard/dashboard-assets.ts";
import type { EventHub } from "./event-stream.ts";
import { InputError, parseQuery, readJsonBody, validate } from "./http-input.ts";
import { LoopbackHostCheck } from "./loopback.ts";
import { buildOpenApiDocument, renderApiDocsPage } from "./openapi-document.ts";
import { operationsToCsv } from "./operations-view.ts";
import { Histogram } from "./prometheus-text.ts";
import { accessOf, ROUTES } from "./route-catalog.ts";
import type { ServerLog } from "./server-log.ts";
import type { ServerClock, StatusService } from "./status-service.ts";

export interface ServerAppOptions {
  readonly service: StatusService;
  readonly clock: ServerClock;
  readonly auth: BearerAuth;
  /** True when bound to a non-loopback address: read routes need the token too. */
  readonly readsNeedToken: boolean;
  /**
   * On a loopback bind, refuse requests whose Host is not a loopback name: a web page on
   * another site cannot use DNS rebinding to read the open loopback routes.
   */
  readonly loopbackHostOnly?: boolean;
  readonly events: EventHub;
  readonly log: ServerLog;
  readonly version: string;
  readonly maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

// Handlers return text plus a content type (typed()), not a Response: Elysia then builds one
// Response with the security headers, where a returned Response would be rebuilt to add them.
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

export function createServerApp(options: ServerAppOptions) {
  const { auth, log } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const latency = new Histogram("gs_http_request_duration_seconds", "Time to handle an HTTP request, by route and status code.");
  const startedAt = new WeakMap<Request, number>();
  // Status of answers made by onError: Elysia's after-response hook does not see them (a 404 showed as 200).
  const errorStatus = new WeakMap<Request, number>();
  const loopbackHosts = new LoopbackHostCheck();
  const openApi = buildOpenApiDocument(options.version);
  const openApiJson = JSON.stringify(openApi); // built once: the routes never change at run time
  const docsPage = renderApiDocsPage(openApi);

  function answerError(code: string | number, error: unknown, request: Request): Response {
    if (error instanceof InputError) return errorResponse(error.status, errorCode(error.status), error.message, error.field);
    if (error instanceof UnknownDaemonError) return errorResponse(404, "unknown_daemon", error.message, "daemon_id");
    if (code === "NOT_FOUND") return errorResponse(404, "not_found", `No route ${request.method} ${new URL(request.url).pathname}.`);
    if (code === "PARSE") return errorResponse(400, "invalid_request", "The request could not be parsed.");
    if (error instanceof DeadlineExceededError) return errorResponse(503, "sink_unreachable", `The status database did not answer: ${error.message}.`);
    log.log("error", `${request.method} ${new URL(request.url).pathname} failed: ${error instanceof Error ? error.message : String(error)}`);
    return errorResponse(500, "internal", "Internal error; the server log has the details.");
  }

  return new Elysia()
    .decorate({ service: options.service, clock: options.clock })
    .headers(SECURITY_HEADERS)
    .onRequest(({ request }) => {
      startedAt.set(request, performance.now());
      if (options.loopbackHostOnly === true && !loopbackHosts.allows(request.headers.get("host"))) {
        return errorResponse(403, "forbidden_host", "This server only answers requests addressed to 127.0.0.1, ::1 or localhost.");
      }
    })
    .onAfterResponse(({ request, route, set, responseValue }) => {
      const start = startedAt.get(request);
      if (start === undefined || route === "/events") return;
      // Handlers and hooks answer with a Response (whose status is authoritative) or a value (set.status).
      const status = errorStatus.get(request) ?? (responseValue instanceof Response ? responseValue.status : (set.status ?? 200));
      latency.observe({ method: request.method, route: route ?? "unmatched", code: String(status) }, (performance.now() - start) / 1000);
    })
    .onError(({ code, error, request }) => {
      const response = answerError(code, error, request);
      errorStatus.set(request, response.status);
      return response;
    })
    .onBeforeHandle(({ request, route, server, clock }) => {
      const access = accessOf(request.method, route);
      if (access === "public" || (access === "read" && !options.readsNeedToken)) return;
      const client = server?.requestIP(request)?.address ?? "in-process";
      const outcome = auth.check(request.headers.get("authorization"), client, clock.nowMs());
      if (outcome === "ok") return;
      log.log("warn", `${outcome === "rate_limited" ? "rate-limited" : "unauthorized"} ${request.method} ${new URL(request.url).pathname} from ${client}`);
      if (outcome === "rate_limited") {
        return errorResponse(429, "rate_limited", "Too many failed attempts; try again later.", undefined, { "retry-after": String(auth.retryAfterS(client, clock.nowMs())) });
      }
      return errorResponse(401, "unauthorized", "Authentication required.", undefined, { "www-authenticate": 'Bearer realm="gs"' });
    })
    .get(ROUTES.dashboard.path, ({ set }) => typed(set, "text/html; charset=utf-8", DASHBOARD_ASSETS.html))
    .get(ROUTES.dashboardScript.path, ({ set }) => typed(set, "text/javascript; charset=utf-8", DASHBOARD_ASSETS.script()))
    .get(ROUTES.dashboardChart.path, ({ set }) => typed(set, "text/javascript; charset=utf-8", DASHBOARD_ASSETS.chartScript()))
    .get(ROUTES.dashboardFormat.path, ({ set }) => typed(set, "text/javascript; charset=utf-8", DASHBOARD_ASSETS.formatScript()))
    .get(ROUTES.dashboardLiveness.path, ({ set }) => typed(set, "text/javascript; charset=utf-8", DASHBOARD_ASSETS.livenessScript()))
    .get(ROUTES.dashboardStream.path, ({ set }) => typed(set, "text/javascript; charset=utf-8", DASHBOARD_ASSETS.streamScript()))
    .get(ROUTES.dashboardStyle.path, ({ set }) => typed(set, "text/css; charset=utf-8", DASHBOARD_ASSETS.style))
    .get(ROUTES.docs.path, ({ set }) => typed(set, "text/html; charset=utf-8", docsPage))
    .get(ROUTES.openapi.path, ({ set }) => typed(set, JSON_CONTENT_TYPE, openApiJson))
    .get(ROUTES.healthz.path, () => ({ ok: true }))
    .get(ROUTES.readyz.path, async ({ service, set }) => {
      const ok = await service.ready();
      set.status = ok ? 200 : 503;
      return { ok, sink: service.sinkKind };
    })
    .get(ROUTES.status.path, ({ service, request, set }) => {
      const daemonId = parseQuery(ROUTES.status.query, request.url).daemon_id ?? null;
      return typed(set, JSON_CONTENT_TYPE, service.memoisedStatusJson(daemonId) ?? service.statusJson(daemonId));
    })
    .get(ROUTES.operations.path, async ({ service, request }) => {
      const page = await service.operations(parseQuery(ROUTES.operations.query, request.url));
      if (!wantsCsv(request)) return page;
      return new Response(operationsToCsv(page.operations), {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="operations.csv"', ...(page.next_cursor === null ? {} : { "x-next-cursor": page.next_cursor }) },
      });
    })
    .get(ROUTES.history.path, ({ service, request }) => service.history(parseQuery(ROUTES.history.query, request.url)))
    .get(ROUTES.events.path, ({ request }) => options.events.open(parseQuery(ROUTES.events.query, request.url).daemon_id ?? null, request.headers.get("last-event-id")))
    .get(ROUTES.backtests.path, ({ service, request }) => service.backtests(parseQuery(ROUTES.backtests.query, request.url)))
    .get(ROUTES.backtestShow.path, async ({ service, params }) => {
      const runId = validate(ROUTES.backtestShow.params, params, "runId").runId;
      return (await service.backtest(runId)) ?? errorResponse(404, "not_found", `No backtest run with id ${JSON.stringify(runId)}.`);
    })
    .get(ROUTES.metrics.path, ({ service, set }) => typed(set, "text/plain; version=0.0.4; charset=utf-8", service.metrics(latency)))
    .post(
      ROUTES.controlIssue.path,
      async ({ service, request, params, server, set }) => {
        const path = validate(ROUTES.controlIssue.params, params, "command").command as ControlPath;
        const body = validate(CONTROL_BODY_SCHEMA, await readJsonBody(request, maxBodyBytes), "body");
        const client = server?.requestIP(request)?.address ?? "in-process";
        const receipt = await service.issueControl(path, body, `http ${client}`);
        log.log("info", `control ${receipt.command} queued id=${receipt.id} daemon=${receipt.daemon_id} by ${client}`);
        set.status = 202;
        return receipt;
      },
      // The body is read by the handler, after the token check and with a size limit.
      { parse: "none" },
    )
    .get(ROUTES.controlShow.path, async ({ service, params }) => {
      const id = Number(validate(ROUTES.controlShow.params, params, "id").id);
      const view = await service.control(id);
      return view ?? errorResponse(404, "not_found", `No control command with id ${id}.`);
    });
}

export type ServerApp = ReturnType<typeof createServerApp>;


function errorCode(status: number): string {
  return status === 413 ? "payload_too_large" : status === 415 ? "unsupported_media_type" : "invalid_request";
}

function errorResponse(status: number, error: string, message: string, field?: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, ...(field === undefined ? {} : { field }), message }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

/** Text (or its promise) with its content type; Elysia adds the security headers in the one Response it builds. */
function typed<T extends string | Promise<string>>(set: { headers: Record<string, unknown> }, contentType: string, body: T): T {
  set.headers["content-type"] = contentType;
  return body;
}

function wantsCsv(request: Request): boolean {
  return (request.headers.get("accept") ?? "").toLowerCase().includes("text/csv");
}
