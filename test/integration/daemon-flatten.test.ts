// flatten sizes its closing order from the hedge book, so it must wait until every fill is in
// the book: a broker may report an order final ("Filled") before its execution report, and in
// that gap the daemon has no order in flight but the book still lacks the shares (sim broker
// with the execution report held back, real sink).
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { FLATTEN_EXECUTIONS_WAIT_MS } from "../../src/daemon/hedge-loop.ts";
import { createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon } from "./daemon-harness.ts";

setDefaultTimeout(30_000);

const EXECUTION_REPORT_LATENCY_MS = 2_000;

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
});
