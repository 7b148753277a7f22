// Positions changed in "TWS" while the daemon runs with broker = ib (fake TWS, real
// @stoqey/ib client, both sinks). TWS reports a manual trade once and then stays silent.
import { afterEach, expect, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { operations, SETTINGS, SPOT } from "./daemon-harness.ts";
import { closeScenes, createIbDaemon, hedgingScene, inState, quote, setStraddleDelta, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

/** src/config/hedger-params.ts: a disagreement lasting this long is a manual trade. */
const POSITION_SETTLE_MS = 30_000;

describeSinks("daemon with broker = ib: positions changed outside gs", (makeSink) => {
  test("a restart holding a hedge starts from the broker's whole position list: TWS's dump sends the legs before the stock, and no partial list becomes the book", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, call, put, clock, running } = scene;
    const working = await workingHedge(scene);
    tws.fillOrder(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2);
    await until(clock, () => running.daemon.statusNow().hedgeShares === -working.totalQuantity, "the fill in the book");
    await clock.advance(120_000); // past the cooldown
    expect(await stopAndWait(running, clock)).toBe(0);
    const ordersBefore = tws.requestsOf("place_order").length;

    const restarted = createIbDaemon(tws, clock, sink);
    await restarted.daemon.start();
    await until(clock, inState(restarted, "RUNNING"), "RUNNING after the restart", 200);
    const atStart = restarted.daemon.statusNow().hedgeShares;
    // The market moves; the straddle's delta is unchanged, still hedged by the shares sold.
    setStraddleDelta(tws, call, put, SPOT + 3, working.totalQuantity);
    quote(tws, SPOT + 3);
    for (let step = 0; step < 20; step++) await clock.advance(100);
    const adopted = (await operations(sink, ["reconcile"])).filter((operation) => operation.reason === "position_adopted");
    expect({ atStart, newOrders: tws.requestsOf("place_order").length - ordersBefore, adopted: adopted.length }).toEqual({ atStart: -working.totalQuantity, newOrders: 0, adopted: 0 });
    expect(await stopAndWait(restarted, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

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

  test("a straddle leg closed in TWS gives its market data line back; the other leg and the stock keep theirs, also after TWS reconnects", async () => {
    const { tws, call, put, clock, running } = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 });
    const requestOf = (contract: { right: string }) => {
      const found = tws.requestsOf("req_mkt_data").filter((r) => r.request.contract.secType === "OPT" && r.request.contract.right === contract.right).at(-1);
      if (found === undefined) throw new Error(`no market data request for the ${contract.right} leg`);
      return found.request.reqId;
    };
    await until(clock, () => tws.requestsOf("req_mkt_data").filter((r) => r.request.contract.secType === "OPT").length === 2, "both legs streaming");
    const callReqId = requestOf(call);
    const putReqId = requestOf(put);
    expect(tws.requestsOf("cancel_mkt_data")).toEqual([]);

    tws.setPosition(call, 0, 0);
    await until(clock, () => tws.requestsOf("cancel_mkt_data").length === 1, "the closed leg's market data cancelled");
    expect(tws.requestsOf("cancel_mkt_data").map((r) => r.request.reqId)).toEqual([callReqId]);

    // After a reconnect only what is still held is requested again.
    const before = tws.requestsOf("req_mkt_data").length;
    tws.dropConnections();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING after reconnecting", 200);
    await until(clock, () => tws.requestsOf("req_mkt_data").length >= before + 2, "market data requested again after the reconnect");
    const renewed = tws.requestsOf("req_mkt_data").slice(before).map((r) => `${r.request.contract.secType}${r.request.contract.right}`);
    expect(renewed.sort()).toEqual(["OPTP", "STK"]);
    expect(putReqId).not.toBe(callReqId);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("a leg gone from the account while TWS was away is found by the reconciliation, which gives its market data line back", async () => {
    const { tws, call, clock, running } = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 });
    await until(clock, () => tws.requestsOf("req_mkt_data").filter((r) => r.request.contract.secType === "OPT").length === 2, "both legs streaming");
    tws.dropConnections();
    await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
    // Closed and gone from the reports altogether (TWS restarted overnight): no position event of 0 says so.
    tws.account.removePosition(tws.account.defaultAccount, call.conId);
    const before = tws.requestsOf("req_mkt_data").length;
    await clock.advance(SETTINGS.retryIntervalMs);
    await until(clock, inState(running, "RUNNING"), "RUNNING after reconnecting", 200);
    const renewedCall = tws.requestsOf("req_mkt_data").slice(before).find((r) => r.request.contract.right === "C");
    expect(renewedCall).toBeDefined(); // the new session renews what was wanted before reconciling
    await until(clock, () => tws.requestsOf("cancel_mkt_data").some((r) => r.request.reqId === renewedCall?.request.reqId), "the closed leg's line given back");
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
