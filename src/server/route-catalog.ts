// Every HTTP route: path, who may call it, and its schemas. The app registers exactly these
// (a test checks), the auth hook reads `access` from here, and /openapi.json is built from it.
import { Type } from "@sinclair/typebox";
import type { TObject, TSchema } from "@sinclair/typebox";
import { BACKTEST_RUN_PARAMS_SCHEMA, BACKTEST_RUN_VIEW_SCHEMA, BACKTEST_RUNS_PAGE_SCHEMA, BACKTESTS_QUERY_SCHEMA } from "./backtest-runs-view.ts";
import { CONFIRM_NEEDED, CONTROL_BODY_SCHEMA, CONTROL_ID_PARAMS_SCHEMA, CONTROL_PATHS, CONTROL_RECEIPT_SCHEMA, CONTROL_VIEW_SCHEMA } from "./control-view.ts";
import { HISTORY_PAGE_SCHEMA, HISTORY_QUERY_SCHEMA } from "./history-view.ts";
import { DAEMON_ID_PATTERN } from "./http-input.ts";
import { OPERATIONS_PAGE_SCHEMA, OPERATIONS_QUERY_SCHEMA } from "./operations-view.ts";
import { STATUS_VIEW_SCHEMA } from "./status-view-schema.ts";

/**
 * public: anyone who can reach the port (no data beyond "alive").
 * read: everyone on loopback; a bearer token when the server binds another address.
 * control: always a bearer token.
 */
export type RouteAccess = "public" | "read" | "control";

export interface RouteResponse {
  readonly description: string;
  readonly schema?: TSchema;
  /** Default application/json. */
  readonly contentType?: string;
}

export interface RouteSpec {
  readonly method: "GET" | "POST";
  /** Elysia path syntax (`/control/:id`). */
  readonly path: string;
  readonly summary: string;
  readonly access: RouteAccess;
  readonly query?: TObject;
  readonly params?: TObject;
  readonly body?: TObject;
  readonly responses: Readonly<Record<number, RouteResponse>>;
}

export const ERROR_SCHEMA = Type.Object({
  error: Type.String({ description: "Stable code: invalid_request, unauthorized, rate_limited, not_found, payload_too_large, internal." }),
  field: Type.Optional(Type.String({ description: "The query parameter or body field that was wrong." })),
  message: Type.String(),
});

const BAD_REQUEST: RouteResponse = { description: "A parameter or body field is invalid; `field` names it.", schema: ERROR_SCHEMA };
const UNAUTHORIZED: RouteResponse = { description: "Missing or wrong bearer token (429 after repeated failures).", schema: ERROR_SCHEMA };
const STATUS_QUERY_SCHEMA = Type.Object(
  { daemon_id: Type.Optional(Type.String({ pattern: DAEMON_ID_PATTERN, description: "Daemon to show; default the server's status.daemon_id when it has a row, else the one with the worst lamp." })) },
  { additionalProperties: false },
);
const EVENTS_QUERY_SCHEMA = STATUS_QUERY_SCHEMA;
const PROBE_SCHEMA = Type.Object({ ok: Type.Boolean(), sink: Type.Optional(Type.String()) });

export const ROUTES = {
  dashboard: { method: "GET", path: "/", summary: "The live dashboard (HTML; data is fetched from the read routes).", access: "public", responses: { 200: { description: "HTML page.", contentType: "text/html" } } },
  dashboardScript: { method: "GET", path: "/dashboard.js", summary: "Dashboard script.", access: "public", responses: { 200: { description: "JavaScript.", contentType: "text/javascript" } } },
  dashboardChart: { method: "GET", path: "/dashboard-chart.ts", summary: "Dashboard chart module (JavaScript, named after its source).", access: "public", responses: { 200: { description: "JavaScript.", contentType: "text/javascript" } } },
  dashboardFormat: { method: "GET", path: "/dashboard-format.ts", summary: "Dashboard number formatting module (JavaScript, named after its source).", access: "public", responses: { 200: { description: "JavaScript.", contentType: "text/javascript" } } },
  dashboardStream: { method: "GET", path: "/dashboard-stream.ts", summary: "Dashboard live event stream module (JavaScript, named after its source).", access: "public", responses: { 200: { description: "JavaScript.", contentType: "text/javascript" } } },
  dashboardLiveness: { method: "GET", path: "/dashboard-liveness.ts", summary: "Dashboard lamp liveness module (JavaScript, named after its source).", access: "public", responses: { 200: { description: "JavaScript.", contentType: "text/javascript" } } },
  dashboardStyle: { method: "GET", path: "/dashboard.css", summary: "Dashboard styles.", access: "public", responses: { 200: { description: "CSS.", contentType: "text/css" } } },
  docs: { method: "GET", path: "/docs", summary: "Browsable API reference built from /openapi.json.", access: "public", responses: { 200: { description: "HTML page.", contentType: "text/html" } } },
  openapi: { method: "GET", path: "/openapi.json", summary: "OpenAPI 3.1 document of this API.", access: "public", responses: { 200: { description: "OpenAPI document." } } },
  healthz: { method: "GET", path: "/healthz", summary: "The server process is alive (does not touch the database).", access: "public", responses: { 200: { description: "Alive.", schema: PROBE_SCHEMA } } },
  readyz: {
    method: "GET",
    path: "/readyz",
    summary: "The database answers a trivial query.",
    access: "public",
    responses: { 200: { description: "Ready.", schema: PROBE_SCHEMA }, 503: { description: "Database unreachable.", schema: PROBE_SCHEMA } },
  },
  status: {
    method: "GET",
    path: "/status",
    summary: "Current view of one daemon: lamp, self-check with reasons, heartbeat, broker, market data, legs, delta, hedges, PnL, volatility.",
    access: "read",
    query: STATUS_QUERY_SCHEMA,
    responses: { 200: { description: "Always 200 when the database answers; a missing daemon is a red lamp.", schema: STATUS_VIEW_SCHEMA }, 400: BAD_REQUEST, 401: UNAUTHORIZED },
  },
  operations: {
    method: "GET",
    path: "/operations",
    summary: "Operations (intents, orders, fills, rejects, controls...), newest first, cursor-paginated. Send Accept: text/csv for CSV.",
    access: "read",
    query: OPERATIONS_QUERY_SCHEMA,
    responses: { 200: { description: "One page (JSON) or CSV with a header row.", schema: OPERATIONS_PAGE_SCHEMA }, 400: BAD_REQUEST, 401: UNAUTHORIZED },
  },
  history: {
    method: "GET",
    path: "/history",
    summary: "Status history between two times, optionally downsampled (every=1m).",
    access: "read",
    query: HISTORY_QUERY_SCHEMA,
    responses: { 200: { description: "Points, oldest first.", schema: HISTORY_PAGE_SCHEMA }, 400: BAD_REQUEST, 401: UNAUTHORIZED },
  },
  events: {
    method: "GET",
    path: "/events",
    summary: "Server-sent events: `status` when the view changes, `operation` for each new operation, `ping` keep-alives.",
    access: "read",
    query: EVENTS_QUERY_SCHEMA,
    responses: { 200: { description: "text/event-stream.", contentType: "text/event-stream" }, 401: UNAUTHORIZED },
  },
  backtests: {
    method: "GET",
    path: "/backtests",
    summary: "Backtest runs recorded by `gs backtest` (the sink's backtest_runs), most recently started first, with a headline each.",
    access: "read",
    query: BACKTESTS_QUERY_SCHEMA,
    responses: { 200: { description: "The runs.", schema: BACKTEST_RUNS_PAGE_SCHEMA }, 400: BAD_REQUEST, 401: UNAUTHORIZED },
  },
  backtestShow: {
    method: "GET",
    path: "/backtests/:runId",
    summary: "One recorded backtest run with its whole summary (PnL attribution, months, guard verification, settings).",
    access: "read",
    params: BACKTEST_RUN_PARAMS_SCHEMA,
    responses: { 200: { description: "The run.", schema: BACKTEST_RUN_VIEW_SCHEMA }, 400: BAD_REQUEST, 401: UNAUTHORIZED, 404: { description: "No such run.", schema: ERROR_SCHEMA } },
  },
  metrics: { method: "GET", path: "/metrics", summary: "Prometheus metrics (gs_ prefix).", access: "read", responses: { 200: { description: "Text exposition format 0.0.4.", contentType: "text/plain; version=0.0.4" }, 401: UNAUTHORIZED } },
  controlIssue: {
    method: "POST",
    path: "/control/:command",
    summary: `Queue a command for the daemon (${CONTROL_PATHS.join(", ")}); ${Object.keys(CONFIRM_NEEDED).join(" and ")} need {"confirm": true}.`,
    access: "control",
    params: Type.Object({ command: Type.Union(CONTROL_PATHS.map((path) => Type.Literal(path))) }),
    body: CONTROL_BODY_SCHEMA,
    responses: {
      202: { description: "Queued; poll status_url.", schema: CONTROL_RECEIPT_SCHEMA },
      400: BAD_REQUEST,
      401: UNAUTHORIZED,
      404: { description: "unknown_daemon: the target daemon id never wrote a status row (a typo?); the message lists the known ids.", schema: ERROR_SCHEMA },
      413: { description: "Body larger than 16 KiB.", schema: ERROR_SCHEMA },
    },
  },
  controlShow: {
    method: "GET",
    path: "/control/:id",
    summary: "Whether the daemon consumed a command, and its result.",
    access: "read",
    params: CONTROL_ID_PARAMS_SCHEMA,
    responses: { 200: { description: "The command.", schema: CONTROL_VIEW_SCHEMA }, 400: BAD_REQUEST, 401: UNAUTHORIZED, 404: { description: "No such command.", schema: ERROR_SCHEMA } },
  },
} as const satisfies Readonly<Record<string, RouteSpec>>;

export const ROUTE_LIST: readonly RouteSpec[] = Object.values(ROUTES);

/**
 * The access level of a registered route (Elysia path syntax). HEAD runs the GET handler, so
 * it gets GET's level; anything not in the catalog fails closed (control: token required).
 */
export function accessOf(method: string, path: string): RouteAccess {
  return ACCESS_BY_ROUTE.get(`${method === "HEAD" ? "GET" : method} ${path}`) ?? "control";
}

const ACCESS_BY_ROUTE: ReadonlyMap<string, RouteAccess> = new Map(ROUTE_LIST.map((route) => [`${route.method} ${route.path}`, route.access]));
