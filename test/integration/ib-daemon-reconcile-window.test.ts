// Reports that arrive between the moment TWS answers the reconciliation's positions request
// (positionEnd) and the moment the reconciliation is applied: an own fill, a trade made in TWS.
// The client reads them in the same socket chunk as positionEnd, before the reconciliation's
// code resumes, and more come while it reads the sink (longest on PostgreSQL). They are newer
// than the broker's list: never counted as in it, never overwritten by it, and IB never repeats
// an unchanged report (real adapter and @stoqey/ib client against the fake TWS, both sinks).
import { afterEach, expect, test } from "bun:test";
import type { Sink } from "../../src/sink/port.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, operations, SESSION_START_MS, SETTINGS, SPOT, testConfig } from "./daemon-harness.ts";
import type { IbDaemon, Scene } from "./ib-daemon-harness.ts";
import { closeScenes, createIbDaemon, hedgingScene, inState, quote, rightBehindReconciliationDump, setStraddleDelta, startTws, stopAndWait, TEST_TIMEOUT_MS, until, workingHedge } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

/** src/config/hedger-params.ts: a disagreement lasting this long is a change made outside gs. */
const POSITION_SETTLE_MS = 30_000;

/** Drops the socket, runs `act` while gs is away, reconnects with `behindDump` right behind the reconciliation's positionEnd. */
async function reconnectWith(scene: Scene, act: () => void, behindDump: () => void): Promise<void> {
  const { tws, clock, running } = scene;
  tws.dropConnections();
  await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER after the drop");
  act();
  const acted = rightBehindReconciliationDump(tws, behindDump);
  await clock.advance(SETTINGS.retryIntervalMs);
  await until(clock, () => acted() && running.daemon.state === "RUNNING", "RUNNING after reconnecting", 200);
}

async function acceptPosition(sink: Sink, running: IbDaemon, clock: FakeClock): Promise<string | null | undefined> {
  const id = await sink.issueControl({ daemonId: DAEMON_ID, command: "accept_position", args: { confirm: true }, issuedBy: "test", tsMs: Date.now() });
  await running.daemon.pollControl();
  await clock.advance(0);
  await sink.flush();
  return (await sink.getControl(id))?.result;
}

const stockOf = (scene: Pick<Scene, "tws">) => scene.tws.account.positions().find((position) => position.contract.secType === "STK")?.quantity ?? 0;

describeSinks("daemon with broker = ib: reports right behind the reconciliation's positions answer", (makeSink) => {
  test("an own order filling right behind the reconnect's positionEnd is not in the broker's list: no false mismatch, the book keeps the fill, no second hedge", async () => {
    const scene = await hedgingScene(makeSink, { type: "work" });
    const { sink, tws, call, put, clock, running } = scene;
    const working = await workingHedge(scene);
    await reconnectWith(scene, () => {}, () => tws.fillOrder(working.orderId, working.totalQuantity, SPOT - 0.02, 1.2));
    expect(stockOf(scene)).toBe(-working.totalQuantity);
    const status = running.daemon.statusNow();
    expect({ hedgeShares: status.hedgeShares, hardBlock: status.details.hardBlock }).toEqual({ hedgeShares: -working.totalQuantity, hardBlock: false });
    // Past the settle time, with quotes: nothing adopted, no second order.
    const ordersBefore = tws.requestsOf("place_order").length;
    for (let step = 0; step < 8; step++) {
      await clock.advance(10_000);
      setStraddleDelta(tws, call, put, SPOT, working.totalQuantity);
      quote(tws, SPOT + (step % 2) * 0.02);
      await Bun.sleep(20);
    }
    const reconciles = await operations(sink, ["reconcile"]);
    expect(reconciles.map((row) => row.reason)).toEqual(["ok", "ok"]);
    expect(reconciles[1]?.payload).toMatchObject({ brokerStockShares: 0, expectedHedgeShares: 0, liveExecIds: [] });
    expect(await operations(sink, ["fill"])).toHaveLength(1);
    expect(running.daemon.statusNow().hedgeShares).toBe(-working.totalQuantity);
    expect(tws.requestsOf("place_order").length - ordersBefore).toBe(0);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test("accept-position after a blocked reconnect takes the account's latest position, also one reported right behind positionEnd", async () => {
    const scene = await hedgingScene(makeSink, { type: "fill", commissionPerShare: 0.005 });
    const { sink, tws, clock, running } = scene;
    await until(clock, () => stockOf(scene) !== 0 && running.daemon.statusNow().hedgeShares === stockOf(scene), "the hedge filled and booked");
    const hedged = stockOf(scene);
    const spy = tws.stockContract("SPY");
    // Changed in TWS while gs was away (the block), and once more right behind the reconciliation's list.
    await reconnectWith(scene, () => tws.setPosition(spy, hedged + 40, SPOT), () => tws.setPosition(spy, hedged + 90, SPOT));
    expect(running.daemon.statusNow().details.hardBlock).toBe(true);
    expect((await operations(sink, ["reconcile"])).at(-1)?.payload).toMatchObject({ brokerStockShares: hedged + 40, expectedHedgeShares: hedged });
    const result = await acceptPosition(sink, running, clock);
    const status = running.daemon.statusNow();
    expect({ result, hedgeShares: status.hedgeShares, hardBlock: status.details.hardBlock }).toEqual({
      result: `accepted the broker's position: ${hedged + 90} hedge shares of SPY; block cleared`,
      hedgeShares: hedged + 90,
      hardBlock: false,
    });
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);

  test.each(["adopt", "block"] as const)("outside_stock_change = %s: a trade made in TWS right behind the start's positionEnd is adopted or held back like any outside change, never lost", async (policy) => {
    const sink = await makeSink();
    const { tws, call, put } = await startTws();
    const spy = tws.stockContract("SPY");
    quote(tws, SPOT);
    setStraddleDelta(tws, call, put, SPOT, 0); // delta in the band: nothing to hedge, only the trade moves the stock
    const acted = rightBehindReconciliationDump(tws, () => tws.setPosition(spy, 100, SPOT));
    const config = testConfig();
    const clock = new FakeClock(SESSION_START_MS);
    const running = createIbDaemon(tws, clock, sink, { ...config, strategy: { ...config.strategy, outside_stock_change: policy } });
    await running.daemon.start();
    await until(clock, () => acted() && running.daemon.state === "RUNNING", "RUNNING", 200);
    expect(running.daemon.statusNow().details.brokerHedgeShares).toBe(100);
    for (let step = 0; step * 10_000 <= POSITION_SETTLE_MS + 10_000; step++) {
      await clock.advance(10_000);
      setStraddleDelta(tws, call, put, SPOT, 0); // fresh broker greeks
      quote(tws, SPOT + (step % 2) * 0.01);
      await Bun.sleep(20);
    }
    const reasons = (await operations(sink, ["reconcile"])).map((row) => row.reason);
    const status = running.daemon.statusNow();
    if (policy === "adopt") {
      expect({ reasons, hedgeShares: status.hedgeShares }).toEqual({ reasons: ["ok", "position_adopted"], hedgeShares: stockOf({ tws }) });
    } else {
      expect({ reasons, hedgeShares: status.hedgeShares, hardBlock: status.details.hardBlock }).toEqual({ reasons: ["ok", "position_held_back"], hedgeShares: 0, hardBlock: true });
    }
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
