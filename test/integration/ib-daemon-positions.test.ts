// Positions changed in "TWS" while the daemon runs with broker = ib (fake TWS, real
// @stoqey/ib client, both sinks). TWS reports a manual trade once and then stays silent.
import { afterEach, expect, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { operations, SETTINGS } from "./daemon-harness.ts";
import { closeScenes, hedgingScene, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

/** src/config/hedger-params.ts: a disagreement lasting this long is a manual trade. */
const POSITION_SETTLE_MS = 30_000;

describeSinks("daemon with broker = ib: positions changed outside gs", (makeSink) => {
  test("a manual stock trade in TWS is adopted after the settle time and leaves a reconcile row", async () => {
    const { sink, tws, clock, running } = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 });
    await until(clock, async () => (await operations(sink, ["fill"])).length === 1, "the first hedge filled");
    const stock = tws.stockContract("SPY");
    const hedgeShares = tws.account.position(tws.account.defaultAccount, stock.conId)?.quantity ?? 0;
    expect(hedgeShares).toBeLessThan(0);
    await until(clock, () => running.daemon.statusNow().hedgeShares === hedgeShares, "the fill in the book");

    tws.setPosition(stock, hedgeShares + 100, 521);
    await until(clock, () => running.daemon.statusNow().details.brokerHedgeShares === hedgeShares + 100, "the manual trade reported");
    await clock.advance(POSITION_SETTLE_MS - SETTINGS.heartbeatMs);
    expect(running.daemon.statusNow().hedgeShares).toBe(hedgeShares); // could still be report lag

    await clock.advance(2 * SETTINGS.heartbeatMs); // TWS sends nothing more: the clock settles it
    const adopted = running.daemon.statusNow();
    expect(adopted.hedgeShares).toBe(hedgeShares + 100);
    expect(adopted.details.positionMismatchShares).toBe(0);
    const rows = (await operations(sink, ["reconcile"])).filter((operation) => operation.reason === "position_adopted");
    expect(rows.map((row) => row.quantityShares)).toEqual([hedgeShares + 100]);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
