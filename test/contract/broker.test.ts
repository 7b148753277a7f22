// The Broker contract run on every implementation. The IB adapter runs with the real
// @stoqey/ib client against the fake TWS over loopback; the sim broker on a fake clock.
import { openingAccount, optionMarker } from "../../src/broker/sim/create-sim-market.ts";
import { SimBroker } from "../../src/broker/sim/sim-broker.ts";
import { constantIv } from "../../src/market-data/index.ts";
import { IbHarness } from "../fake-tws/ib-harness.ts";
import { FakeClock } from "../support/fake-clock.ts";
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

/** Tuesday 2024-03-26 10:00 New York: a regular session. */
const SIM_START_MS = Date.UTC(2024, 2, 26, 14, 0, 0);
const SIM_SETTLE_STEP_MS = 10;

async function simVenue(): Promise<BrokerVenue> {
  const clock = new FakeClock(SIM_START_MS);
  const markOption = optionMarker(constantIv(0.15), 0.05, 0.013);
  const broker = new SimBroker({
    symbol: "SPY", account: "SIM", clock, costs: { slippageBps: 0, commissionPerShareUsd: 0.005, minCommissionUsd: 1 },
    halfSpreadBps: 1, ackLatencyMs: 10, fillLatencyMs: 20, cancelLatencyMs: 10, markOption,
    initialAccount: openingAccount("SPY", 100, SIM_START_MS, 1, markOption),
  });
  return {
    broker,
    symbol: "SPY",
    capabilities: { holdsOrders: true, dropsConnection: true },
    quote: (bid, ask) => broker.pushQuote({ bid, ask }),
    holdOrders: () => broker.setDefaultScript({ type: "hold" }),
    settle: () => clock.advance(SIM_SETTLE_STEP_MS),
    dropConnection: async () => broker.dropConnection(),
    close: () => broker.disconnect(),
  };
}

describeBrokerContract("ib (fake TWS, real @stoqey/ib client)", ibVenue);
describeBrokerContract("sim (fake clock)", simVenue);
