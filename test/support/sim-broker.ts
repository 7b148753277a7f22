// A SimBroker for tests and benches: a quiet account on a fake clock with small latencies;
// callers override what their case needs (account, costs, option marks).
import type { SimBrokerOptions } from "../../src/broker/sim/sim-broker.ts";
import { SimBroker } from "../../src/broker/sim/sim-broker.ts";
import type { FakeClock } from "./fake-clock.ts";

export function testSimBroker(clock: FakeClock, overrides: Partial<SimBrokerOptions> = {}): SimBroker {
  return new SimBroker({
    symbol: "SPY",
    account: "TEST",
    clock,
    costs: { slippageBps: 0, commissionPerShareUsd: 0.005, minCommissionUsd: 1 },
    halfSpreadBps: 1,
    ackLatencyMs: 5,
    fillLatencyMs: 20,
    cancelLatencyMs: 5,
    markOption: () => null,
    initialAccount: { positions: [], executions: [], nextOrderId: 1 },
    ...overrides,
  });
}
