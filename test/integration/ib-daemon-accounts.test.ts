// A login that manages several accounts: gs trades and reconciles exactly one, named by
// ib.account (or the only managed one), decided when it connects. Ambiguous or unknown is a
// connect-time refusal naming the accounts and the key, never an order or a position of another
// account (daemon with the real IB adapter against the fake TWS, on both sinks).
import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../support/fake-clock.ts";
import { describeSinks } from "../support/sinks.ts";
import { DAEMON_ID, operations, SESSION_START_MS, SETTINGS, SPOT, testConfig } from "./daemon-harness.ts";
import { closeScenes, createIbDaemon, inState, quote, setStraddleDelta, startTws, stopAndWait, TEST_TIMEOUT_MS, until } from "./ib-daemon-harness.ts";

afterEach(closeScenes);

const ACCOUNTS = ["DU1111111", "DU2222222"] as const;

/** The straddle is in the first account; the second holds 500 SPY shares of its own. */
async function twoAccountTws() {
  const started = await startTws({ accounts: ACCOUNTS });
  const { tws, call, put } = started;
  tws.setPosition(tws.stockContract("SPY"), 500, 515, ACCOUNTS[1]);
  quote(tws, SPOT);
  setStraddleDelta(tws, call, put, SPOT, 240);
  return started;
}

describeSinks("daemon with broker = ib on a login managing several accounts", (makeSink) => {
  for (const [name, account, expected] of [
    ["ib.account empty", "", `ib.account is empty but the login manages 2 accounts (${ACCOUNTS.join(", ")})`],
    ["ib.account not managed by the login", "DU9999999", `ib.account was "DU9999999", expected one of the accounts this login manages: ${ACCOUNTS.join(", ")}`],
  ] as const) {
    test(`${name}: refused at connect with the accounts named; no position read, no order sent`, async () => {
      const sink = await makeSink();
      const { tws } = await twoAccountTws();
      const clock = new FakeClock(SESSION_START_MS);
      const running = createIbDaemon(tws, clock, sink, testConfig(), account);
      await running.daemon.start();
      await until(clock, inState(running, "WAITING_BROKER"), "WAITING_BROKER");
      await clock.advance(SETTINGS.heartbeatMs);
      await sink.flush();
      const [status] = await sink.readStatusCurrent(DAEMON_ID);
      expect(status?.state).toBe("WAITING_BROKER");
      const reason = status?.blockReasons.find((block) => block.code === "broker_not_connected");
      expect(reason?.message).toContain(expected);
      expect(tws.requestsOf("req_positions")).toEqual([]);
      expect(tws.requestsOf("place_order")).toEqual([]);
      expect(await operations(sink, ["order_sent", "reject"])).toEqual([]);
      expect(await stopAndWait(running, clock)).toBe(0);
    }, TEST_TIMEOUT_MS);
  }

  test("ib.account names one of them: only its positions count, orders go to it", async () => {
    const sink = await makeSink();
    const { tws } = await twoAccountTws();
    const clock = new FakeClock(SESSION_START_MS);
    const running = createIbDaemon(tws, clock, sink, testConfig(), ACCOUNTS[0]);
    await running.daemon.start();
    await until(clock, () => tws.requestsOf("place_order").length > 0, "a hedge order");
    const [order] = tws.requestsOf("place_order").map((entry) => entry.request);
    // The straddle's 240 delta alone: the other account's 500 shares are not this hedge.
    expect(order).toMatchObject({ account: ACCOUNTS[0], action: "SELL" });
    expect(order?.totalQuantity).toBeLessThan(300);
    const [reconciled] = await operations(sink, ["reconcile"]);
    expect(reconciled?.payload?.brokerStockShares).toBe(0);
    expect(await stopAndWait(running, clock)).toBe(0);
  }, TEST_TIMEOUT_MS);
});
