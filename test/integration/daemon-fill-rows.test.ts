// A hedge filled in two executions leaves one partial_fill and one fill row, whatever order the
// broker's reports come in. When the final status comes before the executions (IB may send
// "Filled" before execDetails), the daemon has already closed the order when it records them;
// the first execution must still be recorded as partial (sim broker, real sink).
import { expect, setDefaultTimeout, test } from "bun:test";
import { describeSinks } from "../support/sinks.ts";
import { createMarket, operations, quoteAndSettle, runningDaemon, stopDaemon } from "./daemon-harness.ts";

setDefaultTimeout(30_000);

describeSinks("daemon fill rows", (makeSink) => {
  test("an order filled in two executions reported after its final status: one partial_fill, then one fill", async () => {
    const sink = await makeSink();
    const market = createMarket(undefined, undefined, { fillLatencyMs: 20, executionReportLatencyMs: 1_000 });
    const { running } = await runningDaemon(sink, { market });
    market.broker.scriptNextOrder({ type: "split", firstShares: 30 });
    await quoteAndSettle(market);
    const [sent] = await operations(sink, ["order_sent"]);
    if (!sent?.quantityShares) throw new Error("no hedge order was sent");
    await market.clock.advance(2_000);
    const fills = await operations(sink, ["partial_fill", "fill"]);
    expect(fills.map((row) => [row.type, row.orderRef, row.quantityShares])).toEqual([
      ["partial_fill", sent.orderRef, 30],
      ["fill", sent.orderRef, sent.quantityShares - 30],
    ]);
    expect(fills.map((row) => row.payload?.orderShares)).toEqual([sent.quantityShares, sent.quantityShares]);
    expect(await stopDaemon(running, market)).toBe(0);
  });
});
