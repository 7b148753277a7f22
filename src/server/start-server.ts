// `gs serve`: resolve the token, refuse unsafe binds, listen on an open sink. Returns a
// handle whose stop() closes streams and the listener; the sink stays the caller's.
import { readFileSync, statSync } from "node:fs";
import { maskSecret } from "../config/secret-mask.ts";
import type { GsConfig } from "../config/schema.ts";
import { UserError } from "../config/user-error.ts";
import type { Sink } from "../sink/port.ts";
import { createServerApp, DEFAULT_MAX_BODY_BYTES } from "./app.ts";
import { BearerAuth } from "./bearer-auth.ts";
import { isLoopbackHost } from "./loopback.ts";
import { DEFAULT_EVENT_STREAM_OPTIONS, EventHub } from "./event-stream.ts";
import type { ServerLog } from "./server-log.ts";
import { DEFAULT_STATUS_CACHE_MS, StatusService } from "./status-service.ts";
import type { ServerClock } from "./status-service.ts";

/** Shorter tokens are refused: they can be guessed even with the failure limit. */
export const MIN_TOKEN_LENGTH = 16;

const SYSTEM_CLOCK: ServerClock = { nowMs: () => Date.now() };

export interface RunningServer {
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  readonly config: GsConfig;
  readonly log: ServerLog;
  readonly version: string;
  /** Open and migrated (gs serve waits for it as the daemon does); closed by the caller. */
  readonly sink: Sink;
}

/**
 * The bearer token from server.token (which GS_SERVER_TOKEN sets) or server.token_file,
 * or null when neither is set, which only a loopback host may be. A token file must be
 * readable by its owner only.
 */
export function resolveServerToken(server: GsConfig["server"]): string | null {
  if (server.token !== "" && server.token_file !== "") {
    throw new UserError("server.token and server.token_file were both set, expected one of them (token_file keeps the secret out of the config)");
  }
  const token = server.token_file === "" ? server.token : readTokenFile(server.token_file);
  if (token === "") {
    if (!isLoopbackHost(server.host)) {
      throw new UserError(`server.host was ${server.host}, a non-loopback address, with no token: expected server.token, server.token_file or GS_SERVER_TOKEN (or host 127.0.0.1)`);
    }
    return null;
  }
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new UserError(`the server token was ${token.length} characters${/\s/.test(token) ? " with whitespace" : ""}, expected at least ${MIN_TOKEN_LENGTH} without whitespace (e.g. openssl rand -hex 32)`);
  }
  return token;
}

function readTokenFile(path: string): string {
  const expected = "expected a file holding the token, readable by the user gs runs as";
  let mode: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UserError(`server.token_file ${path} was ${stats.isDirectory() ? "a directory" : "not a regular file"}, ${expected}`);
    mode = stats.mode & 0o777;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`server.token_file ${path} was not readable (${errorCode(error)}), ${expected}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new UserError(`server.token_file ${path} had mode 0${mode.toString(8)}, expected 0600 (run: chmod 600 ${path})`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    // A 0600 file owned by another user (gs runs as a different account than the one that wrote it).
    throw new UserError(`server.token_file ${path} was not readable (${errorCode(error)}), ${expected}`);
  }
  const token = (text.split(/\r?\n/)[0] ?? "").trim();
  if (token === "") throw new UserError(`server.token_file ${path} was empty, expected the token on its first line`);
  return token;
}

/** "EACCES", "ENOENT", ...: the reason without the stack or a repeated path. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, log, sink } = options;
  const { host, port } = config.server;
  const token = resolveServerToken(config.server);
  const loopback = isLoopbackHost(host);
  const service = new StatusService({ sink, clock: SYSTEM_CLOCK, rules: { staleDataMs: config.guards.stale_data_ms }, defaultDaemonId: config.status.daemon_id, statusCacheMs: DEFAULT_STATUS_CACHE_MS });
  const events = new EventHub(service, SYSTEM_CLOCK, { ...DEFAULT_EVENT_STREAM_OPTIONS, pollMs: Math.max(250, Math.min(2000, config.status.heartbeat_s * 500)) });
  const app = createServerApp({ service, clock: SYSTEM_CLOCK, auth: new BearerAuth(token), readsNeedToken: !loopback, loopbackHostOnly: loopback, events, log, version: options.version });
  try {
    // Elysia turns SO_REUSEPORT on by default: a second gs serve (or a stale one) would then
    // silently share the port. Off, it fails with EADDRINUSE instead.
    app.listen({ hostname: host, port, maxRequestBodySize: 4 * DEFAULT_MAX_BODY_BYTES, reusePort: false });
  } catch (error) {
    events.close();
    throw new UserError(`cannot listen on ${host}:${port} (server.host/server.port): ${error instanceof Error ? error.message : String(error)}`);
  }
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${app.server?.port ?? port}`;
  const where = config.status.sink === "sqlite" ? `SQLite ${config.status.sqlite.path}` : `PostgreSQL ${maskSecret(config.status.postgres.url)}`;
  const access = loopback ? "reads open on loopback" : "reads need the token";
  log.log("info", `listening on ${url} (sink ${where}; ${access}; control ${token === null ? "disabled: no token configured" : "needs the token"})`);
  return {
    url,
    async stop() {
      events.close();
      await app.stop(true);
      log.log("info", "stopped");
    },
  };
}
