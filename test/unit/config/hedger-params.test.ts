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

test("broker greeks age and the position settle time are config keys, in milliseconds in core", () => {
  const defaults = hedgerParamsFromConfig(configWith([]));
  expect([defaults.strategy.brokerGreeksMaxAgeMs, defaults.positionSettleMs]).toEqual([60_000, 30_000]);
  const params = hedgerParamsFromConfig(configWith(["strategy.broker_greeks_max_age_s=20", "strategy.position_settle_s=90"]));
  expect([params.strategy.brokerGreeksMaxAgeMs, params.positionSettleMs]).toEqual([20_000, 90_000]);
  expect(() => configWith(["strategy.position_settle_s=0"])).toThrow("strategy.position_settle_s");
});
