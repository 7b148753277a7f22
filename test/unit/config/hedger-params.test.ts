// The config -> HedgerParams mapping: the band policy takes its cost and risk aversion from
// hedge.band_cost_bps / hedge.band_risk_aversion (not from the simulator's spread).
import { expect, test } from "bun:test";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";
import { loadConfig } from "../../../src/config/load.ts";

const configWith = (overrides: string[]) => loadConfig({ configPath: null, overrides }).config;

test("band policy parameters come from the hedge section", () => {
  const params = hedgerParamsFromConfig(configWith(["hedge.policy=band", "hedge.band_cost_bps=4", "hedge.band_risk_aversion=0.002", "sim.spread_bps=50"]));
  expect(params.hedge.policy).toEqual({ type: "band", costFraction: 0.0004, riskAversion: 0.002 });
});

test("the threshold policy carries no band parameters; the broker-greeks grace is in milliseconds", () => {
  const params = hedgerParamsFromConfig(configWith(["strategy.broker_greeks_grace_s=2.5"]));
  expect(params.hedge.policy).toEqual({ type: "threshold" });
  expect(params.strategy.brokerGreeksGraceMs).toBe(2_500);
});
