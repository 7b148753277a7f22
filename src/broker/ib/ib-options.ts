// Everything the IB adapter needs, explicit: nothing comes from @stoqey/ib's own
// defaults or a .env file (a compiled binary never loads those).
import type { GsConfig } from "../../config/schema.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type BrokerLog = (level: LogLevel, message: string) => void;

export interface IbBrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  /** Consecutive client ids tried when TWS answers 326 (id in use). */
  readonly clientIdMaxTries: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** "" = the only account the login manages. */
  readonly account: string;
  readonly marketDataType: "live" | "delayed";
  readonly exchange: string;
  readonly currency: string;
  /** Outgoing message rate the client allows itself (TWS disconnects above 50/s). */
  readonly maxRequestsPerSecond: number;
  readonly log: BrokerLog;
  readonly now: () => number;
}

const TWS_SAFE_MESSAGE_RATE = 45;

export function stderrLog(level: LogLevel, message: string): void {
  if (level !== "debug") process.stderr.write(`${level} ib: ${message}\n`);
}

export function ibOptionsFromConfig(config: GsConfig, log: BrokerLog = stderrLog): IbBrokerOptions {
  const ib = config.ib;
  return {
    host: ib.host,
    port: ib.port,
    clientId: ib.client_id,
    clientIdMaxTries: ib.client_id_max_tries,
    connectTimeoutMs: ib.connect_timeout_s * 1000,
    requestTimeoutMs: ib.request_timeout_s * 1000,
    account: ib.account,
    marketDataType: ib.market_data_type,
    exchange: config.strategy.exchange,
    currency: config.strategy.currency,
    maxRequestsPerSecond: TWS_SAFE_MESSAGE_RATE,
    log,
    now: Date.now,
  };
}
