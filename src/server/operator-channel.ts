// `gs ctl` and `gs status` talk either to a running server (--server URL) or straight to
// the configured sink (same host, or any host that reaches the PostgreSQL database).
import type { GsConfig } from "../config/schema.ts";
import { openExistingSink } from "../sink/open-sink.ts";
import { RemoteStatusService } from "./remote-service.ts";
import type { OperatorChannel } from "./remote-service.ts";
import { resolveServerToken } from "./start-server.ts";
import { StatusService } from "./status-service.ts";

export interface OpenedChannel {
  readonly channel: OperatorChannel;
  /** "http://host:port" or "sqlite var/gs.db" / "postgres": shown in messages. */
  readonly target: string;
  close(): Promise<void>;
}

export async function openOperatorChannel(config: GsConfig, serverUrl: string | undefined, tokenFlag: string | undefined): Promise<OpenedChannel> {
  if (serverUrl !== undefined) {
    const token = tokenFlag ?? resolveServerToken(config.server);
    return { channel: new RemoteStatusService(serverUrl, token), target: serverUrl, close: async () => {} };
  }
  const sink = await openExistingSink(config);
  const channel = new StatusService({ sink, clock: { nowMs: () => Date.now() }, rules: { staleDataMs: config.guards.stale_data_ms }, defaultDaemonId: config.status.daemon_id });
  return {
    channel,
    target: config.status.sink === "sqlite" ? `sqlite ${config.status.sqlite.path}` : "postgres",
    close: async () => {
      await sink.flush();
      await sink.close();
    },
  };
}
