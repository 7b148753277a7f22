// Two daemons on one account left on the same status.daemon_id (separate databases), one for SPY
// and one for QQQ: order ownership includes the symbol, so the SPY daemon neither cancels the
// QQQ daemon's orders nor counts its executions, and it warns about the shared id.
import { afterEach, expect, test } from "bun:test";
import type { FakeTws } from "../fake-tws/index.ts";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, operations } from "./daemon-harness.ts";
import { closeScenes, hedgingScene, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

const QQQ_REF = `gs:${DAEMON_ID}:QQQ:lu0abc.1`;

/** The QQQ daemon (client id 3) has a part-filled order working. */
function qqqDaemonOrder(tws: FakeTws): void {
  tws.account.addOrder({
    orderId: 1, clientId: 3, contract: tws.stockContract("QQQ"), action: "BUY", totalQuantity: 100, orderType: "MKT",
    limitPrice: null, tif: "DAY", account: tws.account.defaultAccount, orderRef: QQQ_REF,
  });
  tws.fillOrder(1, 40, 480.1, 0.2);
}

describeSinks("daemon with broker = ib: another daemon with the same daemon id for another symbol", (makeSink) => {
  test("its order is not cancelled, its executions are not counted, and gs warns about the shared daemon id", async () => {
    const { sink, tws, clock, running } = await hedgingScene(makeSink, { type: "work" }, qqqDaemonOrder);
    await until(clock, () => running.daemon.state === "RUNNING", "RUNNING", 100);
    expect(tws.requestsOf("cancel_order")).toEqual([]);
    expect(tws.orderByRef(QQQ_REF)?.status).toBe("Submitted");
    const status = running.daemon.statusNow();
    expect(status.blockReasons.map((reason) => reason.code)).not.toContain("hard_block");
    expect(status.hedgeShares).toBe(0);
    expect(await operations(sink, ["fill", "partial_fill", "cancel_request"])).toEqual([]);
    const [reconciled] = await operations(sink, ["reconcile"]);
    expect(reconciled?.reason).toBe("ok");
    expect(reconciled?.payload?.otherSymbolOrderRefs).toEqual([QQQ_REF]);
    expect(running.log.some((line) => line.includes("warn") && line.includes(`daemon id ${DAEMON_ID} for another symbol than SPY`))).toBe(true);
    expect(await stopAndWait(running, clock)).toBe(0);
    expect(tws.orderByRef(QQQ_REF)?.status).toBe("Submitted"); // the stop leaves it alone too
  }, TEST_TIMEOUT_MS);
});
