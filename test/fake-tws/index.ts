// Public surface of the fake TWS for tests and benchmarks.
export { FakeTws } from "./server.ts";
export type { FakeQuote, FakeTwsOptions, LoggedRequest, OrderPolicy } from "./server.ts";
export type { FakeContract } from "./contract.ts";
export type { FakeGreeks } from "./messages/market-data.ts";
export type { FakeOrderView } from "./messages/orders.ts";
export type { FakeBar } from "./messages/historical.ts";
export type { ClientRequest } from "./requests.ts";
