// The Broker contract on the sim broker, driven by a fake clock (latency is clock time).
import { FakeClock } from "../support/fake-clock.ts";
import { testSimBroker } from "../support/sim-broker.ts";
import { describeBrokerContract } from "./broker-contract.ts";
import type { BrokerVenue } from "./broker-contract.ts";

async function simVenue(): Promise<BrokerVenue> {
  const clock = new FakeClock(Date.UTC(2024, 2, 26, 14, 0, 0));
  const broker = testSimBroker(clock);
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
