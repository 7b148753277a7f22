// flatten sizes its closing order from the hedge book, so it must wait until every fill is in
// the book: a broker may report an order final ("Filled") before its execution report, and in
// that gap the daemon has no order in flight but the book still lacks the shares (sim broker
// with the execution report held back, real sink).
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
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
});
