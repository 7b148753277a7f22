// Public surface of the IB adapter: the daemon and CLI build it from config.
import type { GsConfig } from "../../config/schema.ts";
import type { Broker } from "../port.ts";
import { IbBroker } from "./ib-broker.ts";
import { ibOptionsFromConfig } from "./ib-options.ts";
import type { BrokerLog, IbBrokerOptions } from "./ib-options.ts";

export { IbBroker } from "./ib-broker.ts";
export { ibOptionsFromConfig, stderrLog } from "./ib-options.ts";
export type { BrokerLog, IbBrokerOptions, LogLevel } from "./ib-options.ts";

export function createIbBroker(config: GsConfig, log?: BrokerLog): Broker {
  return new IbBroker(ibOptionsFromConfig(config, log));
}

export function createIbBrokerFromOptions(options: IbBrokerOptions): IbBroker {
  return new IbBroker(options);
}
