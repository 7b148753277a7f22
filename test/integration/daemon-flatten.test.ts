// flatten sizes its closing order from the hedge book, so it must wait until every fill is in
// the book: a broker may report an order final ("Filled") before its execution report, and in
// that gap the daemon has no order in flight but the book still lacks the shares (sim broker
// with the execution report held back, real sink). And a flatten is a goal, not one order: a
// closing order partly filled, cancelled on timeout or cut off by a reconnect is followed by
// the rest, and a flatten that cannot finish says so. It sends only in RUNNING or PAUSED: while
// a reconnect reconciles, the book predates it; while stopping, nothing would cancel an order.
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { FLATTEN_EXECUTIONS_WAIT_MS, FLATTEN_MAX_ORDERS } from "../../src/daemon/flatten-goal.ts";
import type { SimOrderScript } from "../../src/broker/sim/sim-broker.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { Market, RunningDaemon } from "./daemon-harness.ts";
import { createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon, SETTINGS, stopDaemon } from "./daemon-harness.ts";

setDefaultTimeout(30_000);

const EXECUTION_REPORT_LATENCY_MS = 2_000;
/** hedge.order_timeout_s by default: a working order older than this is cancelled by the heartbeat. */
const ORDER_TIMEOUT_MS = 30_000;

async function stock(market: Market): Promise<number> {
  return (await market.broker.positions()).find((position) => position.contract.secType === "STK")?.quantity ?? 0;
}

async function flatten(sink: Sink, running: RunningDaemon, market: Market): Promise<void> {
  await sink.issueControl({ daemonId: DAEMON_ID, command: "flatten", args: {}, issuedBy: "test", tsMs: Date.now() });
  await running.daemon.pollControl();
  await market.clock.advance(100);
}

/** A daemon that has hedged once (a short position), the next order scripted, then flatten asked for. */
async function flattenAfterHedge(sink: Sink, ...scripts: SimOrderScript[]): Promise<{ market: Market; running: RunningDaemon; hedged: number }> {
  const { market, running } = await runningDaemon(sink);
  await quoteAndSettle(market);
  const hedged = await stock(market);
  expect(hedged).toBeLessThan(0);
  for (const script of scripts) market.broker.scriptNextOrder(script);
  await flatten(sink, running, market);
  return { market, running, hedged };
}

async function flattenIntents(sink: Sink): Promise<(number | null)[]> {
  return (await operations(sink, ["hedge_intent"])).filter((intent) => intent.reason === "flatten").map((intent) => intent.quantityShares);
}

describeSinks("daemon flatten", (makeSink) => {
  test("a hedge reported filled before its execution: flatten waits for the execution, then closes every share", async () => {
    const sink = await makeSink();
    const market = createMarket(undefined, undefined, { fillLatencyMs: 20, executionReportLatencyMs: EXECUTION_REPORT_LATENCY_MS });
    const { running } = await runningDaemon(sink, { market });
    await quoteAndSettle(market); // the hedge is sent, filled at the venue and reported "filled"; its execution is still on the way
    const [sent] = await operations(sink, ["order_sent"]);
    if (!sent) throw new Error("no hedge order was sent");
    expect(await operations(sink, ["fill"])).toEqual([]);

    await sink.issueControl({ daemonId: DAEMON_ID, command: "flatten", args: {}, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await market.clock.advance(0);
    const [control] = await operations(sink, ["control"]);
    expect(control?.reason).toBe(`flatten: waiting for the executions of ${sent.quantityShares} shares reported filled, then closing the hedge shares (0 now); paused`);
    // Nothing is sized from the incomplete book.
    expect((await operations(sink, ["hedge_intent"])).map((intent) => intent.reason)).toEqual(["delta_threshold"]);

    await market.clock.advance(EXECUTION_REPORT_LATENCY_MS + 100);
    const intents = await operations(sink, ["hedge_intent"]);
    expect(intents.map((intent) => [intent.reason, intent.side, intent.quantityShares])).toEqual([
      ["delta_threshold", sent.side, sent.quantityShares],
      ["flatten", sent.side === "SELL" ? "BUY" : "SELL", sent.quantityShares],
    ]);
    await market.clock.advance(EXECUTION_REPORT_LATENCY_MS + 100);
    const stock = (await market.broker.positions()).find((position) => position.contract.secType === "STK");
    expect(stock?.quantity ?? 0).toBe(0);
    expect(running.daemon.state).toBe("PAUSED");
  });

  test("executions that never come (the broker over-reported the fill): flatten gives up with an error after the wait, sending nothing", async () => {
    const sink = await makeSink();
    // The execution report comes long after the wait: to the daemon it is missing.
    const market = createMarket(undefined, undefined, { fillLatencyMs: 20, executionReportLatencyMs: 10 * FLATTEN_EXECUTIONS_WAIT_MS });
    const { running } = await runningDaemon(sink, { market });
    await quoteAndSettle(market);
    const [sent] = await operations(sink, ["order_sent"]);
    if (!sent) throw new Error("no hedge order was sent");

    await sink.issueControl({ daemonId: DAEMON_ID, command: "flatten", args: {}, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await market.clock.advance(FLATTEN_EXECUTIONS_WAIT_MS - 10_000);
    const abandoned = async () => (await operations(sink, ["reconcile"])).filter((row) => row.reason === "flatten_abandoned");
    expect(await abandoned()).toEqual([]); // still waiting within the bound

    await market.clock.advance(20_000); // heartbeats every 5 s see the wait run out
    const reconciles = await abandoned();
    const sentShares = sent.quantityShares ?? 0;
    expect(reconciles.map((row) => [row.reason, row.quantityShares])).toEqual([["flatten_abandoned", sent.side === "BUY" ? sentShares : -sentShares]]);
    expect(String((reconciles[0]?.payload as { message?: string } | null)?.message)).toContain(
      `flatten abandoned: the broker reported ${sent.quantityShares} shares filled whose executions did not arrive within ${FLATTEN_EXECUTIONS_WAIT_MS / 1000} s`,
    );
    // Nothing was sized from the incomplete book, and the daemon stays paused for the operator.
    expect((await operations(sink, ["hedge_intent"])).map((intent) => intent.reason)).toEqual(["delta_threshold"]);
    expect(running.daemon.state).toBe("PAUSED");

    // When the execution finally arrives it is booked; flatten is not resumed behind the operator's back.
    await market.clock.advance(10 * FLATTEN_EXECUTIONS_WAIT_MS);
    expect((await operations(sink, ["fill"])).length).toBe(1);
    expect((await operations(sink, ["hedge_intent"])).map((intent) => intent.reason)).toEqual(["delta_threshold"]);
  });

  test("a closing order partly filled, then cancelled on timeout: the rest is sent, and the flatten ends flat", async () => {
    const sink = await makeSink();
    const { market, running, hedged } = await flattenAfterHedge(sink, { type: "partial", fillShares: 10 });
    expect(await stock(market)).toBe(hedged + 10);

    await market.clock.advance(ORDER_TIMEOUT_MS + 2 * SETTINGS.heartbeatMs); // paused: heartbeats cancel it, then the rest goes
    expect(await flattenIntents(sink)).toEqual([-hedged, -hedged - 10]);
    expect(await stock(market)).toBe(0);
    expect((await operations(sink, ["reconcile"])).map((row) => row.reason)).toContain("flatten_done");
    expect(running.daemon.statusNow().blockReasons.map((reason) => reason.code)).not.toContain("flatten_in_progress");
    expect(running.daemon.state).toBe("PAUSED");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("the connection drops while the closing order works: the reconnect leaves this run's order alone, and the flatten finishes", async () => {
    const sink = await makeSink();
    const { market, running, hedged } = await flattenAfterHedge(sink, { type: "hold" });
    market.broker.dropConnection();
    await market.clock.advance(SETTINGS.retryIntervalMs + 1_000); // reconnected and reconciled
    expect(running.daemon.state).toBe("PAUSED");
    const cancels = await operations(sink, ["cancel_request"]);
    expect(cancels.map((row) => row.reason)).not.toContain("reconcile: order of a previous run");

    await market.clock.advance(ORDER_TIMEOUT_MS + 2 * SETTINGS.heartbeatMs); // the held order times out, the rest is sent
    expect(await flattenIntents(sink)).toEqual([-hedged, -hedged]);
    expect(await stock(market)).toBe(0);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a closing order that ends while the reconnect reconciles: the next one goes out once reconciled, sized from the broker's book", async () => {
    const sink = await makeSink();
    const { market, running, hedged } = await flattenAfterHedge(sink, { type: "hold" });
    const [closing] = await market.broker.openOrders();
    if (!closing) throw new Error("the closing order is not working at the venue");
    market.broker.dropConnection();
    // The reconciliation has listed the open orders (the closing one among them) when the venue cancels it.
    market.broker.beforeNextAnswer("executionsSince", () => market.broker.cancelAtVenue(closing.orderRef, "cancelled at the venue"));
    await market.clock.advance(SETTINGS.retryIntervalMs + 1_000);
    expect(running.daemon.state).toBe("PAUSED");
    // One more closing order, sent after RECONCILING: none went out from the book before the reconnect.
    expect(await flattenIntents(sink)).toEqual([-hedged, -hedged]);
    expect(running.log.filter((line) => line.includes("purpose=flatten")).map((line) => line.split(" ")[1])).toEqual(["state=PAUSED", "state=PAUSED"]);
    expect((await operations(sink, ["cancel"])).map((row) => row.reason)).toEqual(["cancelled at the venue"]);
    expect(await stock(market)).toBe(0);
    expect(await market.broker.openOrders()).toEqual([]);
    expect((await operations(sink, ["reconcile"])).map((row) => row.reason)).toEqual(["ok", "ok", "flatten_done"]);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a stop while a closing order works: it is cancelled, nothing else goes out, and the flatten ends as stopped", async () => {
    const sink = await makeSink();
    const { market, running, hedged } = await flattenAfterHedge(sink, { type: "hold" });
    expect(await stopDaemon(running, market)).toBe(0);
    // The cancel's report does not move the flatten on while STOPPING: the one closing order stays the only one.
    expect(await flattenIntents(sink)).toEqual([-hedged]);
    expect(market.broker.accountState().positions.find((position) => position.contract.secType === "STK")?.quantity).toBe(hedged);
    const [abandoned, ...more] = (await operations(sink, ["reconcile"])).filter((row) => row.reason?.startsWith("flatten_"));
    expect(more).toEqual([]);
    expect(abandoned?.reason).toBe("flatten_abandoned");
    expect(abandoned?.quantityShares).toBe(hedged);
    expect(abandoned?.payload).toMatchObject({ cause: "stopped", ordersSent: 1 });
    const [last] = await sink.readStatusCurrent(DAEMON_ID);
    expect(last?.state).toBe("STOPPED");
    expect(last?.blockReasons.find((reason) => reason.code === "flatten_failed")?.message).toBe(`flatten ended before it finished (the daemon stopped) with ${hedged} hedge shares left`);
  });

  test("a stop while a closing order works, and the order fills before the cancel lands: the flatten is done, not failed", async () => {
    const sink = await makeSink();
    const { market, running } = await flattenAfterHedge(sink, { type: "hold" });
    const [closing] = await market.broker.openOrders();
    if (!closing) throw new Error("expected the closing order working at the venue");
    running.daemon.requestStop("operator stops while the flatten's order works");
    market.broker.fillWorkingOrder(closing.orderRef); // the venue fills it before the cancel arrives
    await market.clock.advance(SETTINGS.stopCancelWaitMs + 1_000);
    expect(await running.daemon.stopped).toBe(0);
    // Disconnected now: the venue's own books say what the account holds.
    expect(market.broker.accountState().positions.find((position) => position.contract.secType === "STK")?.quantity ?? 0).toBe(0);
    const outcomes = (await operations(sink, ["reconcile"])).filter((row) => row.reason?.startsWith("flatten_")).map((row) => row.reason);
    expect(outcomes).toEqual(["flatten_done"]);
    const [last] = await sink.readStatusCurrent(DAEMON_ID);
    expect(last?.blockReasons.map((reason) => reason.code)).not.toContain("flatten_failed");
  });

  test("closing orders that never fill: after the last one the flatten gives up loudly, and status says so", async () => {
    const sink = await makeSink();
    const rejected: SimOrderScript = { type: "reject", reason: "outside regular trading hours" };
    const { market, running, hedged } = await flattenAfterHedge(sink, ...Array<SimOrderScript>(FLATTEN_MAX_ORDERS).fill(rejected));
    await market.clock.advance(2 * SETTINGS.heartbeatMs);
    expect(await flattenIntents(sink)).toHaveLength(FLATTEN_MAX_ORDERS);
    expect(await stock(market)).toBe(hedged);
    const [abandoned] = (await operations(sink, ["reconcile"])).filter((row) => row.reason === "flatten_abandoned");
    expect(abandoned?.quantityShares).toBe(hedged);
    expect(abandoned?.payload).toMatchObject({ cause: "orders_exhausted", ordersSent: FLATTEN_MAX_ORDERS });
    expect(running.log.some((line) => line.includes("level=error") && line.includes("flatten did not finish"))).toBe(true);
    const failed = running.daemon.statusNow().blockReasons.find((reason) => reason.code === "flatten_failed");
    expect(failed?.message).toContain(`${hedged} hedge shares are left`);

    // The operator flattens again once the cause is gone: the failure clears, the shares close.
    await flatten(sink, running, market);
    expect(await stock(market)).toBe(0);
    expect(running.daemon.statusNow().blockReasons.map((reason) => reason.code)).not.toContain("flatten_failed");
    expect(await stopDaemon(running, market)).toBe(0);
  });
});
