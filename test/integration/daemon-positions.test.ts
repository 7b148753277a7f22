// Positions changed outside gs while the daemon runs (sim broker, both sinks): a manual stock
// trade reported once is adopted after the settle time even when no report follows, or, with
// strategy.outside_stock_change = "block", held back as a hard block until an operator acts; an
// option leg opened after reconciliation gets market data, a closed one leaves the managed set.
import { expect, setDefaultTimeout, test } from "bun:test";
import { atmStraddle } from "../../src/broker/sim/sim-straddle.ts";
import { contractKey } from "../../src/core/instrument.ts";
import { describeSinks } from "../support/sinks.ts";
import type { GsConfig } from "../../src/config/schema.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { Market, RunningDaemon } from "./daemon-harness.ts";
import { DAEMON_ID, operations, quoteAndSettle, runningDaemon, SESSION_START_MS, SETTINGS, SPOT, stopDaemon, testConfig } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

/** src/config/hedger-params.ts: a disagreement lasting this long is a manual trade. */
const POSITION_SETTLE_MS = 30_000;

const BLOCKING: GsConfig = { ...testConfig(), strategy: { ...testConfig().strategy, outside_stock_change: "block" } };

/** A hedged daemon that blocks on outside changes, and a 100-share trade by hand left past the settle time. */
async function heldBackTrade(sink: Sink): Promise<{ market: Market; running: RunningDaemon; hedgeShares: number }> {
  const { market, running } = await runningDaemon(sink, { config: BLOCKING });
  await quoteAndSettle(market);
  const hedgeShares = running.daemon.statusNow().hedgeShares;
  expect(hedgeShares).toBeLessThan(0);
  market.broker.setPosition({ contract: { secType: "STK", symbol: "SPY" }, quantity: hedgeShares + 100, avgCost: SPOT, account: "SIM" });
  await market.clock.advance(POSITION_SETTLE_MS + SETTINGS.heartbeatMs);
  return { market, running, hedgeShares };
}

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

  test('with outside_stock_change = "block" a manual trade is held back: lamp red, no hedge, one row, until accepted', async () => {
    const sink = await makeSink();
    const { market, running, hedgeShares } = await heldBackTrade(sink);
    const status = running.daemon.statusNow();
    expect(status.hedgeShares).toBe(hedgeShares); // not adopted
    expect(status.details.hardBlock).toBe(true);
    const held = (await operations(sink, ["reconcile"])).filter((row) => row.reason === "position_held_back");
    expect(held).toHaveLength(1); // however many heartbeats and quotes looked at it
    expect(held[0]?.payload).toMatchObject({ brokerHedgeShares: hedgeShares + 100, bookHedgeShares: hedgeShares });
    expect(running.log.some((line) => line.includes("level=error") && line.includes("held back"))).toBe(true);
    await market.clock.advance(60_000);
    await quoteAndSettle(market, SPOT * 1.004);
    expect(await operations(sink, ["hedge_intent"])).toHaveLength(1);

    const id = await sink.issueControl({ daemonId: DAEMON_ID, command: "accept_position", args: { confirm: true }, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await market.clock.advance(0);
    await sink.flush();
    expect((await sink.getControl(id))?.result).toBe(`accepted the broker's position: ${hedgeShares + 100} hedge shares of SPY; block cleared`);
    expect(running.daemon.statusNow().details.hardBlock).toBe(false);
    await quoteAndSettle(market, SPOT * 1.008);
    expect(await operations(sink, ["hedge_intent"])).toHaveLength(2);
    expect((await operations(sink, ["reconcile"])).map((row) => row.reason)).not.toContain("position_adopted");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("flatten is refused while a change is held back: the book's number is disputed", async () => {
    const sink = await makeSink();
    const { market, running } = await heldBackTrade(sink);
    const brokerShares = (await market.broker.positions()).find((position) => position.contract.secType === "STK")?.quantity;
    const id = await sink.issueControl({ daemonId: DAEMON_ID, command: "flatten", args: { confirm: true }, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await market.clock.advance(1_000);
    await sink.flush();
    expect((await sink.getControl(id))?.result).toStartWith("rejected: flatten refused while the hard block");
    expect((await market.broker.positions()).find((position) => position.contract.secType === "STK")?.quantity).toBe(brokerShares);
    expect(await operations(sink, ["hedge_intent"])).toHaveLength(1); // the first hedge only
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a held-back change goes when the account is put back", async () => {
    const sink = await makeSink();
    const { market, running, hedgeShares } = await heldBackTrade(sink);
    expect(running.daemon.statusNow().details.hardBlock).toBe(true);
    market.broker.setPosition({ contract: { secType: "STK", symbol: "SPY" }, quantity: hedgeShares, avgCost: SPOT, account: "SIM" });
    await market.clock.advance(SETTINGS.heartbeatMs);
    expect(running.daemon.statusNow().details.hardBlock).toBe(false);
    expect(running.daemon.statusNow().hedgeShares).toBe(hedgeShares);
    expect((await operations(sink, ["reconcile"])).map((row) => row.reason)).not.toContain("position_adopted");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a restart while a change is held back stays blocked, until the account is put back", async () => {
    const sink = await makeSink();
    const { market, running, hedgeShares } = await heldBackTrade(sink);
    expect(await stopDaemon(running, market)).toBe(0);

    const { running: restarted } = await runningDaemon(sink, { market, config: BLOCKING });
    expect(restarted.daemon.statusNow().details.hardBlock).toBe(true);
    expect((await operations(sink, ["reconcile"])).at(-1)?.reason).toBe("mismatch");
    expect(await stopDaemon(restarted, market)).toBe(0);
    market.broker.setPosition({ contract: { secType: "STK", symbol: "SPY" }, quantity: hedgeShares, avgCost: SPOT, account: "SIM" });

    const { running: third } = await runningDaemon(sink, { market, config: BLOCKING });
    expect(third.daemon.statusNow().details.hardBlock).toBe(false);
    expect((await operations(sink, ["reconcile"])).at(-1)?.reason).toBe("ok");
    expect(await stopDaemon(third, market)).toBe(0);
  });
});
