// Opt-in, read-only check of the IB adapter against a real TWS / IB Gateway paper login.
// Off by default (the default run uses the fake TWS). Enable with
//   GS_TEST_IB_PAPER=127.0.0.1:7497[:clientId] bun test test/integration/ib-paper.test.ts
// It never places or cancels an order, and refuses to run against a non-paper account.
import { describe, expect, test } from "bun:test";
import { IbBroker } from "../../src/broker/ib/ib-broker.ts";
import type { BrokerEvent } from "../../src/broker/port.ts";

const TARGET = process.env.GS_TEST_IB_PAPER ?? "";
const DEFAULT_CLIENT_ID = 917;
const WAIT_MS = 10_000;

function parseTarget(text: string): { host: string; port: number; clientId: number } {
  const [host, port, clientId] = text.split(":");
  if (!host || !port || !/^\d+$/.test(port)) throw new Error(`GS_TEST_IB_PAPER was ${JSON.stringify(text)}, expected host:port[:clientId]`);
  return { host, port: Number(port), clientId: clientId === undefined ? DEFAULT_CLIENT_ID : Number(clientId) };
}

describe.skipIf(TARGET === "")("IB paper account (opt-in: GS_TEST_IB_PAPER)", () => {
  test("connects, reads positions, open orders, executions and market data, then disconnects", async () => {
    const { host, port, clientId } = parseTarget(TARGET);
    const logs: string[] = [];
    const broker = new IbBroker({
      host, port, clientId, clientIdMaxTries: 3, connectTimeoutMs: 10_000, requestTimeoutMs: 15_000, account: "",
      marketDataType: "delayed", exchange: "SMART", currency: "USD", maxRequestsPerSecond: 45,
      log: (level, message) => void logs.push(`${level}: ${message}`), now: Date.now,
    });
    const events: BrokerEvent[] = [];
    broker.onEvent((e) => void events.push(e));
    try {
      const info = await broker.connect();
      expect(info.accounts.length).toBeGreaterThan(0);
      // Paper accounts start with "D" (DU..., DF...): anything else is real money.
      expect(info.accounts.filter((a) => !a.startsWith("D"))).toEqual([]);
      expect(info.serverVersion ?? 0).toBeGreaterThanOrEqual(100);
      expect(Array.isArray(await broker.positions())).toBe(true);
      expect(Array.isArray(await broker.openOrders())).toBe(true);
      expect(Array.isArray(await broker.executionsSince(Date.now() - 86_400_000))).toBe(true);
      broker.subscribeMarketData([{ secType: "STK", symbol: "SPY" }]);
      // Either a quote (live or delayed) or TWS's named refusal (no market data permission).
      const answered = () => events.some((e) => e.type === "quote" || (e.type === "market_data_health" && !e.ok));
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline && !answered()) await Bun.sleep(100);
      expect(answered()).toBe(true);
      expect(logs.filter((l) => l.includes("(505)"))).toEqual([]);
    } finally {
      await broker.disconnect();
    }
  }, 60_000);
});
