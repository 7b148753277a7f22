// Positions changed outside gs while the daemon runs (sim broker, both sinks): a manual stock
// trade reported once is adopted after the settle time even when no report follows; an option
// leg opened after reconciliation gets market data, a closed one leaves the managed set.
import { expect, setDefaultTimeout, test } from "bun:test";
import { atmStraddle } from "../../src/broker/sim/sim-straddle.ts";
import { contractKey } from "../../src/core/instrument.ts";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, operations, quoteAndSettle, runningDaemon, SESSION_START_MS, SETTINGS, SPOT, stopDaemon } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

/** src/config/hedger-params.ts: a disagreement lasting this long is a manual trade. */
const POSITION_SETTLE_MS = 30_000;

describeSinks("daemon and positions changed outside gs", (makeSink) => {
  test("a manual stock trade reported once is adopted after the settle time, on the clock alone", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    await quoteAndSettle(market);
    await sink.flush();
    const [hedged] = await sink.readStatusCurrent(DAEMON_ID);
    const hedgeShares = hedged?.hedgeShares ?? 0;
    expect(hedgeShares).toBeLessThan(0);

    // The trader buys 100 shares by hand; the venue reports the new position once, then nothing.
    market.broker.setPosition({ contract: { secType: "STK", symbol: "SPY" }, quantity: hedgeShares + 100, avgCost: SPOT, account: "SIM" });
    await market.clock.advance(POSITION_SETTLE_MS - SETTINGS.heartbeatMs);
    await sink.flush();
    const [lagging] = await sink.readStatusCurrent(DAEMON_ID);
    expect(lagging?.hedgeShares).toBe(hedgeShares); // inside the settle time: could still be report lag
    expect(lagging?.details.positionMismatchShares).toBe(100);

    await market.clock.advance(2 * SETTINGS.heartbeatMs); // no quote, no report: heartbeats only
    await sink.flush();
    const [adopted] = await sink.readStatusCurrent(DAEMON_ID);
    expect(adopted?.hedgeShares).toBe(hedgeShares + 100);
    expect(adopted?.details.positionMismatchShares).toBe(0);
    const [row] = (await operations(sink, ["reconcile"])).filter((operation) => operation.reason === "position_adopted");
    expect(row?.quantityShares).toBe(hedgeShares + 100);
    expect(running.log.some((line) => line.includes("adopted a stock position changed outside gs"))).toBe(true);

    // The next quote hedges the 100 shares away (the min-price-move guard wants a move first).
    await market.clock.advance(60_000);
    await quoteAndSettle(market, SPOT * 1.003);
    const intents = await operations(sink, ["hedge_intent"]);
    expect(intents).toHaveLength(2);
    expect(intents[1]?.side).toBe("SELL");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("an option leg opened at runtime gets market data and is hedged; a closed leg is dropped", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    const [call, put] = atmStraddle("SPY", SPOT, SESSION_START_MS);
    const newCall = { ...call, strike: call.strike + 2 };
    market.broker.setPosition({ contract: newCall, quantity: 5, avgCost: 900, account: "SIM" });
    market.broker.pushPrice(SPOT);
    await market.clock.advance(100);
    const opened = running.daemon.statusNow();
    expect(opened.legsCount).toBe(3);
    const added = opened.details.legs?.find((leg) => leg.contractKey === contractKey(newCall));
    // Greeks and a price from the broker's market data, not the model's fallback.
    expect(added).toMatchObject({ quantity: 5, greeksSource: "broker" });
    expect(added?.price).toBeGreaterThan(0);

    market.broker.setPosition({ contract: put, quantity: 0, avgCost: 0, account: "SIM" });
    market.broker.pushPrice(SPOT);
    await market.clock.advance(100);
    const closed = running.daemon.statusNow();
    expect(closed.legsCount).toBe(2);
    expect(closed.details.legs?.map((leg) => leg.contractKey).sort()).toEqual([contractKey(call), contractKey(newCall)].sort());
    // Two calls and no put: the book is long delta, and the hedge sells.
    const [intent] = (await operations(sink, ["hedge_intent"])).slice(-1);
    expect(intent?.side).toBe("SELL");
    expect(await stopDaemon(running, market)).toBe(0);
  });
});
