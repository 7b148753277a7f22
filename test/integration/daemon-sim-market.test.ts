// The daemon's simulated market built from config: sim.slippage_bps moves hedge fills beyond
// the quote, and the default speed replays ten market minutes per wall second.
import { expect, test } from "bun:test";
import { createSimMarket } from "../../src/broker/sim/create-sim-market.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { ExecutionReport } from "../../src/core/order.ts";
import { FakeClock } from "../support/fake-clock.ts";

const configWith = (overrides: string[]) => loadConfig({ configPath: null, overrides }).config;

test.each([
  [0, 0],
  [10, 10],
])("sim.slippage_bps=%p: a market buy fills %p bps above the ask", async (slippageBps, expectedBps) => {
  const config = configWith([`sim.slippage_bps=${slippageBps}`, "sim.latency_ms=10"]);
  const clock = new FakeClock(0);
  const market = await createSimMarket(config, { wallClock: clock, accountFile: null });
  const executions: ExecutionReport[] = [];
  market.broker.onEvent((event) => {
    if (event.type === "execution") executions.push(event.execution);
  });
  let ask: number | null = null;
  market.broker.onEvent((event) => {
    if (event.type === "quote") ask = event.ask;
  });
  await market.broker.connect();
  market.broker.subscribeMarketData([{ secType: "STK", symbol: "SPY" }]);
  if (ask === null) throw new Error("no quote from the sim market");
  market.broker.placeOrder({ orderRef: "t-1", symbol: "SPY", side: "BUY", quantityShares: 100, orderType: "market" });
  await clock.advance(100);
  expect(executions).toHaveLength(1);
  expect(executions[0]?.price).toBeCloseTo(Math.round(ask * (1 + expectedBps / 10_000) * 10_000) / 10_000, 4);
});

test("the default speed is 600 market seconds per wall second", () => {
  expect(configWith([]).sim.speed).toBe(600);
});
