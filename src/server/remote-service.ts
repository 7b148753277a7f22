// The same calls as StatusService, over HTTP to a running `gs serve`: what `gs ctl` and
// `gs status` use with --server. Errors carry the server's JSON message, never the token.
import { UserError } from "../config/user-error.ts";
import type { ControlBody, ControlPath, ControlReceipt, ControlView } from "./control-view.ts";
import type { StatusView } from "./status-view-schema.ts";

/** What `gs ctl` / `gs status` need, from a server or straight from the sink. */
export interface OperatorChannel {
  status(daemonId: string | null): Promise<StatusView>;
  issueControl(path: ControlPath, body: ControlBody, issuedBy: string): Promise<ControlReceipt>;
  control(id: number): Promise<ControlView | null>;
}

const REQUEST_TIMEOUT_MS = 10_000;

export class RemoteStatusService implements OperatorChannel {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string | null,
  ) {
    try {
      this.baseUrl = new URL(baseUrl).toString().replace(/\/$/, "");
    } catch {
      throw new UserError(`--server was ${JSON.stringify(baseUrl)}, expected a URL like http://127.0.0.1:8765`);
    }
  }

  status(daemonId: string | null): Promise<StatusView> {
    return this.call<StatusView>("GET", `/status${daemonId === null ? "" : `?daemon_id=${encodeURIComponent(daemonId)}`}`);
  }

  // The server records its own view of who issued the command (the caller's address).
  issueControl(path: ControlPath, body: ControlBody): Promise<ControlReceipt> {
    return this.call<ControlReceipt>("POST", `/control/${path}`, body);
  }

  async control(id: number): Promise<ControlView | null> {
    return this.call<ControlView | null>("GET", `/control/${id}`, undefined, true);
  }

  private async call<T>(method: string, path: string, body?: unknown, nullOn404 = false): Promise<T> {
    const headers: Record<string, string> = this.token === null ? {} : { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new UserError(`cannot reach ${this.baseUrl}: ${error instanceof Error ? error.message : String(error)} (is gs serve running there?)`);
    }
    if (nullOn404 && response.status === 404) return null as T;
    const text = await response.text();
    if (response.status === 401) throw new UserError(`${this.baseUrl} refused the request (401): expected a valid token via --token, GS_SERVER_TOKEN or server.token_file`);
    if (!response.ok) throw new UserError(`${method} ${path} answered ${response.status}: ${messageOf(text)}`);
    return JSON.parse(text) as T;
  }
}

function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
