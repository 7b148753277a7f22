// Wires the real IB adapter (real @stoqey/ib client, real socket) to a fake TWS and
// records every BrokerEvent, for integration tests, contract tests and the benchmark.
import { afterEach, expect } from "bun:test";
import { IbBroker } from "../../src/broker/ib/ib-broker.ts";
import type { IbBrokerOptions, LogLevel } from "../../src/broker/ib/ib-options.ts";
import type { BrokerEvent } from "../../src/broker/port.ts";
import { FakeTws } from "./server.ts";
import type { FakeTwsOptions } from "./server.ts";

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export class IbHarness {
  readonly events: BrokerEvent[] = [];
  readonly logs: LogLine[] = [];
  readonly broker: IbBroker;
  private readonly waiters = new Set<() => void>();

  constructor(readonly tws: FakeTws, options: Partial<IbBrokerOptions> = {}) {
    this.broker = new IbBroker({
      host: "127.0.0.1", port: tws.port, clientId: 7, clientIdMaxTries: 3, connectTimeoutMs: 2_000, requestTimeoutMs: 2_000,
      account: "", marketDataType: "live", exchange: "SMART", currency: "USD", maxRequestsPerSecond: 1_000,
      log: (level, message) => void this.logs.push({ level, message }), now: Date.now,
      ...options,
    });
    this.broker.onEvent((event) => {
      this.events.push(event);
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async start(options: Partial<IbBrokerOptions> = {}, twsOptions: FakeTwsOptions = {}): Promise<IbHarness> {
    const tws = new FakeTws(twsOptions);
    await tws.start(0);
    return new IbHarness(tws, options);
  }

  eventsOf<T extends BrokerEvent["type"]>(type: T): Extract<BrokerEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<BrokerEvent, { type: T }> => e.type === type);
  }

  /** Resolves with the first event (seen since `fromIndex`, or still to come) that matches. */
  waitFor<T extends BrokerEvent["type"]>(
    type: T,
    predicate: (event: Extract<BrokerEvent, { type: T }>) => boolean = () => true,
    fromIndex = 0,
    timeoutMs = 5_000,
  ): Promise<Extract<BrokerEvent, { type: T }>> {
    const find = () => this.events.slice(fromIndex).find((e): e is Extract<BrokerEvent, { type: T }> => e.type === type && predicate(e as Extract<BrokerEvent, { type: T }>));
    const seen = find();
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${type} event within ${timeoutMs} ms; events were ${JSON.stringify(this.events.slice(fromIndex).map((e) => e.type))}`));
      }, timeoutMs);
      const check = () => {
        const found = find();
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
    });
  }

  /**
   * Protocol problems in either direction: the client reports a message it cannot decode
   * as 505; the fake records client bytes it cannot parse. Tests expect none.
   */
  decodeErrors(): string[] {
    return [...this.logs.filter((l) => l.message.includes("(505)")).map((l) => l.message), ...this.tws.protocolErrors];
  }

  async stop(): Promise<void> {
    await this.broker.disconnect();
    await this.tws.stop();
  }
}

/**
 * One harness per test: `start` (TWS up, adapter not connected) or `connected`. After each
 * test the harness is stopped and the suite fails on any protocol error in either direction.
 */
export function harnessPerTest(): {
  start(options?: Partial<IbBrokerOptions>): Promise<IbHarness>;
  connected(options?: Partial<IbBrokerOptions>): Promise<IbHarness>;
} {
  let current: IbHarness | null = null;
  afterEach(async () => {
    const h = current;
    current = null;
    if (!h) return;
    expect(h.decodeErrors()).toEqual([]);
    await h.stop();
  });
  const start = async (options: Partial<IbBrokerOptions> = {}) => {
    current = await IbHarness.start(options);
    return current;
  };
  return {
    start,
    connected: async (options = {}) => {
      const h = await start(options);
      await h.broker.connect();
      return h;
    },
  };
}
