// The Broker contract on the sim broker, driven by a fake clock (latency is clock time).
import { SimBroker } from "../../src/broker/sim/sim-broker.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { describeBrokerContract } from "./broker-contract.ts";
import type { BrokerVenue } from "./broker-contract.ts";

async function simVenue(): Promise<BrokerVenue> {
  const clock = new FakeClock(Date.UTC(2024, 2, 26, 14, 0, 0));
  const broker = new SimBroker({
    symbol: "SPY",
    account: "CONTRACT",
    clock,
    costs: { slippageBps: 0, commissionPerShareUsd: 0.005, minCommissionUsd: 1 },
    halfSpreadBps: 1,
    ackLatencyMs: 5,
    fillLatencyMs: 20,
    cancelLatencyMs: 5,
    markOption: () => null,
    initialAccount: { positions: [], executions: [], nextOrderId: 1 },
  });
  return {
    broker,
    symbol: "SPY",
    capabilities: { holdsOrders: true, dropsConnection: true },
    quote: (bid, ask) => broker.pushQuote({ bid, ask }),
    holdOrders: () => broker.setDefaultScript({ type: "hold" }),
    settle: () => clock.advance(10),
    dropConnection: async () => broker.dropConnection(),
    close: async () => broker.disconnect(),
  };
}

describeBrokerContract("sim (fake clock)", simVenue);
