// Delayed market data with broker = ib (fake TWS, both sinks): refused for hedging with a
// visible reason unless ib.accept_delayed is true.
import { afterEach, expect, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { operations, SETTINGS, testConfig } from "./daemon-harness.ts";
import { closeScenes, hedgingScene, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

describeSinks("daemon with broker = ib: delayed market data", (makeSink) => {
  test("delayed quotes are not hedged on: the status shows delayed_data and no order is sent", async () => {
    const { sink, tws, clock, running } = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 }, (fake) => (fake.marketDataMode = "delayed"));
    await until(clock, () => running.daemon.statusNow().details.marketDataKind === "delayed", "a delayed quote");
    await clock.advance(SETTINGS.heartbeatMs);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(running.daemon.statusNow().daemonId);
    expect(status?.details.marketDataKind).toBe("delayed");
    expect(status?.details.lastDecision).toMatchObject({ type: "deny", code: "delayed_data" });
    expect(status?.blockReasons.map((reason) => reason.code)).toContain("delayed_data");
    expect(tws.requestsOf("place_order")).toEqual([]);
    expect(await operations(sink, ["hedge_intent"])).toEqual([]);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("with ib.accept_delayed = true the same delayed quotes are hedged on", async () => {
    const base = testConfig();
    const config = { ...base, ib: { ...base.ib, accept_delayed: true } };
    const { tws, clock, running } = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 }, (fake) => (fake.marketDataMode = "delayed"), config);
    await until(clock, () => tws.requestsOf("place_order").length === 1, "a hedge on delayed data");
    expect(tws.requestsOf("place_order")[0]?.request.action).toBe("SELL");
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
