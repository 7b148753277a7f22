// A stock position gs cannot explain blocks trading until someone acts: the block survives
// restarts (a blocked run's status rows show the broker's shares, which the next start must not
// take as its record), goes when the account is fixed or the operator accepts the broker's
// position, and a first start vouches for no shares at all. Shares declared as held outside
// the strategy (strategy.external_shares) are neither hedged nor flattened.
import { expect, setDefaultTimeout, test } from "bun:test";
import type { GsConfig } from "../../src/config/schema.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { ControlCommand } from "../../src/sink/records.ts";
import { describeSinks } from "../support/sinks.ts";
import type { Market, RunningDaemon } from "./daemon-harness.ts";
import { advanceUntil, createMarket, DAEMON_ID, operations, quoteAndSettle, runningDaemon, SETTINGS, SPOT, stopDaemon, testConfig } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

function withExternalShares(shares: number): GsConfig {
  const config = testConfig();
  return { ...config, strategy: { ...config.strategy, external_shares: shares } };
}

async function hardBlocked(sink: Sink): Promise<boolean | undefined> {
  await sink.flush();
  const [status] = await sink.readStatusCurrent(DAEMON_ID);
  return status?.details.hardBlock;
}

async function lastReconcile(sink: Sink): Promise<{ reason: string | null; payload: Readonly<Record<string, unknown>> | null } | undefined> {
  return (await operations(sink, ["reconcile"])).at(-1);
}

/** Queues a command, lets the daemon take it, and returns its result text. */
async function command(sink: Sink, running: RunningDaemon, market: Market, name: ControlCommand): Promise<string | null> {
  const id = await sink.issueControl({ daemonId: DAEMON_ID, command: name, args: { confirm: true }, issuedBy: "test", tsMs: Date.now() });
  await running.daemon.pollControl();
  await market.clock.advance(0);
  await sink.flush();
  return (await sink.getControl(id))?.result ?? null;
}

/** The account's stock as the venue holds it (connected or not). */
async function brokerStock(market: Market): Promise<number> {
  return market.broker.accountState().positions.find((position) => position.contract.secType === "STK")?.quantity ?? 0;
}

async function tradeByHand(market: Market, side: "BUY" | "SELL", shares: number, ref: string): Promise<void> {
  await market.broker.connect();
  market.broker.placeOrder({ orderRef: ref, symbol: "SPY", side, quantityShares: shares, orderType: "market" });
  await market.clock.advance(100);
}

/** A first run that hedges once and stops: gs's record is then that hedge. */
async function hedgedAndStopped(sink: Sink): Promise<{ market: Market; hedgeShares: number }> {
  const { market, running } = await runningDaemon(sink);
  await quoteAndSettle(market);
  expect(await stopDaemon(running, market)).toBe(0);
  return { market, hedgeShares: await brokerStock(market) };
}

/** Then 300 shares bought by hand while gs was down, and a start that finds them: blocked. */
async function blockedByHandTrade(sink: Sink): Promise<{ market: Market; running: RunningDaemon; hedgeShares: number }> {
  const { market, hedgeShares } = await hedgedAndStopped(sink);
  await tradeByHand(market, "BUY", 300, "manual-1");
  const { running } = await runningDaemon(sink, { market });
  expect(await hardBlocked(sink)).toBe(true);
  return { market, running, hedgeShares };
}

/** A first start on an account holding 400 shares gs has no record of: blocked. */
async function firstStartWith400Unrecorded(sink: Sink): Promise<{ market: Market; running: RunningDaemon }> {
  const market = createMarket();
  market.broker.setPosition({ contract: { secType: "STK", symbol: "SPY" }, quantity: 400, avgCost: SPOT, account: "SIM" });
  const { running } = await runningDaemon(sink, { market });
  expect(await hardBlocked(sink)).toBe(true);
  return { market, running };
}

/** A start whose reconciliation comes out clean (no block), then a stop. */
async function expectCleanStart(sink: Sink, market: Market): Promise<void> {
  const { running } = await runningDaemon(sink, { market });
  expect(await hardBlocked(sink)).toBe(false);
  expect((await lastReconcile(sink))?.reason).toBe("ok");
  expect(await stopDaemon(running, market)).toBe(0);
}

describeSinks("daemon reconciliation block", (makeSink) => {
  test("survives restarts until the operator accepts the broker's position; then gs hedges from it", async () => {
    const sink = await makeSink();
    const { market, running: second, hedgeShares } = await blockedByHandTrade(sink);
    const message = second.log.find((line) => line.includes("hard block")) ?? "";
    expect(message).toContain(`broker holds ${hedgeShares + 300} shares of SPY, expected ${hedgeShares} (recorded hedge ${hedgeShares} plus 0 from fills found at the broker)`);
    expect(message).toContain("fix the account and restart; or declare shares held outside the strategy in strategy.external_shares (now 0) and restart; or take the broker's position as the hedge with gs ctl accept-position --confirm");
    expect(await stopDaemon(second, market)).toBe(0);

    const { running: third } = await runningDaemon(sink, { market });
    expect(await hardBlocked(sink)).toBe(true);
    const blocked = await lastReconcile(sink);
    expect(blocked?.reason).toBe("mismatch");
    expect(blocked?.payload).toMatchObject({ expectedHedgeShares: hedgeShares, brokerStockShares: hedgeShares + 300 });
    await quoteAndSettle(market, SPOT * 1.02);
    expect(await operations(sink, ["order_sent"])).toHaveLength(1);

    expect(await command(sink, third, market, "accept_position")).toBe(`accepted the broker's position: ${hedgeShares + 300} hedge shares of SPY; block cleared`);
    expect(await hardBlocked(sink)).toBe(false);
    expect(await lastReconcile(sink)).toMatchObject({ reason: "accepted", payload: { acceptedHedgeShares: hedgeShares + 300, previousExpectedHedgeShares: hedgeShares } });
    await market.clock.advance(60_000);
    await quoteAndSettle(market, SPOT * 1.03);
    expect(await operations(sink, ["order_sent"])).toHaveLength(2);
    // The operator's acceptance is not also recorded as a manual trade gs adopted.
    expect((await operations(sink, ["reconcile"])).map((row) => row.reason)).not.toContain("position_adopted");
    expect(await stopDaemon(third, market)).toBe(0);

    await expectCleanStart(sink, market);
  });

  test("goes at the next start once the account is put back", async () => {
    const sink = await makeSink();
    const { market, running: second } = await blockedByHandTrade(sink);
    expect(await stopDaemon(second, market)).toBe(0);

    await tradeByHand(market, "SELL", 300, "manual-2");
    await expectCleanStart(sink, market);
  });

  test("survives a broker reconnect", async () => {
    const sink = await makeSink();
    const { market, running } = await blockedByHandTrade(sink);
    market.broker.dropConnection();
    await market.clock.advance(SETTINGS.retryIntervalMs);
    await advanceUntil(market, running.daemon.whenState("RUNNING"), 0);
    expect((await operations(sink, ["reconcile"])).map((row) => row.reason)).toEqual(["ok", "mismatch", "mismatch"]);
    expect(await hardBlocked(sink)).toBe(true);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("accept-position without a reconciliation block changes nothing", async () => {
    const sink = await makeSink();
    const { market, running } = await runningDaemon(sink);
    await quoteAndSettle(market);
    const before = await brokerStock(market);
    expect(await command(sink, running, market, "accept_position")).toBe("ignored: no reconciliation block to accept");
    expect((await lastReconcile(sink))?.reason).toBe("ok");
    expect(await brokerStock(market)).toBe(before);
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a first start with shares gs has no record of is blocked, naming both ways out", async () => {
    const sink = await makeSink();
    const { market, running } = await firstStartWith400Unrecorded(sink);
    const blocked = await lastReconcile(sink);
    expect(blocked?.payload).toMatchObject({ expectedHedgeShares: 0, brokerStockShares: 400 });
    const message = running.log.find((line) => line.includes("hard block")) ?? "";
    expect(message).toContain("first start: the account holds 400 shares of SPY and gs has no record of them;");
    expect(message).toContain("set strategy.external_shares = 400 and restart");
    expect(message).toContain("gs ctl accept-position --confirm");
    await quoteAndSettle(market);
    expect(await operations(sink, ["order_sent"])).toHaveLength(0);
    expect(await stopDaemon(running, market)).toBe(0);

    // Restarted without a change: still a first start's block, with the same ways out.
    const { running: again } = await runningDaemon(sink, { market });
    expect(await hardBlocked(sink)).toBe(true);
    expect(again.log.find((line) => line.includes("hard block"))).toContain("first start: the account holds 400 shares of SPY and gs has no record of them;");
    expect(await stopDaemon(again, market)).toBe(0);
  });

  test("flatten is refused while blocked: it would sell shares gs has no record of", async () => {
    const sink = await makeSink();
    const { market, running } = await firstStartWith400Unrecorded(sink);
    await quoteAndSettle(market);
    const result = await command(sink, running, market, "flatten");
    expect(result).toStartWith("rejected: flatten refused while the hard block reconcile_mismatch is active");
    expect(result).toContain("gs ctl accept-position --confirm"); // the way out
    await market.clock.advance(1_000);
    expect(await brokerStock(market)).toBe(400);
    expect(await operations(sink, ["order_sent"])).toEqual([]);
    expect(running.daemon.state).toBe("RUNNING"); // not paused either: nothing was done
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("a first start on a new database counts gs's own fills found at the broker, and names only the rest", async () => {
    const { market, hedgeShares } = await hedgedAndStopped(await makeSink());
    expect(hedgeShares).toBeLessThan(0);
    market.broker.setPosition({ contract: { secType: "STK", symbol: "SPY" }, quantity: hedgeShares + 400, avgCost: SPOT, account: "SIM" });
    const fresh = await makeSink(); // the records are lost; the broker still has gs's executions
    const { running } = await runningDaemon(fresh, { market });
    expect(await hardBlocked(fresh)).toBe(true);
    const message = running.log.find((line) => line.includes("hard block")) ?? "";
    expect(message).toContain(`first start: the account holds ${hedgeShares + 400} shares of SPY (explained: ${hedgeShares} from gs's own fills found at the broker), so 400 shares have no record;`);
    expect(message).toContain("set strategy.external_shares = 400 and restart");
    expect(await stopDaemon(running, market)).toBe(0);
  });

  test("shares declared external are left out: the straddle is hedged as if they were not there, and flatten leaves them", async () => {
    const sink = await makeSink();
    const market = createMarket(withExternalShares(400));
    expect(await brokerStock(market)).toBe(400);
    const { running } = await runningDaemon(sink, { market, config: withExternalShares(400) });
    expect(await hardBlocked(sink)).toBe(false);
    expect(await lastReconcile(sink)).toMatchObject({ reason: "ok", payload: { externalShares: 400, expectedHedgeShares: 0, brokerStockShares: 400 } });

    await quoteAndSettle(market);
    const [fill] = await operations(sink, ["fill"]);
    expect(fill?.side).toBe("SELL"); // the straddle's own delta (~+75 shares), not the 400
    expect(fill?.quantityShares).toBeLessThan(100);
    await sink.flush();
    const [status] = await sink.readStatusCurrent(DAEMON_ID);
    expect(status?.hedgeShares).toBe(-(fill?.quantityShares ?? 0));
    expect(status?.details.externalShares).toBe(400);
    expect(await brokerStock(market)).toBe(400 - (fill?.quantityShares ?? 0));

    expect(await command(sink, running, market, "flatten")).toContain("flatten");
    await market.clock.advance(1_000);
    expect(await brokerStock(market)).toBe(400);
    expect(await stopDaemon(running, market)).toBe(0);
  });
});
