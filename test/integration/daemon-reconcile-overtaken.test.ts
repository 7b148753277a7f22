// A reconciliation overtaken by a reconnect: a start's reconciliation has the broker's position
// list and is reading the sink (an earlier run's fills) when a trade is made in TWS and the
// connection drops and comes back. The newer connection's reconciliation is the one that counts;
// the older one's result, when it comes, is dropped: applied, its list (older than the trade)
// would have hidden the trade from the book for good (TWS never repeats an unchanged position).
import { expect, setDefaultTimeout, test } from "bun:test";
import type { Sink } from "../../src/sink/port.ts";
import { describeSinks } from "../support/sinks.ts";
import { advanceUntil, createDaemon, operations, quoteAndSettle, runningDaemon, SETTINGS, stopDaemon } from "./daemon-harness.ts";

setDefaultTimeout(30_000);

/** The real sink, with the reconciliation's read of earlier runs' fills held until released (one gate per read). */
function withHeldReconcileReads(real: Sink): { readonly sink: Sink; readonly gates: (() => void)[]; arm(): void } {
  let armed = false;
  const gates: (() => void)[] = [];
  const sink = new Proxy(real, {
    get(target, property) {
      if (property === "queryOperations") {
        return async (query: Parameters<Sink["queryOperations"]>[0]) => {
          if (armed && query.orderRef === undefined && query.types?.includes("fill_correction") === true) await new Promise<void>((release) => gates.push(release));
          return target.queryOperations(query);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { sink, gates, arm: () => void (armed = true) };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !check(); attempt++) await Bun.sleep(5);
  if (!check()) throw new Error(`${what} did not happen`);
}

describeSinks("daemon reconciliation overtaken by a reconnect", (makeSink) => {
  test("a trade made in TWS while the start's reconciliation reads the sink, then a reconnect: the newer reconciliation's list reaches the book", async () => {
    const real = await makeSink();
    // An earlier run hedges once: the next start's reconciliation reads its fills in the sink.
    const { market, running: earlier } = await runningDaemon(real);
    await quoteAndSettle(market);
    expect(await stopDaemon(earlier, market)).toBe(0);

    const held = withHeldReconcileReads(real);
    market.broker.beforeNextAnswer("positions", () => held.arm());
    const restarted = createDaemon(market, held.sink);
    const started = restarted.daemon.start();
    await until("the first reconciliation's sink read", () => held.gates.length === 1);
    expect(restarted.daemon.state).toBe("RECONCILING");

    // A trade made in TWS (40 shares sold), reported once, after the first reconciliation's list.
    const stock = market.broker.accountState().positions.find((position) => position.contract.secType === "STK");
    if (stock === undefined) throw new Error("the earlier run left no stock position");
    market.broker.setPosition({ ...stock, quantity: stock.quantity - 40 });
    // The connection drops and comes back: a second reconciliation, held at the same read.
    market.broker.dropConnection();
    await market.clock.advance(SETTINGS.retryIntervalMs + 1_000);
    await until("the second reconciliation's sink read", () => held.gates.length === 2);

    // The older read answers first.
    held.gates[0]?.();
    await advanceUntil(market, started, 0);
    held.gates[1]?.();
    await until("the newer reconciliation applied", () => restarted.daemon.statusNow().details.brokerHedgeShares !== null);
    for (let step = 0; step < 12; step++) await market.clock.advance(SETTINGS.heartbeatMs);

    const status = restarted.daemon.statusNow();
    const external = stock.quantity - (await operations(real, ["fill"])).reduce((sum, row) => sum + (row.side === "BUY" ? 1 : -1) * (row.quantityShares ?? 0), 0);
    expect(status.details.brokerHedgeShares).toBe(stock.quantity - 40 - external);
    // The earlier run's reconciliation and the newer one's: the overtaken one recorded nothing.
    expect((await operations(real, ["reconcile"])).filter((row) => row.reason === "ok" || row.reason === "mismatch")).toHaveLength(2);
    expect(await stopDaemon(restarted, market)).toBe(0);
  });
});
