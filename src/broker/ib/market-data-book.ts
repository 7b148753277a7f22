// Market data gs wants, and what TWS currently streams for it. The wanted set
// survives reconnects; request ids do not (they are renewed on every new session
// and after 1101), so nothing leaks or doubles up across reconnects.
import { contractKey } from "../../core/instrument.ts";
import type { Contract } from "../../core/instrument.ts";
import type { MarketDataKind } from "../port.ts";
import type { QuoteField } from "./tick-table.ts";

export interface Subscription {
  readonly contract: Contract;
  readonly key: string;
  reqId: number | null;
  kind: MarketDataKind;
  bid: number | null;
  ask: number | null;
  last: number | null;
  /** Why TWS refused it ("354 ..."), until data flows again. */
  failure: string | null;
}

export class MarketDataBook {
  private readonly byKey = new Map<string, Subscription>();
  private readonly byReqId = new Map<number, Subscription>();

  /** Adds a wanted contract; null when it is already wanted. */
  want(contract: Contract): Subscription | null {
    const key = contractKey(contract);
    if (this.byKey.has(key)) return null;
    const subscription: Subscription = { contract, key, reqId: null, kind: "live", bid: null, ask: null, last: null, failure: null };
    this.byKey.set(key, subscription);
    return subscription;
  }

  /** No longer wanted (contracts not wanted are ignored): returns the request ids of those streaming now, to cancel. */
  forget(contracts: readonly Contract[]): number[] {
    const streaming: number[] = [];
    for (const contract of contracts) {
      const key = contractKey(contract);
      const subscription = this.byKey.get(key);
      if (subscription === undefined) continue;
      this.byKey.delete(key);
      if (subscription.reqId === null) continue;
      this.byReqId.delete(subscription.reqId);
      streaming.push(subscription.reqId);
    }
    return streaming;
  }

  wanted(): Subscription[] {
    return [...this.byKey.values()];
  }

  bind(subscription: Subscription, reqId: number): void {
    subscription.reqId = reqId;
    this.byReqId.set(reqId, subscription);
  }

  /** Forgets every live request id (session ended or TWS lost the data); quotes and refusals reset. */
  unbindAll(): void {
    for (const subscription of this.byKey.values()) {
      subscription.reqId = null;
      subscription.failure = null;
      subscription.bid = null;
      subscription.ask = null;
      subscription.last = null;
    }
    this.byReqId.clear();
  }

  ofRequest(reqId: number): Subscription | undefined {
    return this.byReqId.get(reqId);
  }

  setPrice(subscription: Subscription, field: QuoteField, price: number | null, kind: MarketDataKind): void {
    subscription[field] = price;
    subscription.kind = kind;
  }

  failures(): string[] {
    return this.wanted().flatMap((s) => (s.failure === null ? [] : [`${s.key}: ${s.failure}`]));
  }
}
