// The Broker contract on the IB adapter: the real @stoqey/ib client against the fake TWS
// over loopback. (The sim broker runs the same suite in broker-sim.test.ts.)
import { IbHarness } from "../fake-tws/ib-harness.ts";
import { describeBrokerContract } from "./broker-contract.ts";
import type { BrokerVenue } from "./broker-contract.ts";

async function ibVenue(): Promise<BrokerVenue> {
  const harness = await IbHarness.start();
  harness.tws.orderPolicy = { type: "fill", commissionPerShare: 0.005 };
  return {
    broker: harness.broker,
    symbol: "SPY",
    capabilities: { holdsOrders: true, dropsConnection: true },
    quote: (bid, ask) => harness.tws.setQuote("SPY", { bid, ask }),
    holdOrders: () => void (harness.tws.orderPolicy = { type: "work" }),
    settle: () => Bun.sleep(2),
    dropConnection: async () => {
      const from = harness.events.length;
      harness.tws.dropConnections();
      await harness.waitFor("connection", (e) => e.state === "disconnected", from);
    },
    close: async () => {
      if (harness.decodeErrors().length > 0) throw new Error(`client decode errors (505): ${JSON.stringify(harness.decodeErrors())}`);
      await harness.stop();
    },
  };
}

describeBrokerContract("ib (fake TWS, real @stoqey/ib client)", ibVenue);
